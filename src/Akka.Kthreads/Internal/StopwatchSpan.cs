using System.Diagnostics;

namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. Spans as Stopwatch ticks, for the timestamps a CPU's thread compares against in its idle spin.</summary>
internal static class StopwatchSpan
{
    /// <summary>
    /// <paramref name="span"/> in Stopwatch ticks, from zero and capped at a day: beyond that the sum with a timestamp
    /// could overflow, and no spin or held-back sleep waits so long.
    /// </summary>
    public static long Ticks(TimeSpan span) =>
        (long)(Math.Clamp(span.TotalSeconds, 0, TimeSpan.FromDays(1).TotalSeconds) * Stopwatch.Frequency);
}
