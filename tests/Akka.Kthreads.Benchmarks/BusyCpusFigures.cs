using System.Diagnostics;
using static Akka.Kthreads.Benchmarks.Latency;
using Akka.Actor;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// An unrelated actor's Ask latency while every CPU computes between checkpoints, beside the same
/// Ask with the CPUs idle: what a CPU being an OS thread of its own buys the rest of the ActorSystem.
/// </summary>
/// <remarks>
/// Stopwatch figures (BenchmarkDotNet times back-to-back calls, not latency under a load it does not
/// make). Four times as many CPUs as cores, one kthread bound to each that computes 50 ms between
/// checkpoints; one Ask every 10 ms, so the asks spread over the load instead of one quiet moment.
/// </remarks>
internal static class BusyCpusFigures
{
    private const int Asks = 500;
    private static readonly TimeSpan Compute = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(10);

    /// <summary>Times <see cref="Asks"/> asks idle, then as many with every CPU busy, and writes both as a markdown table.</summary>
    public static async Task RunAsync(TextWriter output)
    {
        var cpus = 4 * Environment.ProcessorCount;
        var system = Systems.Start("busy-cpus-figures", cpus);
        try
        {
            var kthreads = Kthreads.Get(system);
            var echo = system.ActorOf(Echo.Props, "unrelated");
            var idle = await AskLatenciesAsync(echo);

            var computing = 0;
            var hogs = new List<Kthread>();
            foreach (var cpu in kthreads.Cpus.Possible)
            {
                var hog = await kthreads.CreateAsync(async current =>
                {
                    Interlocked.Increment(ref computing);
                    while (!current.ShouldStop)
                    {
                        var clock = Stopwatch.StartNew();
                        while (clock.Elapsed < Compute)
                        {
                            Thread.SpinWait(100);
                        }

                        await current.YieldAsync();
                    }

                    return 0;
                }, null, $"hog/{cpu}");
                await hog.BindAsync(cpu);
                hogs.Add(hog);
            }

            await Task.WhenAll(hogs.Select(h => h.WakeUpAsync()));
            while (Volatile.Read(ref computing) < cpus)
            {
                await Task.Delay(Pace);
            }

            var busy = await AskLatenciesAsync(echo);
            await Task.WhenAll(hogs.Select(h => h.StopAsync()));

            output.WriteLine($"## An unrelated actor's Ask, {Asks} asks one every {Pace.TotalMilliseconds:F0} ms: idle vs {cpus} CPUs each computing {Compute.TotalMilliseconds:F0} ms between checkpoints ({Environment.ProcessorCount} cores)");
            output.WriteLine();
            output.WriteLine("| figure | median | p99 | max |");
            output.WriteLine("|---|---|---|---|");
            Row(output, "Ask, every CPU busy", busy);
            Row(output, "the same Ask, CPUs idle (baseline)", idle);
            output.WriteLine($"| ratio, busy / idle | {Percentile(busy, 0.5) / Percentile(idle, 0.5):F2}x | {Percentile(busy, 0.99) / Percentile(idle, 0.99):F2}x | |");
            output.WriteLine();
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task<double[]> AskLatenciesAsync(IActorRef echo)
    {
        var latencies = new double[Asks];
        using var pace = new PeriodicTimer(Pace);
        for (var i = 0; i < Asks && await pace.WaitForNextTickAsync(); i++)
        {
            var start = Stopwatch.GetTimestamp();
            await echo.Ask<int>(i, Systems.AskTimeout);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        return latencies;
    }

    private static void Row(TextWriter output, string figure, double[] values) =>
        output.WriteLine($"| {figure} | {Format(Percentile(values, 0.5))} | {Format(Percentile(values, 0.99))} | {Format(values.Max())} |");
}
