using System.Diagnostics;
using Akka.Actor;
using static Akka.Kthreads.Benchmarks.Latency;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// kthreads.cpus.idle-poll's trade: Completion.Complete until the waiting kthread runs, back to back and one every
/// 100 or 200 µs (longer than the default start of the poll, so a fixed 50 µs poll has gone to sleep by then), at
/// fixed polls and at the default adaptive one (idle-poll-max), beside one Ask of an echo actor paced the same way.
/// </summary>
/// <remarks>
/// Stopwatch figures, since BenchmarkDotNet cannot pace calls: each paced call follows a 200 µs pause spent yielding on
/// the caller's thread, in blocks of 100 wake-ups then 100 Asks, so both sides see the same machine.
/// </remarks>
internal static class IdlePollFigures
{
    private const int BackToBack = 10_000;
    private const int Paced = 1_000;
    private const int Warmup = 1_000;
    private const int Block = 100;
    private static readonly (string Label, string Hocon)[] Polls =
    [
        ("0", "idle-poll = 0"),
        ("50 µs fixed (the default before idle-poll-max)", "idle-poll = 50micros, idle-poll-max = 0"),
        ("50 µs growing up to 200 µs (the default)", "idle-poll = 50micros, idle-poll-max = 200micros"),
        ("300 µs fixed", "idle-poll = 300micros, idle-poll-max = 0"),
    ];

    /// <summary>Writes one row per poll, as a markdown table.</summary>
    /// <param name="output">Where the table goes.</param>
    public static async Task RunAsync(TextWriter output)
    {
        output.WriteLine($"## kthreads.cpus.idle-poll: Completion.Complete until the waiting kthread runs ({Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine("| idle-poll | back to back: median / p90 | one every 100 µs: median / p90 | one every 200 µs: median / p90 | baseline: one Ask, one every 200 µs: median / p90 |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var (label, hocon) in Polls)
        {
            var (backToBack, paced100, paced200, asks) = await MeasureAsync(hocon);
            output.WriteLine($"| {label} | {Cell(backToBack)} | {Cell(paced100)} | {Cell(paced200)} | {Cell(asks)} |");
        }

        output.WriteLine();
    }

    private static string Cell(double[] figures) => $"{Format(Percentile(figures, 0.5))} / {Format(Percentile(figures, 0.9))}";

    private static async Task<(double[] BackToBack, double[] Paced100, double[] Paced200, double[] Asks)> MeasureAsync(string poll)
    {
        var system = Systems.Start("idle-poll", $"kthreads.cpus {{ {poll} }}");
        var echo = system.ActorOf(Echo.Props);
        var request = new Completion();
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = await Kthreads.Get(system).RunAsync(async current =>
        {
            while (await current.WaitForCompletionAsync(request) == 0)
            {
                Volatile.Read(ref ran).TrySetResult();
            }

            return 0;
        }, null, "waiter");
        try
        {
            async Task<double> WakeAsync()
            {
                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref ran, seen);
                var start = Stopwatch.GetTimestamp();
                request.Complete();
                await seen.Task;
                return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }

            for (var i = 0; i < Warmup; i++)
            {
                await WakeAsync();
                await echo.Ask<int>(i, Systems.AskTimeout);
            }

            var backToBack = new double[BackToBack];
            for (var i = 0; i < backToBack.Length; i++)
            {
                backToBack[i] = await WakeAsync();
            }

            var paced100 = new double[Paced];
            for (var i = 0; i < paced100.Length; i++)
            {
                Pause(10_000);
                paced100[i] = await WakeAsync();
            }

            // In alternating blocks, so that consecutive wake-ups (and Asks) are 200 µs apart, not 400.
            var paced200 = new double[Paced];
            var asks = new double[Paced];
            for (var block = 0; block < Paced; block += Block)
            {
                for (var i = block; i < block + Block; i++)
                {
                    Pause(5_000);
                    paced200[i] = await WakeAsync();
                }

                for (var i = block; i < block + Block; i++)
                {
                    Pause(5_000);
                    var start = Stopwatch.GetTimestamp();
                    await echo.Ask<int>(i, Systems.AskTimeout);
                    asks[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }

            return (backToBack, paced100, paced200, asks);
        }
        finally
        {
            await waiter.StopAsync();
            await system.Terminate();
        }
    }

    // 1/perSecond s yielding the core at every turn: long enough for a CPU thread with a fixed 50 µs poll to go to sleep.
    private static void Pause(int perSecond)
    {
        var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / perSecond);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.Yield();
        }
    }
}
