using System.Diagnostics;
using Akka.Actor;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// <c>QueueOnCpuAsync</c> items/s (each journaled before it is acknowledged, then taken by the CPU's
/// per-CPU thread) beside a sharded Ask to a persistent entity that persists each message before it
/// replies, on the same store. Target: library ≥ 0.7x the raw throughput.
/// </summary>
/// <remarks>
/// Stopwatch figures on a one-node cluster (a fresh SQLite file per side and round): one CPU / one
/// entity, sequential awaits, then <see cref="InFlight"/> callers at once; a warm-up before each window.
/// Library and raw rounds alternate; the medians of the rounds are printed.
/// </remarks>
internal static class ClusterQueueFigures
{
    private const int Rounds = 5;
    private const int InFlight = 16;
    private const string Comm = "sink/{0}";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    /// <summary>Measures both sides <see cref="Rounds"/> times and writes the medians as a markdown table.</summary>
    public static async Task RunAsync(TextWriter output)
    {
        var library = new List<(double Sequential, double Parallel)>();
        var raw = new List<(double Sequential, double Parallel)>();
        for (var round = 0; round < Rounds; round++)
        {
            if (round % 2 == 0)
            {
                library.Add(await LibraryRoundAsync());
                raw.Add(await RawRoundAsync());
            }
            else
            {
                raw.Add(await RawRoundAsync());
                library.Add(await LibraryRoundAsync());
            }
        }

        output.WriteLine($"## Cluster items: QueueOnCpuAsync to one CPU vs a sharded Ask to a persistent entity that persists each message before it replies, one node, Akka.Persistence.Sql on SQLite; {Window.TotalSeconds:F0} s windows, median of {Rounds} rounds ({Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine("| figure | library | raw sharding + persistence | ratio (throughput) | target |");
        output.WriteLine("|---|---|---|---|---|");
        Row(output, "items/s, sequential awaits", library.Select(r => r.Sequential), raw.Select(r => r.Sequential));
        Row(output, $"items/s, {InFlight} in flight", library.Select(r => r.Parallel), raw.Select(r => r.Parallel));
        output.WriteLine();
    }

    private static void Row(TextWriter output, string figure, IEnumerable<double> library, IEnumerable<double> raw)
    {
        var lib = Latency.Percentile(library.ToArray(), 0.5);
        var baseline = Latency.Percentile(raw.ToArray(), 0.5);
        output.WriteLine($"| {figure} | {lib:N0} /s ({1e6 / lib:F0} µs each) | {baseline:N0} /s ({1e6 / baseline:F0} µs each) | {lib / baseline:F2}x | ≥ 0.7x |");
    }

    private static async Task<(double Sequential, double Parallel)> LibraryRoundAsync()
    {
        var db = ClusterNodes.FreshDb();
        ActorSystem? system = null;
        try
        {
            long taken = 0;
            var spec = new PerCpuThread(Comm, td => td.PendingItems > 0, async td =>
            {
                // Takes every waiting item: the thread side of the figure, so items do not pile up unread.
                // It saves every 100 items, as a real consumer would: until a save, the CPU keeps what was taken.
                while (td.TryTakeItem(out _))
                {
                    if (Interlocked.Increment(ref taken) % 100 == 0)
                    {
                        td.State = taken;
                        await td.SaveStateAsync();
                    }
                }
            });
            ClusterKthreads cluster = null!;
            system = ClusterNodes.StartNode(ClusterNodes.NodeConfig(db, 1), null, s =>
            {
                cluster = ClusterKthreads.Get(s);
                cluster.Kthreads.PerCpuThreads.RegisterAsync(spec).GetAwaiter().GetResult();
            });
            await ClusterNodes.UntilAsync(() => Task.FromResult(cluster.Kthreads.Cpus.IsOnline(0)), TimeSpan.Zero, "library: cpu 0 online");

            var n = 0;
            Func<Task> queue = () => cluster.QueueOnCpuAsync(0, Comm, $"item {Interlocked.Increment(ref n)}");
            var result = await MeasureAsync(queue);
            if (Interlocked.Read(ref taken) == 0)
            {
                throw new InvalidOperationException("cluster figures: the per-CPU thread took no item");
            }

            return result;
        }
        finally
        {
            await ClusterNodes.StopAllAsync(system);
            ClusterNodes.DeleteDb(db);
        }
    }

    private static async Task<(double Sequential, double Parallel)> RawRoundAsync()
    {
        var db = ClusterNodes.FreshDb();
        ActorSystem? system = null;
        try
        {
            system = ClusterNodes.StartNode(ClusterNodes.NodeConfig(db, 1), null, RawEntity.PrepareSharding);
            var region = RawEntity.StartRegion(system);
            await ClusterNodes.UntilAsync(() => Task.FromResult(ClusterNodes.UpMembers(system) == 1), TimeSpan.Zero, "raw: node up");
            var n = 0;
            Func<Task> put = () => region.Ask<long>(new RawEntity.Put("0", $"item {Interlocked.Increment(ref n)}"), ClusterNodes.Patience);
            return await MeasureAsync(put);
        }
        finally
        {
            await ClusterNodes.StopAllAsync(system);
            ClusterNodes.DeleteDb(db);
        }
    }

    // Items/s over one window of sequential awaits, then over one window with InFlight callers; a warm-up before each.
    private static async Task<(double Sequential, double Parallel)> MeasureAsync(Func<Task> call)
    {
        await WindowAsync(call, 1, Warmup);
        var sequential = await WindowAsync(call, 1, Window);
        await WindowAsync(call, InFlight, Warmup);
        var parallel = await WindowAsync(call, InFlight, Window);
        return (sequential, parallel);
    }

    private static async Task<double> WindowAsync(Func<Task> call, int callers, TimeSpan window)
    {
        var done = 0L;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (clock.Elapsed < window)
            {
                await call();
                Interlocked.Increment(ref done);
            }
        }));
        return done / clock.Elapsed.TotalSeconds;
    }
}
