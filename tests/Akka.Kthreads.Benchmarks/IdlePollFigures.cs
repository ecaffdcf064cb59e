using System.Diagnostics;
using Akka.Actor;
using static Akka.Kthreads.Benchmarks.Latency;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// kthreads.cpus.idle-poll's trade: Completion.Complete until the waiting kthread runs, back to back and one every
/// 200 µs (longer than the default poll, so the CPU's thread has gone to sleep by then), at three polls, beside one
/// Ask of an echo actor paced the same way.
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
    private static readonly string[] Polls = ["0", "50micros", "300micros"];

    /// <summary>Writes one row per poll, as a markdown table.</summary>
    /// <param name="output">Where the table goes.</param>
    public static async Task RunAsync(TextWriter output)
    {
        output.WriteLine($"## kthreads.cpus.idle-poll: Completion.Complete until the waiting kthread runs ({Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine("| idle-poll | back to back: median / p90 | one every 200 µs: median / p90 | baseline: one Ask, one every 200 µs: median / p90 |");
        output.WriteLine("|---|---|---|---|");
        foreach (var poll in Polls)
        {
            var (backToBack, paced, asks) = await MeasureAsync(poll);
            output.WriteLine($"| {poll} | {Format(Percentile(backToBack, 0.5))} / {Format(Percentile(backToBack, 0.9))} | {Format(Percentile(paced, 0.5))} / {Format(Percentile(paced, 0.9))} | {Format(Percentile(asks, 0.5))} / {Format(Percentile(asks, 0.9))} |");
        }

        output.WriteLine();
    }

    private static async Task<(double[] BackToBack, double[] Paced, double[] Asks)> MeasureAsync(string poll)
    {
        var system = Systems.Start("idle-poll", $"kthreads.cpus.idle-poll = {poll}");
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

            // In alternating blocks, so that consecutive wake-ups (and Asks) are 200 µs apart, not 400.
            var paced = new double[Paced];
            var asks = new double[Paced];
            for (var block = 0; block < Paced; block += Block)
            {
                for (var i = block; i < block + Block; i++)
                {
                    Pause();
                    paced[i] = await WakeAsync();
                }

                for (var i = block; i < block + Block; i++)
                {
                    Pause();
                    var start = Stopwatch.GetTimestamp();
                    await echo.Ask<int>(i, Systems.AskTimeout);
                    asks[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }

            return (backToBack, paced, asks);
        }
        finally
        {
            await waiter.StopAsync();
            await system.Terminate();
        }
    }

    // 200 µs yielding the core at every turn: long enough for a CPU thread with the default poll to go to sleep.
    private static void Pause()
    {
        var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 5_000);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.Yield();
        }
    }
}
