namespace Akka.Kthreads.Cluster;

/// <summary>
/// Every message of the cluster library that crosses the network or is persisted: bound to
/// <see cref="Serialization.ClusterKthreadsSerializer"/> in kthreads-cluster.conf, never the default JSON.
/// </summary>
public interface IClusterKthreadsMessage;

/// <summary>A message for one CPU's entity: the shard extractor routes it by <see cref="Cpu"/> (entity id = shard id).</summary>
public interface IWithCpu
{
    /// <summary>The cluster-wide CPU the message is for.</summary>
    int Cpu { get; }
}
