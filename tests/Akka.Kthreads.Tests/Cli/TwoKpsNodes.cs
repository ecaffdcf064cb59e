using Akka.Kthreads.Cli.Cluster;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// Two kps nodes of one cluster in this process (127.0.0.1, free ports, 2 cluster CPUs, one store),
/// shared by the specs of a class that act on a thread of one node through the other; crashed at the end.
/// </summary>
public sealed class TwoKpsNodes : IAsyncLifetime
{
    private static readonly TimeSpan UpBound = TimeSpan.FromSeconds(60);

    private readonly string _db = Path.Combine(Path.GetTempPath(), $"kps-two-nodes-{Guid.NewGuid():N}.db");
    private readonly List<KpsClusterNode> _started = [];

    /// <summary>The first node, the one kps is pointed at (--seeds).</summary>
    internal KpsClusterNode Node1 => _started[0];

    /// <summary>The second node, where the specs' threads live.</summary>
    internal KpsClusterNode Node2 => _started[1];

    /// <summary>"--seeds 127.0.0.1:port" of node 1.</summary>
    internal string Seeds => $"--seeds 127.0.0.1:{Node1.Address.Port}";

    /// <summary>Starts both nodes and waits until both are Up members.</summary>
    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "node1", "node2" })
        {
            _started.Add(await KpsClusterNode.StartAsync(name, new ClusterNodeConfig(ClusterConfig.Loopback, 0, 2, _db), CancellationToken.None));
        }

        var up = Task.WhenAll(_started.Select(n => n.WhenUpAsync()));
        Node1.Join([Node1.Address]);
        Node2.Join([Node1.Address]);
        await up.WaitAsync(UpBound);
    }

    /// <summary>Both crashed (no leave: nothing to hand off), their hosts disposed, then the store deleted.</summary>
    public async Task DisposeAsync()
    {
        await Task.WhenAll(_started.Select(n => n.CrashAsync())).WaitAsync(UpBound);
        await Task.WhenAll(_started.Select(n => n.DisposeAsync().AsTask())).WaitAsync(UpBound);
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            File.Delete(file);
        }
    }
}
