namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One kthread's ps fields, the only copy of them: its context reads and writes them here (by ref, with the
/// same Volatile and Interlocked accesses as before), kthreadd's List reads them without touching the context. The home
/// CPU, which ps does not show, is here too: it fills the slot's padding, and the context is 8 bytes smaller for it.
/// </summary>
/// <remarks>Fields, not properties: the context takes refs to them for Interlocked and Volatile.</remarks>
internal struct PsSlot
{
    /// <summary>The CPU whose run queue the thread holds now, if any.</summary>
    public RunQueue? Held;

    /// <summary>cpus_mask: ascending, distinct; null for every CPU.</summary>
    public int[]? Allowed;

    /// <summary>current->comm.</summary>
    public string Comm;

    /// <summary>Voluntary switches (written by the thread's own flow).</summary>
    public long Nvcsw;

    /// <summary>Involuntary switches (written by the thread's own flow).</summary>
    public long Nivcsw;

    /// <summary>The pid.</summary>
    public int Pid;

    /// <summary>A <see cref="KthreadState"/>, read and written with Volatile.</summary>
    public int State;

    /// <summary>prev_cpu; -1 before the thread first held one.</summary>
    public int LastCpu;

    /// <summary>The exit code, once it exited.</summary>
    public int ExitCode;

    /// <summary>The CPU a per-CPU thread belongs to; -1 otherwise.</summary>
    public int HomeCpu;

    /// <summary>True for a per-CPU (smpboot) thread.</summary>
    public bool PerCpu;

    /// <summary>True while its actor holds it in a TASK_UNINTERRUPTIBLE sleep.</summary>
    public bool InUninterruptibleSleep;

    /// <summary>The ps row, read without messages.</summary>
    public readonly KthreadInfo Row(string node)
    {
        var state = (KthreadState)Volatile.Read(in State);
        var allowed = Volatile.Read(in Allowed);
        var last = Volatile.Read(in LastCpu);
        // Where it runs while it holds a CPU (a thread moved by set_cpus_allowed_ptr runs on until its next checkpoint).
        var cpu = Volatile.Read(in Held)?.Cpu ?? (allowed is [var bound] ? bound : last >= 0 ? last : null);
        return new KthreadInfo(Pid, 2, Comm, state, cpu, PerCpu,
            state is KthreadState.Zombie or KthreadState.Dead ? Volatile.Read(in ExitCode) : null, node)
        {
            Uninterruptible = state == KthreadState.Sleeping && Volatile.Read(in InUninterruptibleSleep),
            Nvcsw = Volatile.Read(in Nvcsw),
            Nivcsw = Volatile.Read(in Nivcsw),
        };
    }
}
