using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Kthreads.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.Logging;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// One kps cluster node as Akka.Hosting options: loopback by default, split-brain resolver keep-majority, fast failure
/// detection, counter/N registered on every node at startup; HOCON only for what no option covers.
/// </summary>
/// <param name="Host">The hostname it binds and is known by.</param>
/// <param name="Port">Its port; 0 picks a free one (the in-process cluster).</param>
/// <param name="Cpus">kthreads.cluster.cpus: every node of the cluster must say the same.</param>
/// <param name="Db">The SQLite file every node of the cluster shares.</param>
/// <param name="CrashOnTerminate">
/// Terminate() is a crash, no leave: CoordinatedShutdown does not run, neither then nor when the node is downed.
/// </param>
/// <param name="LogLevel">The lowest level logged (to stderr); None for no logs.</param>
internal sealed record ClusterNodeConfig(string Host, int Port, int Cpus, string Db, bool CrashOnTerminate = false, LogLevel LogLevel = LogLevel.Warning)
{
    // The failure detector's pause + heartbeat, then the resolver's stable-after: a crashed node is downed in ~5 s.
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan AcceptableHeartbeatPause = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RebalanceInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan KthreadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Configures the node's ActorSystem: remoting and clustering, the cluster's CPUs and store, the node's kthreads.</summary>
    public void Configure(AkkaConfigurationBuilder builder)
    {
        builder
            .WithKthreadsCluster(new ClusterKthreadsOptions
            {
                Cpus = Cpus,
                AskTimeout = ClusterConfig.NodeAskTimeout,
                SqliteFile = Db,
                RebalanceInterval = RebalanceInterval,
                Remoting = new RemoteOptions { HostName = Host, Port = Port },

                // No seed nodes: kps joins each node itself once it has started, so counter/N is registered before any CPU comes.
                Clustering = new ClusterOptions
                {
                    MinimumNumberOfMembers = 1,
                    SplitBrainResolver = new KeepMajorityOption(),
                    FailureDetector = new PhiAccrualFailureDetectorOptions
                    {
                        HeartbeatInterval = HeartbeatInterval,
                        AcceptableHeartbeatPause = AcceptableHeartbeatPause,
                    },
                },
            })
            .WithKthreads(new KthreadsOptions
            {
                StopTimeout = KthreadTimeout,
                ParkTimeout = KthreadTimeout,

                // kernel: smpboot_register_percpu_thread() at boot; a new spec per node, as RegisterAsync keys specs by reference.
                PerCpuThreads = { CounterThread.Spec() },
            })
            .AddHocon(Hocon(), HoconAddMode.Prepend);
    }

    // No option has these. KeepMajorityOption has no stable-after (20 s by default). A crash runs nothing, as a killed
    // process: neither Terminate() nor the cluster daemon stopping with the system may start CoordinatedShutdown (the
    // daemon would start it with ClusterDowningReason, for which Akka.Hosting sets Environment.ExitCode to -1).
    private Config Hocon() => ConfigurationFactory.ParseString($$"""
        akka {
          cluster.split-brain-resolver.stable-after = 2s
          coordinated-shutdown.run-by-actor-system-terminate = {{(CrashOnTerminate ? "off" : "on")}}
          cluster.run-coordinated-shutdown-when-down = {{(CrashOnTerminate ? "off" : "on")}}
        }
        """);
}
