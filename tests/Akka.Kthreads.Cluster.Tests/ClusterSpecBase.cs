using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// Real clusters in one process: the TestKit's system is node 1, more nodes are ActorSystems made from
/// its config (127.0.0.1, port 0), all on one fresh SQLite file, with Akka's split-brain resolver.
/// </summary>
public abstract class ClusterSpecBase : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>An entity stopped by hand starts again only when something is sent to it: no keep-alive, no restart backoff.</summary>
    protected const string NoRestarts = """
        akka.cluster.sharding.entity-restart-backoff = 1h
        kthreads.cluster.keep-alive-interval = 1h

        """;

    private readonly List<ActorSystem> _extra = [];
    private int _started;

    protected ClusterSpecBase(ITestOutputHelper output, int cpus = 4, string extraConfig = "")
        : base(ConfigurationFactory.ParseString(extraConfig).WithFallback(NodeConfig(cpus)), "kthreads", output)
    {
        Node1 = StartNode(Sys, "[node1]", join: Sys);
    }

    protected ClusterNode Node1 { get; }

    protected int Cpus => Node1.Cluster.Settings.Cpus;

    /// <summary>Every node started by the spec and not stopped, node 1 first.</summary>
    protected List<ClusterNode> Nodes { get; } = [];

    /// <summary>The running nodes now (a copy, safe to read while nodes come and go).</summary>
    protected IReadOnlyList<ClusterNode> Running()
    {
        lock (Nodes)
        {
            return Nodes.ToArray();
        }
    }

    /// <summary>The events of <paramref name="persistenceId"/> still in the journal (not deleted by a snapshot).</summary>
    protected long JournalRows(string persistenceId)
    {
        var file = Sys.Settings.Config.GetString("kthreads.cluster.store.sqlite-file");
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = $id AND deleted = 0";
        count.Parameters.AddWithValue("$id", persistenceId);
        return (long)count.ExecuteScalar()!;
    }

    /// <summary>
    /// Holds every cpu_down on <paramref name="node"/> in a teardown until <paramref name="release"/> completes (each
    /// one times out at callback-timeout and the CPU rolls forward), counting the tries per CPU in <paramref name="tries"/>.
    /// </summary>
    protected static async Task HoldDownsAsync(ClusterNode node, Task<int> release, System.Collections.Concurrent.ConcurrentDictionary<int, int>? tries = null) =>
        Assert.True(await node.Kthreads.Cpus.SetupStateAsync("spec/held:online", _ => Task.FromResult(0), cpu =>
        {
            tries?.AddOrUpdate(cpu, 1, (_, n) => n + 1);
            return release;
        }) >= 0);

    /// <summary>A probe that gets every log event of level <typeparamref name="T"/> of <paramref name="system"/> from now on.</summary>
    protected Akka.TestKit.TestProbe LogsOf<T>(ActorSystem system)
        where T : Akka.Event.LogEvent
    {
        var logs = CreateTestProbe();
        system.EventStream.Subscribe(logs.Ref, typeof(T));
        return logs;
    }

    /// <summary>Awaits a log event of level <typeparamref name="T"/> on <paramref name="logs"/> whose message starts with <paramref name="prefix"/>.</summary>
    protected static Task ExpectLogAsync<T>(Akka.TestKit.TestProbe logs, string prefix, TimeSpan within)
        where T : Akka.Event.LogEvent =>
        logs.FishForMessageAsync(m => m is T e && e.Message.ToString()!.StartsWith(prefix, StringComparison.Ordinal), within).AsTask();

    /// <summary>Samples every running node's online CPUs until disposed; assert its Violations are empty.</summary>
    protected OnlineSampler WatchOnline() => new(Running);

    private static Config NodeConfig(int cpus)
    {
        // A folder of its own: once it is deleted, a late connection cannot leave an empty file behind.
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"kthreads-cluster-spec-{Guid.NewGuid():N}"));
        var db = Path.Combine(folder.FullName, "store.db");
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = INFO
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster {
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver { active-strategy = keep-majority, stable-after = 2s }
              failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
              sharding.rebalance-interval = 500ms
              min-nr-of-members = 1
            }
            kthreads {
              ask-timeout = 20s
              kthread.stop-timeout = 5s
              kthread.park-timeout = 5s
              worker.flush-timeout = 5s
              cluster {
                cpus = {{cpus}}
                ask-timeout = 20s
                store.sqlite-file = "{{db.Replace("\\", "/", StringComparison.Ordinal)}}"
              }
            }
            """);
    }

    /// <summary>Starts another node of this cluster and joins it through node 1.</summary>
    /// <param name="crashOnTerminate">Terminating it is a crash (no leave), as a killed process.</param>
    protected ClusterNode StartNode(bool crashOnTerminate = false)
    {
        var config = crashOnTerminate
            ? ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off").WithFallback(Sys.Settings.Config)
            : Sys.Settings.Config;
        var system = ActorSystem.Create("kthreads", config);
        _extra.Add(system);
        return StartNode(system, $"[node{_started + 1}]", join: Sys);
    }

    private ClusterNode StartNode(ActorSystem system, string name, ActorSystem join)
    {
        if (!ReferenceEquals(system, Sys))
        {
            // The TestKit's own system logs to the test output already.
            InitializeLogger(system, name + " ");
        }

        _started++;
        var node = new ClusterNode(name, system, ClusterKthreads.Get(system));
        Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(join).SelfAddress);
        lock (Nodes)
        {
            Nodes.Add(node);
        }

        return node;
    }

    /// <summary>Starts another node and awaits until every running node sees all of them Up and the CPUs settled.</summary>
    protected async Task<ClusterNode> StartSettledAsync()
    {
        var node = StartNode();
        await AwaitMembersAsync(Running().Count);
        await AwaitSettledAsync();
        return node;
    }

    /// <summary>Awaits until the Up members seen by every running node are exactly <paramref name="count"/>.</summary>
    protected Task AwaitMembersAsync(int count) =>
        AwaitAssertAsync(() =>
        {
            foreach (var node in Running())
            {
                var up = Akka.Cluster.Cluster.Get(node.System).State.Members.Count(m => m.Status == MemberStatus.Up);
                Assert.Equal(count, up);
            }
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

    /// <summary>
    /// Awaits until every cluster CPU is online on exactly one running node, the per-node counts differ by at most one
    /// (settled), and sharding's placement agrees with each node's Cpus.Online.
    /// </summary>
    protected Task AwaitSettledAsync(TimeSpan? within = null) =>
        AwaitAssertAsync(async () =>
        {
            var nodes = Running();
            var online = nodes.Select(n => n.Kthreads.Cpus.Online.ToArray()).ToArray();
            Assert.Equal(Enumerable.Range(0, Cpus), online.SelectMany(o => o).Order());
            Assert.True(online.Max(o => o.Length) - online.Min(o => o.Length) <= 1,
                $"not settled: {string.Join(" | ", nodes.Select((n, i) => $"{n.Name} {string.Join(",", online[i])}"))}");
            var placement = await Node1Alive.Cluster.PlacementAsync();
            foreach (var (node, cpus) in nodes.Zip(online))
            {
                Assert.Equal(cpus, placement.Where(p => p.Value.Equals(node.Cluster.SelfAddress)).Select(p => p.Key).Order());
            }
        }, within ?? TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));

    /// <summary>
    /// Awaits until no running node has a CPU entity still coming up or handing off: a CPU is in Online (and so settled)
    /// before its entity has finished its cpu_up, and a cluster-wide stop_machine meanwhile answers -EBUSY.
    /// </summary>
    protected Task AwaitNoTransitionAsync() =>
        AwaitAssertAsync(() => Assert.All(Running(), n => Assert.True(n.Cluster.Store.InTransition == 0,
            $"{n.Name}: {n.Cluster.Store.InTransition} CPU entities still coming up or handing off")),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

    /// <summary>The first running node (node 1 unless it was stopped).</summary>
    protected ClusterNode Node1Alive => Running()[0];

    /// <summary>Leaves gracefully (CoordinatedShutdown: the CPUs are handed off first) and awaits the system's end.</summary>
    protected async Task LeaveAsync(ClusterNode node)
    {
        // Watched until it has ended: its CPUs go down there before they come up elsewhere.
        await CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await node.System.WhenTerminated;
        lock (Nodes)
        {
            Nodes.Remove(node);
        }
    }

    /// <summary>Stops a node without leaving (its system was made with crashOnTerminate): the survivors' SBR downs it.</summary>
    protected async Task CrashAsync(ClusterNode node)
    {
        // A crashed node runs nothing, though its own mask still lists the CPUs it had.
        lock (Nodes)
        {
            Nodes.Remove(node);
        }

        await node.System.Terminate();
    }

    protected override void AfterAll()
    {
        // Bounded: a node that will not end must not hang the suite.
        Task.WhenAll(_extra.Select(s => s.Terminate())).Wait(TimeSpan.FromSeconds(30));
        var db = Sys.Settings.Config.GetString("kthreads.cluster.store.sqlite-file");
        base.AfterAll();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path.GetDirectoryName(db)!, recursive: true);
        }
        catch (IOException)
        {
            // A file still open somewhere stays in the temp folder; it is never read again.
        }
    }
}

/// <summary>One node of a spec's cluster.</summary>
public sealed record ClusterNode(string Name, ActorSystem System, ClusterKthreads Cluster)
{
    public Kthreads Kthreads => Cluster.Kthreads;
}
