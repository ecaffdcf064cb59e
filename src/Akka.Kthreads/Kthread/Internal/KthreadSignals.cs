using System.Diagnostics;

namespace Akka.Kthreads.Internal;

// INTERNAL API. What a running thread function tells its own KthreadActor. The actor alone
// decides state, so a wake-up and a sleep can never both think they came first.

/// <summary>
/// schedule(): the function gave up its CPU and sleeps until <see cref="Wake"/> completes (true: woken,
/// false: timed out). <see cref="PreparedGen"/> names the PrepareToSleep it follows (0: none);
/// <see cref="Uninterruptible"/>: TASK_UNINTERRUPTIBLE, which stop and park requests do not end.
/// </summary>
internal sealed record Sleep(TaskCompletionSource<bool> Wake, TimeSpan? Timeout, int PreparedGen, bool Uninterruptible = false)
{
    /// <summary>When a timed sleep began (0 for an untimed one, which reads no clock): a note held back on its CPU's thread reaches the actor later, and the timeout counts from here.</summary>
    public long SleptAt { get; } = Timeout is null ? 0 : Stopwatch.GetTimestamp();

    /// <summary>When <see cref="Timeout"/> runs out (at most a day on), as a Stopwatch timestamp; long.MaxValue without one.</summary>
    public long Deadline => Timeout is { } timeout ? SleptAt + StopwatchSpan.Ticks(timeout) : long.MaxValue;

    /// <summary>What is left of <see cref="Timeout"/> now, zero or less once it has run out; null without one.</summary>
    public TimeSpan? Left => Timeout - Stopwatch.GetElapsedTime(SleptAt);
}

/// <summary>The function went off its CPU for I/O (Enter: ps S) or came back (Leave).</summary>
internal sealed record OffCpu(bool Entering)
{
    public static OffCpu Enter { get; } = new(true);

    public static OffCpu Leave { get; } = new(false);
}

/// <summary>wake_up_process() without a reply, for wakers that are not askers (a worker's queue).</summary>
internal sealed record Kick
{
    public static Kick Instance { get; } = new();
}

/// <summary>A waker ended the thread's sleep in schedule() itself (try_to_wake_up): the actor brings its state up to date.</summary>
internal sealed record SleepEnded
{
    public static SleepEnded Instance { get; } = new();
}

/// <summary>
/// smpboot's unpark when its CPU comes up or a take-down is rolled back: Unpark, and also a park request that
/// nobody waits for any more (its park timed out) is dropped, so the thread does not park later on a CPU that is
/// up. Replies <see cref="KthreadProtocol.Unparked"/>.
/// </summary>
internal sealed record WithdrawPark : KthreadProtocol.IKthreadCommand
{
    public static WithdrawPark Instance { get; } = new();
}

/// <summary>__kthread_parkme(): the function gave up its CPU and stays parked until the actor lets it go (KthreadContext.Unparked); <see cref="Done"/> is what the function awaits.</summary>
internal sealed record Parking(Task Done);

/// <summary>do_exit(): the function returned <see cref="Code"/>, or threw <see cref="Oops"/> (then Code is -EFAULT).</summary>
internal sealed record Exited(int Code, Exception? Oops);

/// <summary>kthreadd made this thread for kthread_run and already marked it Running: start the loop.</summary>
internal sealed record StartRun
{
    public static StartRun Instance { get; } = new();
}

/// <summary>ScheduleTimeoutAsync's timer fired. Stale unless <paramref name="Gen"/> is the timer's generation now (it was cancelled or restarted).</summary>
/// <param name="Gen">The generation the timer was started with.</param>
internal sealed record SleepTimedOut(int Gen);

/// <summary>stop-timeout ran out before the function returned. Stale unless <paramref name="Gen"/> is the timer's generation now (it was cancelled or restarted).</summary>
/// <param name="Gen">The generation the timer was started with.</param>
internal sealed record StopTimedOut(int Gen);

/// <summary>park-timeout ran out before the thread parked. Stale unless <paramref name="Gen"/> is the timer's generation now (it was cancelled or restarted).</summary>
/// <param name="Gen">The generation the timer was started with.</param>
internal sealed record ParkTimedOut(int Gen);

/// <summary>Sent by a kthread to kthreadd as it is reaped: the pid's entry can go; <see cref="Last"/> is its final row.</summary>
internal sealed record Reaped(int Pid, KthreadInfo Last);
