namespace Akka.Kthreads.Cluster;

/// <summary>
/// The messages of a node's query actor (/system/kthreads-node): what tools such as <c>kps</c> ask
/// one node for, about that node or the whole cluster.
/// </summary>
public static class ClusterNodeProtocol
{
    /// <summary>ps: this node's threads, or (<paramref name="ClusterWide"/>) every Up member's, gathered by this node.</summary>
    /// <param name="ClusterWide">Gather from every member, not only this node.</param>
    public sealed record ListThreads(bool ClusterWide) : IClusterKthreadsMessage;

    /// <summary>Reply to <see cref="ListThreads"/>: rows ordered by node, then pid.</summary>
    /// <param name="Threads">The rows; each names its node.</param>
    /// <param name="Missing">Members that did not answer in time.</param>
    public sealed record ThreadList(IReadOnlyList<KthreadInfo> Threads, IReadOnlyList<string> Missing) : IClusterKthreadsMessage;

    /// <summary>Every cluster CPU: where it is and what its per-CPU threads hold.</summary>
    public sealed record ListCpus : IClusterKthreadsMessage
    {
        /// <summary>The one instance.</summary>
        public static ListCpus Instance { get; } = new();

        private ListCpus()
        {
        }
    }

    /// <summary>Reply to <see cref="ListCpus"/>: one entry per CPU, in CPU order.</summary>
    /// <param name="Cpus">The CPUs that answered in time.</param>
    public sealed record CpuList(IReadOnlyList<ClusterCpuProtocol.CpuInfo> Cpus) : IClusterKthreadsMessage;

    /// <summary>What <see cref="ThreadOp"/> does to a thread: the kthread protocol's operations.</summary>
    public enum ThreadOperation
    {
        /// <summary>wake_up_process().</summary>
        WakeUp,

        /// <summary>kthread_stop().</summary>
        Stop,

        /// <summary>kthread_park().</summary>
        Park,

        /// <summary>kthread_unpark().</summary>
        Unpark,

        /// <summary>Its ps row.</summary>
        Info,

        /// <summary>set_cpus_allowed_ptr() to <see cref="ThreadOp.Cpus"/>: CPUs of the cluster, of which the thread's node must host one.</summary>
        SetCpusAllowed,
    }

    /// <summary>One operation on one thread of the node that receives it (by pid), sent there from any node.</summary>
    /// <param name="Pid">The thread's pid on the receiving node.</param>
    /// <param name="Operation">What to do.</param>
    public sealed record ThreadOp(int Pid, ThreadOperation Operation) : IClusterKthreadsMessage
    {
        /// <summary>The mask of <see cref="ThreadOperation.SetCpusAllowed"/> (null for the other operations).</summary>
        public IReadOnlyList<int>? Cpus { get; init; }
    }

    /// <summary>Reply to <see cref="ThreadOp"/>: the local reply as a number, and the row for Info.</summary>
    /// <param name="Result">Stop: the exit code; Park, Unpark, SetCpusAllowed: 0; WakeUp: 1 woken, 0 already running; Info: 0. Or -ESRCH (gone), -EINVAL.</param>
    /// <param name="Info">The thread's row (Info only; Dead for a thread that is gone).</param>
    public sealed record ThreadOpResult(int Result, KthreadInfo? Info) : IClusterKthreadsMessage;

    /// <summary>
    /// One operation on a thread of any node, named by its cluster id as text (full, or the short
    /// <c>host:port/pid</c>): the receiving node resolves it and sends the <see cref="ThreadOp"/> on. For tools that ask one node.
    /// </summary>
    /// <param name="Id">The thread's cluster id.</param>
    /// <param name="Operation">What to do.</param>
    public sealed record ThreadOpById(string Id, ThreadOperation Operation) : IClusterKthreadsMessage
    {
        /// <summary>The mask of <see cref="ThreadOperation.SetCpusAllowed"/> (null for the other operations).</summary>
        public IReadOnlyList<int>? Cpus { get; init; }
    }
}
