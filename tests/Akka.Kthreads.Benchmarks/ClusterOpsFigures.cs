using System.Diagnostics;
using Akka.Actor;
using Akka.Kthreads.Cluster;
using static Akka.Kthreads.Benchmarks.Latency;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// Operating threads across nodes: a remote park + unpark (<c>ParkAsync</c> then <c>UnparkAsync</c> from
/// node A of a thread on node B) beside two sequential remote Asks from A to a plain echo actor on B
/// (target: library ≤ 1.5x raw); and the cluster-wide stop_machine over 3 nodes, call → return, beside
/// one remote Ask to each CPU entity in flight together (target: library ≤ 3x raw).
/// </summary>
/// <remarks>
/// Stopwatch figures. Each round is a new cluster on a fresh SQLite file, settled (every CPU online
/// somewhere, the same count on each node, for a whole rebalance round) before anything is timed; both
/// sides run in that one cluster, call by call, which goes first alternating, after a warm-up.
/// The medians and p95s are over every timed call of every round.
/// </remarks>
internal static class ClusterOpsFigures
{
    private const int Rounds = 3;
    private const int Warmup = 100;
    private const int ParkCalls = 1_000; // per round
    private const int MachineCalls = 200; // per round
    private const int CpusPerNode = 2;

    /// <summary>Runs both figures and writes them as a markdown table.</summary>
    public static async Task RunAsync(TextWriter output)
    {
        var park = new List<double>();
        var asks = new List<double>();
        var machine = new List<double>();
        var cpuAsks = new List<double>();
        var parkRatios = new List<double>();
        var machineRatios = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var (p, a) = await ParkRoundAsync();
            park.AddRange(p);
            asks.AddRange(a);
            parkRatios.Add(Percentile(p, 0.5) / Percentile(a, 0.5));
            var (m, c) = await MachineRoundAsync();
            machine.AddRange(m);
            cpuAsks.AddRange(c);
            machineRatios.Add(Percentile(m, 0.5) / Percentile(c, 0.5));
        }

        output.WriteLine($"## Cluster thread operations: remote park + unpark (2 nodes) and cluster-wide stop_machine (3 nodes, {3 * CpusPerNode} CPUs, idle); {Rounds} rounds of new nodes on a fresh SQLite file, {ParkCalls} / {MachineCalls} calls per round ({Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine("| figure | library | raw Akka (same cluster, same process) | ratio of medians (range over rounds) | target |");
        output.WriteLine("|---|---|---|---|---|");
        Row(output, "remote park + unpark: `ParkAsync` then `UnparkAsync` from node A of a thread on node B (raw: two sequential remote Asks from A to an echo actor on B), median (p95)",
            park, asks, parkRatios, "≤ 1.5x");
        Row(output, $"cluster-wide stop_machine over 3 nodes, {3 * CpusPerNode} CPUs: `StopMachineAsync` call → return from node A (raw: `GetCpuInfo` Asked of every CPU entity, all in flight together), median (p95)",
            machine, cpuAsks, machineRatios, "≤ 3x");
        output.WriteLine();
    }

    private static void Row(TextWriter output, string figure, List<double> library, List<double> raw, List<double> ratios, string target)
    {
        var lib = library.ToArray();
        var baseline = raw.ToArray();
        var ratio = Percentile(lib, 0.5) / Percentile(baseline, 0.5);
        output.WriteLine($"| {figure} | {Format(Percentile(lib, 0.5))} ({Format(Percentile(lib, 0.95))}) | {Format(Percentile(baseline, 0.5))} ({Format(Percentile(baseline, 0.95))}) | {ratio:F2}x ({ratios.Min():F2}x–{ratios.Max():F2}x) | {target} |");
    }

    private static async Task<(double[] Library, double[] Raw)> ParkRoundAsync()
    {
        var db = ClusterNodes.FreshDb();
        var config = ClusterNodes.NodeConfig(db, 2 * CpusPerNode);
        ActorSystem? a = null, b = null;
        try
        {
            a = ClusterNodes.StartNode(config, null, s => ClusterKthreads.Get(s));
            b = ClusterNodes.StartNode(config, a, s => ClusterKthreads.Get(s));
            await SettledAsync([a, b]);

            var clusterA = ClusterKthreads.Get(a);
            var clusterB = ClusterKthreads.Get(b);
            var thread = await clusterB.Kthreads.RunAsync(Systems.Parkable, null, "parkable");
            var id = new ClusterKthreadId(clusterB.SelfAddress, thread.Pid);
            b.ActorOf(Props.Create(() => new Echo()), "echo");
            var echo = await a.ActorSelection(new RootActorPath(clusterB.SelfAddress) / "user" / "echo").ResolveOne(ClusterNodes.Patience);

            var library = new double[ParkCalls];
            var raw = new double[ParkCalls];
            for (var i = -Warmup; i < ParkCalls; i++)
            {
                double lib, ask;
                if ((i & 1) == 0)
                {
                    lib = await ParkUnparkAsync(clusterA, id);
                    ask = await TwoAsksAsync(echo, i);
                }
                else
                {
                    ask = await TwoAsksAsync(echo, i);
                    lib = await ParkUnparkAsync(clusterA, id);
                }

                if (i >= 0)
                {
                    library[i] = lib;
                    raw[i] = ask;
                }
            }

            return (library, raw);
        }
        finally
        {
            await ClusterNodes.StopAllAsync(b, a);
            ClusterNodes.DeleteDb(db);
        }
    }

    private static async Task<double> ParkUnparkAsync(ClusterKthreads cluster, ClusterKthreadId id)
    {
        var start = Stopwatch.GetTimestamp();
        var parked = await cluster.ParkAsync(id);
        var unparked = await cluster.UnparkAsync(id);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        if (parked != 0 || unparked != 0)
        {
            throw new InvalidOperationException($"cluster figures: remote park gave {parked}, unpark {unparked}");
        }

        return elapsed;
    }

    private static async Task<double> TwoAsksAsync(IActorRef echo, int i)
    {
        var start = Stopwatch.GetTimestamp();
        await echo.Ask<int>(i, ClusterNodes.Patience);
        await echo.Ask<int>(i, ClusterNodes.Patience);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static async Task<(double[] Library, double[] Raw)> MachineRoundAsync()
    {
        var db = ClusterNodes.FreshDb();
        var config = ClusterNodes.NodeConfig(db, 3 * CpusPerNode);
        ActorSystem? a = null, b = null, c = null;
        try
        {
            a = ClusterNodes.StartNode(config, null, s => ClusterKthreads.Get(s));
            b = ClusterNodes.StartNode(config, a, s => ClusterKthreads.Get(s));
            c = ClusterNodes.StartNode(config, a, s => ClusterKthreads.Get(s));
            await SettledAsync([a, b, c]);

            var cluster = ClusterKthreads.Get(a);
            var cpus = Enumerable.Range(0, 3 * CpusPerNode).ToArray();
            var library = new double[MachineCalls];
            var raw = new double[MachineCalls];
            for (var i = -Warmup / 5; i < MachineCalls; i++)
            {
                double lib, ask;
                if ((i & 1) == 0)
                {
                    lib = await StopMachineAsync(cluster);
                    ask = await AskEveryCpuAsync(cluster.Region, cpus);
                }
                else
                {
                    ask = await AskEveryCpuAsync(cluster.Region, cpus);
                    lib = await StopMachineAsync(cluster);
                }

                if (i >= 0)
                {
                    library[i] = lib;
                    raw[i] = ask;
                }
            }

            return (library, raw);
        }
        finally
        {
            await ClusterNodes.StopAllAsync(c, b, a);
            ClusterNodes.DeleteDb(db);
        }
    }

    private static async Task<double> StopMachineAsync(ClusterKthreads cluster)
    {
        var ran = 0;
        var start = Stopwatch.GetTimestamp();
        var result = await cluster.StopMachineAsync(_ =>
        {
            ran++;
            return 0;
        });
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        if (result != 0 || ran != 1)
        {
            throw new InvalidOperationException($"cluster figures: stop_machine gave {result}, fn ran {ran} times");
        }

        return elapsed;
    }

    private static async Task<double> AskEveryCpuAsync(IActorRef region, int[] cpus)
    {
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(cpus.Select(cpu => region.Ask<ClusterCpuProtocol.CpuInfo>(new ClusterCpuProtocol.GetCpuInfo(cpu), ClusterNodes.Patience)));
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    // Every member up on every node, CpusPerNode CPUs online on each, held for a whole rebalance round.
    private static Task SettledAsync(ActorSystem[] nodes) =>
        ClusterNodes.UntilAsync(() => Task.FromResult(nodes.All(n =>
            ClusterNodes.UpMembers(n) == nodes.Length
            && ClusterKthreads.Get(n).Kthreads.Cpus.Online.Count == CpusPerNode)), TimeSpan.FromMilliseconds(600), $"{nodes.Length} nodes with {CpusPerNode} CPUs each");

    /// <summary>The raw side of the remote park + unpark: answers every message with itself.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }
}
