using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. A schedule() sleep on its way to the thread's actor. The CPU thread that ran the flow holds it
/// back until it has something else to do or goes to sleep itself (<see cref="CpuThread.HoldBack"/>): a wake-up
/// that comes first ends the sleep with no message to the actor on either side, as try_to_wake_up does.
/// </summary>
/// <remarks>
/// On a small machine every Tell from a CPU thread wakes a pool thread that competes with the CPU thread and
/// the waker for the cores; a sleep that a wake-up ends within microseconds need not cost one.
/// </remarks>
internal sealed class SleepNote(IActorRef actor, Sleep sleep)
{
    private const int Pending = 0;
    private const int Sent = 1;
    private const int Cancelled = 2;

    private int _state;

    /// <summary>The Sleep the actor gets once the note is sent.</summary>
    public Sleep Sleep { get; } = sleep;

    /// <summary>The CPU thread that holds the note back; the woken flow resumes there, where its CPU most likely is.</summary>
    public CpuThread? HeldOn { get; set; }

    /// <summary>True while the note is held back: neither sent to the actor nor ended by a waker.</summary>
    public bool IsPending => Volatile.Read(ref _state) == Pending;

    /// <summary>Sends the Sleep to the actor unless a wake-up ended it first; each note goes at most once.</summary>
    public void Send()
    {
        if (Interlocked.CompareExchange(ref _state, Sent, Pending) == Pending)
        {
            actor.Tell(Sleep, ActorRefs.NoSender);
        }
    }

    /// <summary>True when the actor never heard of this sleep and now never will: the caller ends it.</summary>
    /// <param name="byRequest">A stop or park request: it does not end a TASK_UNINTERRUPTIBLE sleep, which then stays held back.</param>
    public bool TryCancel(bool byRequest = false) =>
        !(byRequest && Sleep.Uninterruptible) && Interlocked.CompareExchange(ref _state, Cancelled, Pending) == Pending;
}
