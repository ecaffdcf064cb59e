using System.Diagnostics;
using static Akka.Kthreads.Benchmarks.Latency;
using Akka.Actor;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// stop_machine's call → fn running, which BenchmarkDotNet cannot take apart from call → return:
/// a benchmark ends when its task does, and the next call waits for this one's EXIT anyway.
/// </summary>
/// <remarks>
/// Stopwatch figures, one call at a time on idle CPUs and under <see cref="CheckpointLoad"/>, each beside one
/// baseline (one Ask to every CPU actor; which goes first alternates) so both see the same noise;
/// fn reads the clock itself. A random 0–9 ms pause before each pair spreads the calls over the
/// load's 10 ms tick cycle: back to back, 200 calls would all fall in one quiet gap between ticks.
/// </remarks>
internal static class StopMachineFigures
{
    private const int Warmup = 20;
    private const int Seed = 8; // fixed: every run pauses the same way

    /// <summary>Times <paramref name="runs"/> calls (after a warm-up) and writes median and p95 beside the baseline's as a markdown table.</summary>
    /// <param name="runs">Calls timed.</param>
    /// <param name="output">Where the table goes.</param>
    /// <param name="loaded">With <see cref="CheckpointLoad"/> running; without, the CPUs are idle, so each call finds their threads asleep.</param>
    public static async Task RunAsync(int runs, TextWriter output, bool loaded)
    {
        var system = Systems.Start("stop-machine-figures", CheckpointLoad.Cpus);
        var kthreads = Kthreads.Get(system);
        var cpuActors = kthreads.CpuActors;
        var load = loaded ? await CheckpointLoad.StartAsync(system) : null;
        var toFn = new double[runs];
        var toReturn = new double[runs];
        var asks = new double[runs];
        var wakes = new double[runs];
        var fnToReturn = new double[runs];
        var handBacks = new double[runs];
        // A CPU thread of no CPU, the library's own kind: how long a sleeping one takes to run what is posted to it.
        var sleeper = new CpuThread(-1, static e => throw e, HaltPoll.Fixed(CpuThread.DefaultIdlePoll));
        var pauses = new Random(Seed);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var checkpointsBefore = CheckpointLoad.Checkpoints;
        var wall = Stopwatch.StartNew();
        try
        {
            for (var i = -Warmup; i < runs; i++)
            {
                await Task.Delay(pauses.Next(10));
                // The pause may have let the pool's threads go idle: wake them before timing anything.
                await AskEveryCpuAsync(cpuActors);
                double ask, fn, ret;
                if (i % 2 == 0)
                {
                    ask = await AskEveryCpuAsync(cpuActors);
                    (fn, ret) = await StopMachineAsync(kthreads.StopMachine);
                }
                else
                {
                    (fn, ret) = await StopMachineAsync(kthreads.StopMachine);
                    ask = await AskEveryCpuAsync(cpuActors);
                }

                // Last, so its thread has slept since the previous call, as the CPUs' threads had.
                var (wake, handBack) = await WakeAsync(sleeper);
                if (i >= 0)
                {
                    wakes[i] = wake;
                    handBacks[i] = handBack;
                    fnToReturn[i] = ret - fn;
                    asks[i] = ask;
                    toFn[i] = fn;
                    toReturn[i] = ret;
                }
            }

            wall.Stop();
            process.Refresh();
            var busy = (process.TotalProcessorTime - cpuBefore).TotalSeconds / wall.Elapsed.TotalSeconds / Environment.ProcessorCount;
            var allocated = (GC.GetTotalAllocatedBytes() - allocatedBefore) / wall.Elapsed.TotalSeconds;
            var checkpoints = (CheckpointLoad.Checkpoints - checkpointsBefore) / wall.Elapsed.TotalSeconds;

            output.WriteLine(loaded
                ? $"## stop_machine over {CheckpointLoad.Cpus} CPUs, {CheckpointLoad.Threads:N0} kthreads at checkpoints (each: sleep 1 ms, {CheckpointLoad.Burst} checkpoints), {runs} cold calls ({Environment.ProcessorCount} cores)"
                : $"## stop_machine over {CheckpointLoad.Cpus} idle CPUs, {runs} cold calls ({Environment.ProcessorCount} cores)");
            output.WriteLine();
            output.WriteLine("| figure | median | p95 | baseline median (one Ask to every CPU actor) | baseline p95 | ratio of medians |");
            output.WriteLine("|---|---|---|---|---|---|");
            Row(output, "call → fn running", toFn, asks);
            Row(output, "call → return", toReturn, asks);
            Row(output, "the floor under a cold call: post → running on a CPU thread that slept", wakes, asks);
            Row(output, "fn running → return", fnToReturn, asks);
            Row(output, "the floor under it: a CPU thread completes a task → its awaiting caller runs on the pool", handBacks, asks);
            output.WriteLine($"| process busy while measuring | {busy:P0} of {Environment.ProcessorCount} cores, {checkpoints:N0} checkpoints/s, {allocated / 1e6:F1} MB/s allocated, {Process.GetCurrentProcess().Threads.Count} OS threads | | | | |");
            output.WriteLine();
        }
        finally
        {
            sleeper.Close();
            if (load is not null)
            {
                await load.StopAsync();
            }

            await system.Terminate();
        }
    }

    private static async Task<double> AskEveryCpuAsync(IReadOnlyList<IActorRef> cpuActors)
    {
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(cpuActors.Select(a => a.Ask<ActorIdentity>(new Identify(null), Systems.AskTimeout)));
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    // Post → running on the CPU thread, and the way back: that thread completes the caller's task, as the CPU thread
    // that ends a stop_machine does, and the caller's continuation waits for a pool thread (never runs on the CPU's).
    private static async Task<(double Wake, double HandBack)> WakeAsync(CpuThread thread)
    {
        var ran = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        thread.TryPost(static s => ((TaskCompletionSource<long>)s!).SetResult(Stopwatch.GetTimestamp()), ran);
        var ranAt = await ran.Task;
        var back = Stopwatch.GetTimestamp();
        return (Stopwatch.GetElapsedTime(start, ranAt).TotalMicroseconds, Stopwatch.GetElapsedTime(ranAt, back).TotalMicroseconds);
    }

    private static async Task<(double ToFn, double ToReturn)> StopMachineAsync(StopMachine stopMachine)
    {
        var ranAt = 0L;
        var start = Stopwatch.GetTimestamp();
        var result = await stopMachine.RunAsync(_ =>
        {
            ranAt = Stopwatch.GetTimestamp();
            return 0;
        });
        var end = Stopwatch.GetTimestamp();
        if (result != 0)
        {
            throw new InvalidOperationException($"stop_machine returned {result}");
        }

        return (Stopwatch.GetElapsedTime(start, ranAt).TotalMicroseconds, Stopwatch.GetElapsedTime(start, end).TotalMicroseconds);
    }

    private static void Row(TextWriter output, string figure, double[] measured, double[] baseline)
    {
        var median = Percentile(measured, 0.5);
        var baseMedian = Percentile(baseline, 0.5);
        output.WriteLine($"| {figure} | {Format(median)} | {Format(Percentile(measured, 0.95))} | {Format(baseMedian)} | {Format(Percentile(baseline, 0.95))} | {median / baseMedian:F2}x |");
    }
}
