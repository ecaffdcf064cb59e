using System.Diagnostics;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. wait_event_timeout()'s answer, shared by the kthread's waits and the plain ones: the time left,
/// never zero when the condition held, since zero means the wait timed out.
/// </summary>
internal static class WaitTimeout
{
    /// <summary>
    /// The time left of a wait without a limit: MAX_SCHEDULE_TIMEOUT, which the kernel returns as is. Not
    /// Timeout.InfiniteTimeSpan (-1 ms), which a caller's <c>left &gt; TimeSpan.Zero</c> would read as a timeout.
    /// </summary>
    public static readonly TimeSpan NoLimit = TimeSpan.MaxValue;

    /// <summary>
    /// A caller's timeout as the wait's limit: Timeout.InfiniteTimeSpan is MAX_SCHEDULE_TIMEOUT, no limit (null), in every
    /// timed sleep and wait; any other negative is a mistake.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not infinite.</exception>
    public static TimeSpan? Limit(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a timeout cannot be negative (Timeout.InfiniteTimeSpan waits without one)");
        }

        return timeout;
    }

    /// <summary>A condition that held before any sleep: the whole timeout (<see cref="NoLimit"/> without one), at least one tick.</summary>
    public static TimeSpan HeldAtOnce(TimeSpan? timeout)
    {
        var all = timeout ?? NoLimit;
        return all == TimeSpan.Zero ? TimeSpan.FromTicks(1) : all;
    }

    /// <summary>A condition that held after sleeping since <paramref name="started"/>: what is left, at least one tick (<see cref="NoLimit"/> without a timeout).</summary>
    public static TimeSpan Left(TimeSpan? timeout, long started)
    {
        if (timeout is not { } total)
        {
            return NoLimit;
        }

        var left = total - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1);
    }
}
