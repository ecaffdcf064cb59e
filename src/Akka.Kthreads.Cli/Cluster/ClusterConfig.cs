using System.Globalization;
using Akka.Configuration;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// The config of a kps cluster node (loopback by default, split-brain resolver keep-majority, fast
/// failure detection) and of the kps client that asks a node without joining.
/// </summary>
internal static class ClusterConfig
{
    /// <summary>Every node of a kps cluster has this ActorSystem name: Akka only joins systems of one name.</summary>
    public const string SystemName = "kthreads";

    /// <summary>Where the nodes listen unless told otherwise.</summary>
    public const string Loopback = "127.0.0.1";

    /// <summary>How long a node's own queries (ps, cpus, placement) wait for its peers; the client waits longer.</summary>
    public static readonly TimeSpan NodeAskTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The node's query actor (/system/kthreads-node), from the library's reference config.</summary>
    public static string NodeActorName { get; } = ClusterKthreads.DefaultConfig().GetString("kthreads.cluster.node.actor-name");

    /// <summary>The config of one node.</summary>
    /// <param name="host">The hostname it binds and is known by.</param>
    /// <param name="port">Its port; 0 picks a free one (the in-process cluster).</param>
    /// <param name="cpus">kthreads.cluster.cpus: every node of the cluster must say the same.</param>
    /// <param name="db">The SQLite file every node of the cluster shares.</param>
    /// <param name="crashOnTerminate">Terminate() is a crash, no leave: CoordinatedShutdown does not run.</param>
    /// <param name="logLevel">Akka's log level (its logs go to stdout).</param>
    public static Config Node(string host, int port, int cpus, string db, bool crashOnTerminate = false, string logLevel = "WARNING")
    {
        var hocon = string.Create(CultureInfo.InvariantCulture, $$"""
            akka {
              loglevel = {{logLevel}}
              stdout-loglevel = {{logLevel}}
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-actor-system-terminate = {{(crashOnTerminate ? "off" : "on")}}
              actor.provider = cluster
              remote.dot-netty.tcp { hostname = "{{host}}", port = {{port}} }
              cluster {
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver { active-strategy = keep-majority, stable-after = 2s }
                failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
                sharding.rebalance-interval = 500ms
                min-nr-of-members = 1
              }
            }
            kthreads {
              kthread.stop-timeout = 5s
              kthread.park-timeout = 5s
              cluster {
                cpus = {{cpus}}
                ask-timeout = {{(int)NodeAskTimeout.TotalSeconds}}s
                store.sqlite-file = "{{Escape(db)}}"
              }
            }
            """);
        return ConfigurationFactory.ParseString(hocon).WithFallback(ClusterKthreads.DefaultConfig()).WithFallback(Kthreads.DefaultConfig());
    }

    /// <summary>
    /// The client's config: provider remote, so it can ask a node but never joins (and hosts no CPU);
    /// the library's reference config binds its serializer for the questions and the answers.
    /// </summary>
    /// <param name="host">The hostname it binds: the answers come back to it.</param>
    public static Config Client(string host) =>
        ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = ERROR
              stdout-loglevel = ERROR
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown.exit-clr = off
              actor.provider = remote
              remote.dot-netty.tcp { hostname = "{{host}}", port = 0 }
            }
            """).WithFallback(ClusterKthreads.DefaultConfig());

    private static string Escape(string value) =>
        value.Replace("\\", "/", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
