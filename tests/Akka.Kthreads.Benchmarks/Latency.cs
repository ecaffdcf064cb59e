namespace Akka.Kthreads.Benchmarks;

/// <summary>What the Stopwatch figures share: nearest-rank percentiles and µs / ms formatting.</summary>
internal static class Latency
{
    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..1) of <paramref name="values"/>, on a sorted copy.</summary>
    public static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Microseconds as "12.3 µs", or as "1.23 ms" from a millisecond up.</summary>
    public static string Format(double micros) => micros >= 1_000 ? $"{micros / 1_000:F2} ms" : $"{micros:F1} µs";
}
