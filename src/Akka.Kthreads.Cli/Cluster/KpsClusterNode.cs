using Akka.Actor;
using Akka.Kthreads.Cli.Node;
using Akka.Kthreads.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// One kps cluster node: a host whose ActorSystem is named "kthreads", with ClusterKthreads (started before Kthreads,
/// so its CPUs are the cluster's) and counter/N registered, not yet a member until it joins.
/// </summary>
internal sealed class KpsClusterNode : IAsyncDisposable
{
    private readonly KpsHost _host;

    private KpsClusterNode(string name, KpsHost host)
    {
        Name = name;
        _host = host;
        Cluster = host.Services.GetRequiredService<ClusterKthreads>();
    }

    /// <summary>"node2": how kps cluster names it.</summary>
    public string Name { get; }

    public ActorSystem System => _host.System;

    public ClusterKthreads Cluster { get; }

    public Address Address => Cluster.SelfAddress;

    /// <summary>"node2 (127.0.0.1:40321)".</summary>
    public override string ToString() => $"{Name} ({Address.Host}:{Address.Port})";

    /// <summary>Starts the host: ClusterKthreads, then Kthreads with counter/N registered; a failure stops and disposes it.</summary>
    /// <param name="name">How kps names the node.</param>
    /// <param name="config">The node's options.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <param name="logging">More logging providers, beside the console (the specs add theirs).</param>
    public static async Task<KpsClusterNode> StartAsync(string name, ClusterNodeConfig config, CancellationToken ct, Action<ILoggingBuilder>? logging = null)
    {
        var host = await KpsHost.StartAsync(ClusterConfig.SystemName, config.LogLevel, config.Configure, ct, logging).ConfigureAwait(false);
        return new KpsClusterNode(name, host);
    }

    /// <summary>Joins the cluster through <paramref name="seeds"/> (its own address alone: a new cluster).</summary>
    public void Join(IReadOnlyList<Address> seeds) => Akka.Cluster.Cluster.Get(System).JoinSeedNodes(seeds);

    /// <summary>Completes once this node is an Up member.</summary>
    public Task WhenUpAsync()
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(System).RegisterOnMemberUp(() => up.TrySetResult());
        return up.Task;
    }

    /// <summary>
    /// A graceful leave, the host's stop: CoordinatedShutdown hands the CPUs off (their states saved after they parked),
    /// then the hosting extension stops the node's threads and the system ends.
    /// </summary>
    /// <exception cref="TimeoutException">The system did not end within <paramref name="bound"/>.</exception>
    public Task LeaveAsync(TimeSpan bound) => _host.StopAsync(bound);

    /// <summary>A crash, as a killed process: the system ends without leaving (its config has run-by-actor-system-terminate off).</summary>
    public Task CrashAsync() => System.Terminate();

    /// <summary>Stops the host if it still runs (a leave), then disposes it; after a leave or a crash only the dispose is left.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
