namespace Akka.Kthreads;

/// <summary>
/// One row of <c>ps</c>: a snapshot of a kthread, as <c>/proc/&lt;pid&gt;/stat</c> would show it.
/// </summary>
/// <param name="Pid">The thread's pid, unique and increasing within its node.</param>
/// <param name="PPid">The parent's pid: always kthreadd's, 2.</param>
/// <param name="Comm">The name, cut to 15 characters (TASK_COMM_LEN 16).</param>
/// <param name="State">Where the thread is in its life.</param>
/// <param name="Cpu">The CPU it is bound to, else the CPU it last ran on; null if it never ran unbound.</param>
/// <param name="PerCpu">True for a per-CPU thread (CreateOnCpu), rebound to its CPU on every unpark.</param>
/// <param name="ExitCode">The function's result once it has returned (Zombie), else null.</param>
/// <param name="Node">The address of the ActorSystem (cluster node) the thread lives on.</param>
public sealed record KthreadInfo(int Pid, int PPid, string Comm, KthreadState State,
    int? Cpu, bool PerCpu, int? ExitCode, string Node)
{
    /// <summary>True while Sleeping in TASK_UNINTERRUPTIBLE (ps D): a stop or park request does not end that sleep.</summary>
    public bool Uninterruptible { get; init; }

    /// <summary>nvcsw: how often the thread gave its CPU up itself (a sleep, a park, I/O off the CPU), as /proc/&lt;pid&gt;/status counts.</summary>
    public long Nvcsw { get; init; }

    /// <summary>nivcsw: how often a checkpoint (YieldAsync, cond_resched) gave its CPU to a waiter or moved it, as the kernel counts preemptions.</summary>
    public long Nivcsw { get; init; }

    /// <summary>The ps STAT letter of this row: D also for an uninterruptible sleep, else <see cref="KthreadStates.ToPsLetter"/>.</summary>
    public char Stat => State == KthreadState.Sleeping && Uninterruptible ? 'D' : State.ToPsLetter();
}
