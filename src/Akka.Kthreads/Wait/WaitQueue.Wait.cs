using System.Diagnostics;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// wait_event() and wait_event_timeout() for code that is not a kthread (the kernel's process context:
// a request handler, a test). A kthread should use current.WaitEventAsync; called from one, these sleep
// off its CPU meanwhile (as hotplug calls do), so the waker that needs that CPU can run.
public sealed partial class WaitQueue
{
    /// <summary>wait_event() for plain code: completes once <paramref name="condition"/> holds, rechecked on each WakeUp.</summary>
    /// <param name="condition">Checked after the caller is on the queue, so a wake-up between check and sleep is not lost.</param>
    /// <param name="ct">Gives up waiting: the caller leaves the queue and gets OperationCanceledException.</param>
    /// <returns>A task that completes when the condition held; its continuations never run inside the waker.</returns>
    /// <remarks>A non-exclusive waiter, as wait_event: every WakeUp wakes it and counts it.</remarks>
    public Task WaitEventAsync(Func<bool> condition, CancellationToken ct = default)
    {
        // Not async: a null condition throws here, at the door, not inside the returned task.
        ArgumentNullException.ThrowIfNull(condition);
        return KthreadContext.SleepingOffCpu(() => WaitEventCoreAsync(condition, null, ct));
    }

    /// <summary>wait_event_timeout() for plain code: as <see cref="WaitEventAsync"/>, giving up after <paramref name="timeout"/>.</summary>
    /// <param name="condition">The condition, checked after the caller is on the queue.</param>
    /// <param name="timeout">How long to wait at most; <see cref="Timeout.InfiniteTimeSpan"/> waits like <see cref="WaitEventAsync"/>.</param>
    /// <param name="ct">Gives up waiting: the caller leaves the queue and gets OperationCanceledException.</param>
    /// <returns>The time left (more than zero; <see cref="TimeSpan.MaxValue"/> without a limit) if the condition held, as current.WaitEventTimeoutAsync; <see cref="TimeSpan.Zero"/> on timeout.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout other than infinite.</exception>
    public Task<TimeSpan> WaitEventTimeoutAsync(Func<bool> condition, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = WaitTimeout.Limit(timeout);
        return KthreadContext.SleepingOffCpu(() => WaitEventCoreAsync(condition, limit, ct));
    }

    // kernel: ___wait_event() — queue, check, sleep; finish_wait() on the way out.
    private async Task<TimeSpan> WaitEventCoreAsync(Func<bool> condition, TimeSpan? timeout, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        if (condition())
        {
            return WaitTimeout.HeldAtOnce(timeout);
        }

        ct.ThrowIfCancellationRequested();
        while (true)
        {
            // One entry per sleep: a woken entry is off the queue (autoremove) and its task is spent.
            var waiter = new TaskWaiter(exclusive: false);
            Add(waiter);
            try
            {
                if (condition())
                {
                    return WaitTimeout.Left(timeout, started);
                }

                var remaining = timeout - Stopwatch.GetElapsedTime(started);
                if (remaining is null)
                {
                    await waiter.Woken.WaitAsync(ct).ConfigureAwait(false);
                }
                else if (remaining <= TimeSpan.Zero || !await WokenWithinAsync(waiter, remaining.Value, ct).ConfigureAwait(false))
                {
                    // One last look, as ___wait_cond_timeout: a condition that holds at the deadline counts.
                    return condition() ? TimeSpan.FromTicks(1) : TimeSpan.Zero;
                }
            }
            finally
            {
                Remove(waiter);
            }
        }
    }

    private static async Task<bool> WokenWithinAsync(TaskWaiter waiter, TimeSpan remaining, CancellationToken ct)
    {
        try
        {
            await waiter.Woken.WaitAsync(remaining, ct).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
