using Akka.Actor;
using Akka.Configuration;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// One kps cluster node: an ActorSystem named "kthreads" with ClusterKthreads (got before Kthreads,
/// so its CPUs are the cluster's) and counter/N registered, not yet a member until it joins.
/// </summary>
internal sealed class KpsClusterNode
{
    private KpsClusterNode(string name, ActorSystem system, ClusterKthreads cluster)
    {
        Name = name;
        System = system;
        Cluster = cluster;
    }

    /// <summary>"node2": how kps cluster names it.</summary>
    public string Name { get; }

    public ActorSystem System { get; }

    public ClusterKthreads Cluster { get; }

    public Address Address => Cluster.SelfAddress;

    /// <summary>"node2 (127.0.0.1:40321)".</summary>
    public override string ToString() => $"{Name} ({Address.Host}:{Address.Port})";

    /// <summary>Starts the system, gets ClusterKthreads then registers counter/N; a failure terminates the system.</summary>
    public static async Task<KpsClusterNode> StartAsync(string name, Config config, CancellationToken ct)
    {
        var system = ActorSystem.Create(ClusterConfig.SystemName, config);
        try
        {
            // kernel: smpboot_register_percpu_thread() at boot; the threads come as sharding brings CPUs up here.
            var cluster = ClusterKthreads.Get(system);
            var registered = await cluster.Kthreads.PerCpuThreads.RegisterAsync(CounterThread.Spec(), ct).ConfigureAwait(false);
            DemoStep.Expect(registered == 0, $"RegisterAsync({CounterThread.Comm}) on {name} returned {ExitCodes.Describe(registered)}, not 0");
            return new KpsClusterNode(name, system, cluster);
        }
        catch
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
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

    /// <summary>A graceful leave: CoordinatedShutdown hands the CPUs off (their states saved after they parked), then the system ends.</summary>
    public Task LeaveAsync() => CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);

    /// <summary>A crash, as a killed process: the system ends without leaving (its config has run-by-actor-system-terminate off).</summary>
    public Task CrashAsync() => System.Terminate();
}
