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

    /// <summary>The actor's side once the Sleep of generation <paramref name="gen"/> is handled: later wake-ups wake the sleeper.</summary>
    internal void ClearPrepared(int gen) => Interlocked.CompareExchange(ref _prepared, 0, gen);

    private void EnterAsCurrent() => CurrentThread.Value = this;

    /// <summary>A wait queue's wake function for this thread: wake_up_process() without a reply.</summary>
    internal void WakeFromQueue() => _self.Tell(Kick.Instance);
}
