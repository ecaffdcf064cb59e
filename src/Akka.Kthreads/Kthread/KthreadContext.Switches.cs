namespace Akka.Kthreads;

// The kernel's per-task nvcsw / nivcsw and the TASK_UNINTERRUPTIBLE flag ps and khungtaskd read.
public sealed partial class KthreadContext
{
    // The counts are written by the thread's own flow only; read by ps and khungtaskd from other threads, with Volatile.Read
    // (atomic for a long on every platform): Interlocked.Read is a locked compare-exchange, which took every slot's cache
    // line exclusive on each ps and made a ps of 10,000 threads a fifth slower.
    private volatile string? _waitCaller;

    /// <summary>nvcsw: checkpoints where the thread gave its CPU up itself (schedule() from a sleep, a park, I/O off the CPU).</summary>
    internal long Nvcsw => Volatile.Read(ref Ps.Nvcsw);

    /// <summary>nivcsw: checkpoints (cond_resched) where the CPU went to a waiter (or to work queued for its thread) or the thread had to move.</summary>
    internal long Nivcsw => Volatile.Read(ref Ps.Nivcsw);

    /// <summary>True while the actor holds this thread in a TASK_UNINTERRUPTIBLE sleep (set and cleared by the actor alone).</summary>
    internal bool InUninterruptibleSleep
    {
        get => Volatile.Read(ref Ps.InUninterruptibleSleep);
        set => Volatile.Write(ref Ps.InUninterruptibleSleep, value);
    }

    /// <summary>Where the thread waits uninterruptibly (the call and its caller), for khungtaskd's report; null when not known.</summary>
    /// <remarks>Made here, when kthreadd asks once per check, rather than on every wait.</remarks>
    internal string? WaitSite => _waitCaller is { } caller ? $"WaitEventUninterruptibleAsync in {caller}" : null;

    // Every checkpoint that gives its CPU up: a sleep, a park or I/O off the CPU counts in nvcsw; a cond_resched that lost it, in nivcsw.
    private void SwitchOut(bool voluntary)
    {
        _inCheckpoint = true;
        ReleaseCpu();
        Interlocked.Increment(ref voluntary ? ref Ps.Nvcsw : ref Ps.Nivcsw);
    }
}
