using Akka.Configuration;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// What every kps cluster node shares (system name, loopback, ask timeout), and the config of the kps client
/// that asks a node without joining; a node's own options are <see cref="ClusterNodeConfig"/>.
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
}
