using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Akka.Kthreads.Cluster;
using static Akka.Kthreads.Benchmarks.Latency;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// A graceful leave of a node holding k CPUs, until all k are online on the survivor with their per-CPU
/// threads run there, beside the raw sharding hand-off of k remembered persistent entities until all k
/// answer from the survivor. Target: library ≤ 1.5x raw.
/// </summary>
/// <remarks>
/// Stopwatch figures. Each round is two new nodes on a fresh SQLite file with 2k CPUs (or 2k entities,
/// one shard each), settled at k per node; then the younger node (not the coordinator's) leaves through
/// CoordinatedShutdown with ClusterLeavingReason. The library is seen from the survivor: its CpuOnline
/// events and a per-CPU thread that runs one round each time it comes up on that node. The raw side asks
/// each moved entity for its node every 5 ms (not waiting for the last answer) until the survivor answers.
/// Library and raw rounds alternate.
/// </remarks>
internal static class ClusterHandOffFigures
{
    private const int Rounds = 7;
    private const string Comm = "rounds/{0}";
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(5);

    /// <summary>Runs <see cref="Rounds"/> rounds of each side for k = 4 and k = 16 and writes the medians as a markdown table.</summary>
    public static async Task RunAsync(TextWriter output)
    {
        var rows = new List<string>();
        foreach (var k in new[] { 4, 16 })
        {
            var library = new List<(double Online, double Ran, double Left)>();
            var raw = new List<(double Answered, double Left)>();
            for (var round = 0; round < Rounds; round++)
            {
                // Alternate which side goes first, so both see the same drift of the machine.
                if (round % 2 == 0)
                {
                    library.Add(await LibraryRoundAsync(k));
                    raw.Add(await RawRoundAsync(k));
                }
                else
                {
                    raw.Add(await RawRoundAsync(k));
                    library.Add(await LibraryRoundAsync(k));
                }
            }

            var ran = library.Select(r => r.Ran).ToArray();
            var answered = raw.Select(r => r.Answered).ToArray();
            var ratio = Percentile(ran, 0.5) / Percentile(answered, 0.5);
            rows.Add($"| hand-off of k = {k} on a graceful leave, median (min / max) | {Format(Percentile(ran, 0.5))} ({Format(ran.Min())} / {Format(ran.Max())}) | {Format(Percentile(answered, 0.5))} ({Format(answered.Min())} / {Format(answered.Max())}) | {ratio:F2}x | ≤ 1.5x |");
            rows.Add($"| the same, leave → the k CpuOnline events on the survivor / → the leaving system ended, medians | {Format(Percentile(library.Select(r => r.Online).ToArray(), 0.5))} / {Format(Percentile(library.Select(r => r.Left).ToArray(), 0.5))} | — / {Format(Percentile(raw.Select(r => r.Left).ToArray(), 0.5))} | | |");
        }

        output.WriteLine($"## Cluster hand-off: 2 nodes, 2k CPUs (raw: 2k remembered persistent entities), the node holding k leaves; {Rounds} rounds each, new nodes and a fresh SQLite file per round ({Environment.ProcessorCount} cores)");
        output.WriteLine();
        output.WriteLine("| figure | library (CPUs online + per-CPU thread ran on the survivor) | raw sharding (entities answer from the survivor) | ratio | target |");
        output.WriteLine("|---|---|---|---|---|");
        rows.ForEach(output.WriteLine);
        output.WriteLine();
    }

    private static async Task<(double Online, double Ran, double Left)> LibraryRoundAsync(int k)
    {
        var db = ClusterNodes.FreshDb();
        var config = ClusterNodes.NodeConfig(db, 2 * k);
        ActorSystem? a = null, b = null;
        try
        {
            var probeA = new RoundProbe(2 * k);
            var probeB = new RoundProbe(2 * k);
            a = ClusterNodes.StartNode(config, null, s => probeA.Start(s));
            b = ClusterNodes.StartNode(config, a, s => probeB.Start(s));
            var nodes = new[] { (System: a, Probe: probeA), (System: b, Probe: probeB) };

            // Settled: k online on each, each per-CPU thread has run on its node, for a whole rebalance round.
            await ClusterNodes.UntilAsync(() => Task.FromResult(nodes.All(n =>
                ClusterNodes.UpMembers(n.System) == 2
                && n.Probe.Cpus.Online.Count == k
                && n.Probe.Cpus.Online.All(n.Probe.HasRunHere))), TimeSpan.FromMilliseconds(600), $"library: {k} CPUs on each node");

            var moved = probeB.Cpus.Online.ToArray();
            probeA.Arm(moved);
            var start = Stopwatch.GetTimestamp();
            var left = ClusterNodes.LeaveAsync(b).ContinueWith(_ => Stopwatch.GetElapsedTime(start), TaskScheduler.Default);
            await probeA.AllMoved.WaitAsync(ClusterNodes.Patience);
            var (online, ran) = probeA.Elapsed(start);
            var leftAfter = await left.WaitAsync(ClusterNodes.Patience);
            b = null;
            return (online, ran, leftAfter.TotalMicroseconds);
        }
        finally
        {
            await ClusterNodes.StopAllAsync(b, a);
            ClusterNodes.DeleteDb(db);
        }
    }

    private static async Task<(double Answered, double Left)> RawRoundAsync(int k)
    {
        var db = ClusterNodes.FreshDb();
        var config = ClusterNodes.NodeConfig(db, 2 * k);
        ActorSystem? a = null, b = null;
        try
        {
            a = ClusterNodes.StartNode(config, null, RawEntity.PrepareSharding);
            b = ClusterNodes.StartNode(config, a, RawEntity.PrepareSharding);
            var regionA = RawEntity.StartRegion(a);
            RawEntity.StartRegion(b);
            var addressA = Akka.Cluster.Cluster.Get(a).SelfAddress;
            var addressB = Akka.Cluster.Cluster.Get(b).SelfAddress;
            var ids = Enumerable.Range(0, 2 * k).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var placement = new Address[ids.Length];

            // Settled: every entity answers, k from each node, for a whole rebalance round.
            await ClusterNodes.UntilAsync(async () =>
            {
                if (ClusterNodes.UpMembers(a) != 2 || ClusterNodes.UpMembers(b) != 2)
                {
                    return false;
                }

                try
                {
                    // Short: an ask buffered during a rebalance's hand-off is dropped, so ask again instead of waiting.
                    placement = await Task.WhenAll(ids.Select(id => regionA.Ask<Address>(new RawEntity.Where(id), TimeSpan.FromSeconds(1))));
                }
                catch (AskTimeoutException)
                {
                    return false;
                }

                return placement.Count(p => p.Equals(addressB)) == k && placement.Count(p => p.Equals(addressA)) == k;
            }, TimeSpan.FromMilliseconds(600), $"raw: {k} entities on each node");

            var moved = ids.Where((_, i) => placement[i].Equals(addressB)).ToArray();
            var start = Stopwatch.GetTimestamp();
            var left = ClusterNodes.LeaveAsync(b).ContinueWith(_ => Stopwatch.GetElapsedTime(start), TaskScheduler.Default);
            var answered = await Task.WhenAll(moved.Select(id => AnsweredFromAsync(regionA, id, addressA, start))).WaitAsync(ClusterNodes.Patience);
            var leftAfter = await left.WaitAsync(ClusterNodes.Patience);
            b = null;
            return (answered.Max().TotalMicroseconds, leftAfter.TotalMicroseconds);
        }
        finally
        {
            await ClusterNodes.StopAllAsync(b, a);
            ClusterNodes.DeleteDb(db);
        }
    }

    // A new ask every Pace without waiting for the last (the region drops what it buffered during a hand-off):
    // the time of the first answer from the survivor, to within Pace.
    private static async Task<TimeSpan> AnsweredFromAsync(IActorRef region, string id, Address survivor, long start)
    {
        var answered = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        while (!answered.Task.IsCompleted)
        {
            _ = region.Ask<Address>(new RawEntity.Where(id), TimeSpan.FromSeconds(5)).ContinueWith(
                where =>
                {
                    if (where.IsCompletedSuccessfully && where.Result.Equals(survivor))
                    {
                        answered.TrySetResult(Stopwatch.GetElapsedTime(start));
                    }
                },
                TaskScheduler.Default);
            await Task.WhenAny(answered.Task, Task.Delay(Pace));
        }

        return await answered.Task;
    }

    /// <summary>One node's view: when each CPU came online here and when its per-CPU thread ran a round here.</summary>
    private sealed class RoundProbe(int cpus)
    {
        private readonly bool[] _fresh = new bool[cpus];
        private readonly bool[] _ranHere = new bool[cpus];
        private readonly ConcurrentDictionary<int, long> _onlineAt = new();
        private readonly ConcurrentDictionary<int, long> _ranAt = new();
        private readonly TaskCompletionSource _allMoved = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile int[] _armed = [];

        public Cpus Cpus { get; private set; } = null!;

        public Task AllMoved => _allMoved.Task;

        public bool HasRunHere(int cpu) => Volatile.Read(ref _ranHere[cpu]);

        /// <summary>ClusterKthreads first, then the counting per-CPU thread and the CpuOnline subscriber, before the join.</summary>
        public void Start(ActorSystem system)
        {
            var kthreads = ClusterKthreads.Get(system).Kthreads;
            Cpus = kthreads.Cpus;
            var spec = new PerCpuThread(Comm, td => Volatile.Read(ref _fresh[td.Cpu]), td =>
            {
                // One round: count it in the per-CPU state (which moves with the CPU), and say it ran here.
                Volatile.Write(ref _fresh[td.Cpu], false);
                td.State = Convert.ToInt64(td.State ?? 0L, System.Globalization.CultureInfo.InvariantCulture) + 1;
                Volatile.Write(ref _ranHere[td.Cpu], true);
                Record(_ranAt, td.Cpu);
                return Task.CompletedTask;
            })
            {
                CreateState = _ => 0L,
                Setup = td => Fresh(td.Cpu),
                // Unpark answers a Park (smpboot pairs them): a CPU back on a node that held it runs here again.
                Park = _ => Task.CompletedTask,
                Unpark = td => Fresh(td.Cpu),
            };
            if (kthreads.PerCpuThreads.RegisterAsync(spec).GetAwaiter().GetResult() != 0)
            {
                throw new InvalidOperationException("cluster figures: the per-CPU thread did not register");
            }

            var listener = system.ActorOf(Props.Create(() => new OnlineListener(cpu => Record(_onlineAt, cpu))));
            system.EventStream.Subscribe(listener, typeof(CpuOnline));
        }

        /// <summary>From now on, count the arrival of <paramref name="cpus"/> (they are not online here yet).</summary>
        public void Arm(int[] cpus)
        {
            _onlineAt.Clear();
            _ranAt.Clear();
            _armed = cpus;
        }

        /// <summary>From <paramref name="start"/> until the last CpuOnline and the last thread round of the armed CPUs, in µs.</summary>
        public (double Online, double Ran) Elapsed(long start) =>
            ((_armed.Max(c => _onlineAt[c]) - start) * 1e6 / Stopwatch.Frequency,
             (_armed.Max(c => _ranAt[c]) - start) * 1e6 / Stopwatch.Frequency);

        private Task Fresh(int cpu)
        {
            Volatile.Write(ref _fresh[cpu], true);
            return Task.CompletedTask;
        }

        private void Record(ConcurrentDictionary<int, long> at, int cpu)
        {
            at.TryAdd(cpu, Stopwatch.GetTimestamp());
            var armed = _armed;
            if (armed.Length > 0 && armed.All(c => _onlineAt.ContainsKey(c) && _ranAt.ContainsKey(c)))
            {
                _allMoved.TrySetResult();
            }
        }
    }

    /// <summary>Hands every CpuOnline of its node's event stream to a callback.</summary>
    private sealed class OnlineListener : ReceiveActor
    {
        public OnlineListener(Action<int> online) => Receive<CpuOnline>(e => online(e.Cpu));
    }
}
