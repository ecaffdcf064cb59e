using System.Globalization;
using Akka.Cluster.Sharding;

namespace Akka.Kthreads.Cluster.Internal;

/// <summary>INTERNAL API. Entity id = shard id = the CPU number, read from <see cref="IWithCpu"/>.</summary>
/// <remarks>
/// A CPU outside 0..cpus-1 (sent by hand or off the wire) has no id, so sharding drops the message with a warning:
/// an entity made for it could never come up, and would stay "in transition" for good (remember-entities restarts it).
/// </remarks>
internal sealed class CpuMessageExtractor(int cpus) : IMessageExtractor
{
    public string? EntityId(object message) =>
        message is IWithCpu m && m.Cpu >= 0 && m.Cpu < cpus ? m.Cpu.ToString(CultureInfo.InvariantCulture) : null;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message);

    public string ShardId(string entityId, object? messageHint = null) => entityId;
}
