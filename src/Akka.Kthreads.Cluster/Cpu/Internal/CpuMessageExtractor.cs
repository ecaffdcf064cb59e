using System.Globalization;
using Akka.Cluster.Sharding;

namespace Akka.Kthreads.Cluster.Internal;

/// <summary>INTERNAL API. Entity id = shard id = the CPU number, read from <see cref="IWithCpu"/>.</summary>
internal sealed class CpuMessageExtractor : IMessageExtractor
{
    public static CpuMessageExtractor Instance { get; } = new();

    public string? EntityId(object message) => message is IWithCpu m ? m.Cpu.ToString(CultureInfo.InvariantCulture) : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
