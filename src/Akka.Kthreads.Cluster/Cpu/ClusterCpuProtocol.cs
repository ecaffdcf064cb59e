using Akka.Actor;

namespace Akka.Kthreads.Cluster;

/// <summary>
/// The messages of a cluster CPU's sharded entity: send them through <see cref="ClusterKthreads.Region"/>
/// (they carry their CPU), and TestKit can drive the entity step by step.
/// </summary>
public static class ClusterCpuProtocol
{
    /// <summary>Starts the CPU's entity if it is not running anywhere (the CPU comes up on the node sharding picks).</summary>
    /// <param name="Cpu">A cluster CPU.</param>
    public sealed record EnsureUp(int Cpu) : IWithCpu, IClusterKthreadsMessage;

    /// <summary>Reply to <see cref="EnsureUp"/>: the CPU is online on <paramref name="Node"/>.</summary>
    /// <param name="Cpu">The CPU.</param>
    /// <param name="Node">The address of the node hosting it.</param>
    public sealed record CpuHosted(int Cpu, Address Node) : IClusterKthreadsMessage;

    /// <summary>Hands <paramref name="Item"/> to the per-CPU thread <paramref name="Comm"/> of <paramref name="Cpu"/>, durably.</summary>
    /// <param name="Cpu">A cluster CPU.</param>
    /// <param name="Comm">The per-CPU thread's name on that CPU ("counter/3").</param>
    /// <param name="Item">Any object Akka serialization can carry.</param>
    public sealed record QueueItem(int Cpu, string Comm, object Item) : IWithCpu, IClusterKthreadsMessage;

    /// <summary>Reply to <see cref="QueueItem"/>: the item is durable with the CPU's state, as number <paramref name="Seq"/> of that CPU.</summary>
    /// <param name="Cpu">The CPU.</param>
    /// <param name="Seq">The item's sequence number on that CPU (arrival order).</param>
    public sealed record ItemQueued(int Cpu, long Seq) : IClusterKthreadsMessage;

    /// <summary>Reply to a request the entity refused.</summary>
    /// <param name="Cpu">The CPU.</param>
    /// <param name="Errno">A negative kernel errno (-EINVAL: malformed).</param>
    /// <param name="Reason">Why, for the log and the exception.</param>
    public sealed record CpuRequestFailed(int Cpu, int Errno, string Reason) : IClusterKthreadsMessage;

    /// <summary>Asks the CPU where it is and what its per-CPU threads hold.</summary>
    /// <param name="Cpu">A cluster CPU.</param>
    public sealed record GetCpuInfo(int Cpu) : IWithCpu, IClusterKthreadsMessage;

    /// <summary>Reply to <see cref="GetCpuInfo"/>.</summary>
    /// <param name="Cpu">The CPU.</param>
    /// <param name="Node">The address of the node hosting it.</param>
    /// <param name="Threads">Its per-CPU threads on that node, by name.</param>
    public sealed record CpuInfo(int Cpu, Address Node, IReadOnlyList<PerCpuInfo> Threads) : IClusterKthreadsMessage;

    /// <summary>One per-CPU thread of a <see cref="CpuInfo"/>.</summary>
    /// <param name="Name">Its name ("counter/3").</param>
    /// <param name="State">Its state's ToString(), or null.</param>
    /// <param name="PendingItems">Items queued to it and not yet taken.</param>
    public sealed record PerCpuInfo(string Name, string? State, int PendingItems);

    /// <summary>kthread_create_on_cpu() by registered function name, on the node that hosts <paramref name="Cpu"/>.</summary>
    /// <param name="Cpu">A cluster CPU.</param>
    /// <param name="Function">A name registered with <c>ClusterKthreads.RegisterFunction</c> on that node.</param>
    /// <param name="Data">Handed to the function as <c>current.Data</c>; goes through Akka serialization.</param>
    /// <param name="NameFormat">The thread's name, "{0}" standing for the cpu.</param>
    public sealed record CreateOnCpu(int Cpu, string Function, object? Data, string NameFormat) : IWithCpu, IClusterKthreadsMessage;

    /// <summary>Reply to <see cref="CreateOnCpu"/>: the thread, parked and bound to the CPU, is <paramref name="Pid"/> on <paramref name="Node"/>.</summary>
    /// <param name="Node">The node hosting the CPU.</param>
    /// <param name="Pid">The new thread's pid there.</param>
    public sealed record ThreadCreated(Address Node, int Pid) : IClusterKthreadsMessage;

    /// <summary>
    /// The hand-off stop message (never PoisonPill): the entity takes its CPU down here (the local
    /// cpu_down), saves every per-CPU thread's state after it parked, and only then stops.
    /// </summary>
    public sealed record HandOff : IClusterKthreadsMessage
    {
        /// <summary>The one instance.</summary>
        public static HandOff Instance { get; } = new();

        private HandOff()
        {
        }
    }
}
