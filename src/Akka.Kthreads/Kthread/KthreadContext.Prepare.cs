using Akka.Actor;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// set_current_state(TASK_INTERRUPTIBLE) ... schedule(): the kernel's rule that a wake-up between a
// condition check and the sleep is not lost. Wait queues, completions and the worker loop use it.
public sealed partial class KthreadContext
{
    private static readonly AsyncLocal<KthreadContext?> CurrentThread = new();

    // Written by the function (PrepareToSleep / SetRunning), consumed by the actor on WakeUp.
    private int _prepared;

    // The function's own record of its last PrepareToSleep, carried by the Sleep that follows it.
    private int _myPreparedGen;
    private int _nextGen;

    // The state the last PrepareToSleep set (TASK_UNINTERRUPTIBLE when true); only the function's flow touches it.
    private bool _myPreparedUninterruptible;

    // The flow's sleep in schedule() now, which a waker may end by itself (TryToWakeUp); null while it runs.
    private SleepNote? _wakeable;

    /// <summary>The kernel's <c>current</c> from anywhere in a kthread's flow (also inside a worker's work); null outside kthreads.</summary>
    public static KthreadContext? Current => CurrentThread.Value;

    /// <summary>set_current_state(TASK_INTERRUPTIBLE): from now on a WakeUp makes the next ScheduleAsync return at once.</summary>
    /// <remarks>
    /// The idiom: <c>current.PrepareToSleep(); if (!condition) await current.ScheduleAsync(); current.SetRunning();</c>
    /// — a waker that sets the condition and then calls WakeUp cannot be missed between the check and the
    /// sleep (and its WakeUp replies true, as try_to_wake_up does when the state matched).
    /// </remarks>
    public void PrepareToSleep() => PrepareToSleep(TaskState.Interruptible);

    /// <summary>set_current_state(<paramref name="state"/>): as <see cref="PrepareToSleep()"/>, choosing whether stop and park requests end the sleep.</summary>
    /// <param name="state"><see cref="TaskState.Uninterruptible"/>: the next ScheduleAsync shows D and ends only on a WakeUp or its timeout.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="state"/> is not a defined value.</exception>
    public void PrepareToSleep(TaskState state)
    {
        if (state is not (TaskState.Interruptible or TaskState.Uninterruptible))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "not a task state");
        }

        _myPreparedUninterruptible = state == TaskState.Uninterruptible;
        var gen = ++_nextGen;
        if (gen == 0)
        {
            gen = _nextGen = 1;
        }

        _myPreparedGen = gen;
        // A full fence: the condition the caller reads next must not be read before the flag is seen.
        Interlocked.Exchange(ref _prepared, gen);
    }

    /// <summary>__set_current_state(TASK_RUNNING): not going to sleep after all; cancels <see cref="PrepareToSleep()"/>.</summary>
    public void SetRunning()
    {
        _myPreparedGen = 0;
        _myPreparedUninterruptible = false;
        Volatile.Write(ref _prepared, 0);
    }

    /// <summary>The actor's side of try_to_wake_up on a running thread: true (and the generation) if it had prepared to sleep.</summary>
    internal bool TryConsumePrepared(out int gen)
    {
        gen = Volatile.Read(ref _prepared);
        return gen != 0 && Interlocked.CompareExchange(ref _prepared, 0, gen) == gen;
    }

    /// <summary>
    /// The generation the next Sleep carries (0: not prepared). The shared flag stays set: a WakeUp
    /// that reaches the actor before this Sleep must still find it; the actor clears it with the Sleep.
    /// </summary>
    private int TakePreparedGen()
    {
        var gen = _myPreparedGen;
        _myPreparedGen = 0;
        return gen;
    }

    /// <summary>
    /// Spends the prepared state of generation <paramref name="gen"/> once its sleep begins (the actor, on the Sleep) or ends
    /// unsent: later wake-ups wake the sleeper, not a sleep to come. False when a wake-up took it first (<see cref="TryConsumePrepared"/>).
    /// </summary>
    internal bool ClearPrepared(int gen) => Interlocked.CompareExchange(ref _prepared, 0, gen) == gen;

    private void EnterAsCurrent() => CurrentThread.Value = this;

    /// <summary>try_to_wake_up() without a reply: the wake function of wait queues, completions and WakeUpProcess.</summary>
    /// <remarks>
    /// The waker ends a sleep itself, as the kernel's does, rather than through the thread's actor: on a small
    /// machine each hop through a pool thread costs more than the rest of the wake-up. A sleep the actor never
    /// heard of (its note still held back on the CPU thread) ends with no message at all; one it has heard of
    /// ends here and the actor is told after, to bring ps and the sleep's timer up to date. A thread between
    /// PrepareToSleep and its sleep is woken by taking its prepared state, as try_to_wake_up sets TASK_RUNNING: that
    /// sleep then returns at once (the flow checks once its note is out, the actor once the Sleep arrives). Anything
    /// else (a new thread, a sleep the actor knows of when the waker is a CPU thread) goes to the actor.
    /// </remarks>
    internal void TryToWakeUp()
    {
        if (TryWakeOnItsWay())
        {
            return;
        }

        // On a CPU thread the woken flow's continuation would run inside this caller: the actor ends it instead.
        if (CpuThread.Current is null && Interlocked.Exchange(ref _wakeable, null) is { } note && note.Sleep.Wake.TrySetResult(true))
        {
            _self.Tell(SleepEnded.Instance);
            return;
        }

        _self.Tell(Kick.Instance);
    }

    /// <summary>
    /// try_to_wake_up's part that needs no actor: ends a sleep whose note is still held back, or takes the prepared state of a
    /// thread on its way to sleep. True if the thread was woken either way.
    /// </summary>
    internal bool TryWakeOnItsWay() => TryEndUnsentSleep(requestOnly: false) || TryWakePrepared();

    /// <summary>True while the flow sleeps in schedule() and its actor has not heard of it yet (the note is held back).</summary>
    internal bool HasHeldBackSleep => Volatile.Read(ref _wakeable) is { IsPending: true };

    /// <summary>
    /// Takes the prepared state of a thread on its way to sleep, if it has one, and ends its note if that is already out:
    /// whichever of this and the flow's own check comes second sees the other (both are full fences).
    /// </summary>
    /// <returns>True if the thread had prepared to sleep: it is woken.</returns>
    internal bool TryWakePrepared()
    {
        if (!TryConsumePrepared(out _))
        {
            return false;
        }

        TryEndUnsentSleep(requestOnly: false);
        return true;
    }

    /// <summary>
    /// Ends the sleep whose note is still held back, if any (<paramref name="requestOnly"/>: only an interruptible
    /// one, for stop and park): a waker's first try, and the actor's for a wake-up or request that finds no sleep it knows of.
    /// </summary>
    /// <returns>True if such a sleep was ended.</returns>
    internal bool TryEndUnsentSleep(bool requestOnly)
    {
        if (Volatile.Read(ref _wakeable) is not { } note || !TryTakeUnsent(note, requestOnly))
        {
            return false;
        }

        EndUnsent(note);
        return true;
    }

    // Cancels a note the actor never heard of and spends its PrepareToSleep, as the actor would on the Sleep; whoever
    // succeeds (a waker, the actor, or the flow itself on its way to sleep) completes the wake.
    private bool TryTakeUnsent(SleepNote note, bool requestOnly)
    {
        if (!note.TryCancel(byRequest: requestOnly))
        {
            return false;
        }

        ClearPrepared(note.Sleep.PreparedGen);
        Interlocked.CompareExchange(ref _wakeable, null, note);
        return true;
    }

    // The flow goes on on the CPU thread that held the note back: its acquire of that (most likely idle) CPU is then
    // immediate, and the waker pays a post, not the acquire, nor runs the flow's continuation inside its own call.
    private void EndUnsent(SleepNote note)
    {
        var wake = note.Sleep.Wake;
        if (note.HeldOn?.TryPost(static w => ((TaskCompletionSource<bool>)w!).TrySetResult(true), wake) == true)
        {
            return;
        }

        // That CPU went down meanwhile and its thread ended.
        ThreadPool.UnsafeQueueUserWorkItem(static w => w.TrySetResult(true), wake, preferLocal: false);
    }
}
