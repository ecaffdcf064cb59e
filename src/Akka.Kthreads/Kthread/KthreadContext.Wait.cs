using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// wait_event*() and wait_for_completion*(): sleeping on a condition, off the CPU, without losing a wake-up.
public sealed partial class KthreadContext
{
    /// <summary>wait_event_interruptible(): sleep on <paramref name="wq"/> until <paramref name="condition"/> holds.</summary>
    /// <param name="wq">The queue the waker calls WakeUp on after making the condition true.</param>
    /// <param name="condition">Checked after the thread is on the queue, so no wake-up between check and sleep is lost.</param>
    /// <returns>0 once the condition holds; -EINTR when a stop or park request ended the wait.</returns>
    /// <remarks>The kernel would sleep on through kthread_stop unless the condition tests kthread_should_stop; here a stop or park ends the wait.</remarks>
    public async Task<int> WaitEventAsync(WaitQueue wq, Func<bool> condition)
    {
        var (result, _) = await WaitEventCoreAsync(wq, condition, exclusive: false, timeout: null).ConfigureAwait(false);
        await OnHeldCpu();
        return result;
    }

    /// <summary>wait_event_interruptible_timeout(): as <see cref="WaitEventAsync"/>, giving up after <paramref name="timeout"/>.</summary>
    /// <param name="wq">The queue.</param>
    /// <param name="condition">The condition.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> (MAX_SCHEDULE_TIMEOUT) waits like <see cref="WaitEventAsync"/>.</param>
    /// <returns>The time left (more than zero; <see cref="TimeSpan.MaxValue"/>, MAX_SCHEDULE_TIMEOUT, without a limit) if the condition held; <see cref="TimeSpan.Zero"/> on timeout or a stop / park request.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    public async Task<TimeSpan> WaitEventTimeoutAsync(WaitQueue wq, Func<bool> condition, TimeSpan timeout)
    {
        var (result, left) = await WaitEventCoreAsync(wq, condition, exclusive: false, WaitTimeout.Limit(timeout)).ConfigureAwait(false);
        await OnHeldCpu();
        return result == 0 ? left : TimeSpan.Zero;
    }

    /// <summary>wait_event_interruptible_exclusive(): wait as an exclusive waiter: WakeUp wakes one of these at a time.</summary>
    /// <param name="wq">The queue.</param>
    /// <param name="condition">The condition.</param>
    /// <returns>0 once the condition holds; -EINTR when a stop or park request ended the wait.</returns>
    public async Task<int> WaitEventExclusiveAsync(WaitQueue wq, Func<bool> condition)
    {
        var (result, _) = await WaitEventCoreAsync(wq, condition, exclusive: true, timeout: null).ConfigureAwait(false);
        await OnHeldCpu();
        return result;
    }

    /// <summary>wait_for_completion_interruptible(): sleep until <paramref name="done"/> lets this wait through (taking one count).</summary>
    /// <param name="done">The completion.</param>
    /// <returns>0 once through; -EINTR when a stop or park request ended the wait (no count taken).</returns>
    public async Task<int> WaitForCompletionAsync(Completion done)
    {
        ArgumentNullException.ThrowIfNull(done);
        var (result, _) = await WaitEventCoreAsync(done.Queue, done.TryWaitCondition, exclusive: true, timeout: null).ConfigureAwait(false);
        await OnHeldCpu();
        return result;
    }

    /// <summary>wait_for_completion_interruptible_timeout(): as <see cref="WaitForCompletionAsync"/>, for at most <paramref name="timeout"/>.</summary>
    /// <param name="done">The completion.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> (MAX_SCHEDULE_TIMEOUT) waits like <see cref="WaitForCompletionAsync"/>.</param>
    /// <returns>True if the wait went through; false on timeout or a stop / park request.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    public async Task<bool> WaitForCompletionTimeoutAsync(Completion done, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(done);
        var (result, _) = await WaitEventCoreAsync(done.Queue, done.TryWaitCondition, exclusive: true, WaitTimeout.Limit(timeout)).ConfigureAwait(false);
        await OnHeldCpu();
        return result == 0;
    }

    /// <summary>wait_event(): sleep in TASK_UNINTERRUPTIBLE (ps D) on <paramref name="wq"/> until <paramref name="condition"/> holds.</summary>
    /// <param name="wq">The queue the waker calls WakeUp on after making the condition true.</param>
    /// <param name="condition">Checked after the thread is on the queue, so no wake-up between check and sleep is lost.</param>
    /// <param name="caller">Filled in by the compiler: the waiting member, shown by khungtaskd when the wait hangs.</param>
    /// <returns>0, once the condition holds: a stop or park request does not end this wait (it waits until the thread returns here).</returns>
    /// <remarks>As the kernel's D sleep ignores signals: use it where giving up half-way is worse than making the stopper wait (stop-timeout still bounds the stopper).</remarks>
    public async Task<int> WaitEventUninterruptibleAsync(WaitQueue wq, Func<bool> condition, [CallerMemberName] string caller = "")
    {
        var (result, _) = await WaitEventCoreAsync(wq, condition, exclusive: false, timeout: null, uninterruptible: true, caller).ConfigureAwait(false);
        await OnHeldCpu();
        return result;
    }

    private const int TimedOut = 1;

    // kernel: ___wait_event() — queue, set state, check, sleep; finish_wait() on the way out.
    private async Task<(int Result, TimeSpan Left)> WaitEventCoreAsync(WaitQueue wq, Func<bool> condition, bool exclusive, TimeSpan? timeout,
        bool uninterruptible = false, string? caller = null)
    {
        ArgumentNullException.ThrowIfNull(wq);
        ArgumentNullException.ThrowIfNull(condition);
        var started = Stopwatch.GetTimestamp();
        if (condition())
        {
            return (0, WaitTimeout.HeldAtOnce(timeout));
        }

        var waiter = new KthreadWaiter(this, exclusive);
        if (uninterruptible)
        {
            _waitCaller = caller;
        }

        var result = 0;
        var left = TimeSpan.Zero;
        try
        {
            while (true)
            {
                waiter.Rearm();
                wq.Add(waiter);
                PrepareToSleep(uninterruptible ? TaskState.Uninterruptible : TaskState.Interruptible);
                if (condition())
                {
                    break;
                }

                // kernel: signal_pending_state() — never true for TASK_UNINTERRUPTIBLE.
                if (!uninterruptible && (ShouldStop || ShouldPark))
                {
                    result = -Errno.EINTR;
                    break;
                }

                TimeSpan? remaining = null;
                if (timeout is { } limit)
                {
                    remaining = limit - Stopwatch.GetElapsedTime(started);
                    if (remaining <= TimeSpan.Zero)
                    {
                        // One last look, as ___wait_cond_timeout: a condition that holds at the deadline counts.
                        result = condition() ? 0 : TimedOut;
                        break;
                    }
                }

                await SleepAsync(remaining).ConfigureAwait(false);
            }

            if (result == 0)
            {
                left = WaitTimeout.Left(timeout, started);
            }
        }
        finally
        {
            SetRunning();
            if (uninterruptible)
            {
                _waitCaller = null;
            }

            // An exclusive wake-up we did not use goes to the next waiter, so none is lost.
            if (!wq.Remove(waiter) && exclusive && waiter.WasWoken && result != 0)
            {
                wq.Wake(1);
            }
        }

        return (result, left);
    }
}
