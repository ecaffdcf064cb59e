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
    int? Cpu, bool PerCpu, int? ExitCode, string Node);
