using System.Diagnostics;
using Akka.Actor;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// Figures BenchmarkDotNet does not take: bytes per parked kthread vs per idle actor
/// (GC.GetTotalMemory deltas), the time to create N parked kthreads, and the OS thread count.
/// </summary>
internal static class ScaleFigures
{
    // In flight at once: enough to keep both cores busy, few enough that a million-thread heap's
    // GC pauses do not push single asks past their timeout.
    private const int Batch = 2_000;

    public static async Task RunAsync(int count, TextWriter output)
    {
        output.WriteLine($"## Scale: {count:N0} of each ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
        output.WriteLine();
        output.WriteLine("| figure | kthreads | raw Akka baseline | ratio |");
        output.WriteLine("|---|---|---|---|");

        var actorBytes = await MeasureAsync(count, async system =>
        {
            // Each has handled one Ask, as each kthread below has run.
            await InBatchesAsync(count, _ => system.ActorOf(Echo.Props).Ask<int>(1, Systems.AskTimeout));
        });

        var osThreadsBefore = Process.GetCurrentProcess().Threads.Count;
        var stopwatch = new Stopwatch();
        var osThreadsAfter = 0;
        var parkedBytes = await MeasureAsync(count, async system =>
        {
            var kthreads = Kthreads.Get(system);
            stopwatch.Start();
            await CreateParkedAsync(kthreads, count);
            stopwatch.Stop();
            osThreadsAfter = Process.GetCurrentProcess().Threads.Count;
        });

        var ranBytes = await MeasureAsync(count, async system =>
        {
            var kthreads = Kthreads.Get(system);
            await InBatchesAsync(count, async _ =>
            {
                var thread = await kthreads.RunAsync(Systems.Parkable, null, "ran");
                await thread.ParkAsync();
            });
        });

        output.WriteLine($"| bytes per parked kthread (created parked, CreateOnCpu) | {parkedBytes:N0} | {actorBytes:N0} per idle actor that handled one Ask | {parkedBytes / actorBytes:F2}x |");
        output.WriteLine($"| bytes per parked kthread (ran, then parked) | {ranBytes:N0} | {actorBytes:N0} per idle actor that handled one Ask | {ranBytes / actorBytes:F2}x |");
        output.WriteLine($"| time to create {count:N0} parked kthreads | {stopwatch.Elapsed.TotalSeconds:F2} s | | |");
        output.WriteLine($"| OS threads before / after | {osThreadsBefore} / {osThreadsAfter} | | |");
        output.WriteLine();
    }

    private static async Task CreateParkedAsync(Kthreads kthreads, int count)
    {
        var cpus = kthreads.Cpus.Possible.Count;
        await InBatchesAsync(count, i => kthreads.CreateOnCpuAsync(Systems.Parkable, null, i % cpus, "kworker/{0}"));
    }

    private static async Task InBatchesAsync(int count, Func<int, Task> one)
    {
        for (var start = 0; start < count; start += Batch)
        {
            var batch = new Task[Math.Min(Batch, count - start)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = one(start + i);
            }

            await Task.WhenAll(batch);
        }
    }

    /// <summary>Bytes per item: the managed heap after making <paramref name="count"/> items, less before, over count.</summary>
    private static async Task<double> MeasureAsync(int count, Func<ActorSystem, Task> make)
    {
        var system = Systems.Start("scale");
        // Warm the system's own one-off allocations (extension, kthreadd, scheduler) before measuring.
        var kthreads = Kthreads.Get(system);
        var warm = await kthreads.CreateAsync(Systems.ReturnAtOnce, null, "warm");
        await warm.StopAsync();
        system.ActorOf(Echo.Props).Tell(PoisonPill.Instance);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        await make(system);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(system);
        await system.Terminate();
        await system.WhenTerminated;
        return (after - before) / (double)count;
    }
}
