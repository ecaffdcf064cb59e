namespace Akka.Kthreads;

/// <summary>
/// What a per-CPU thread's callbacks get: its CPU, its per-CPU state (kept across down and up)
/// and the thread itself.
/// </summary>
public sealed class PerCpu
{
    internal PerCpu(int cpu, object? state)
    {
        Cpu = cpu;
        State = state;
    }

    /// <summary>The CPU this thread belongs to.</summary>
    public int Cpu { get; }

    /// <summary>The per-CPU state made by <see cref="PerCpuThread.CreateState"/>; the thread may replace it.</summary>
    public object? State { get; set; }

    /// <summary>The thread's <c>current</c>: checkpoints, ShouldStop, ShouldPark.</summary>
    public KthreadContext Current { get; internal set; } = null!;

    /// <summary>The thread's handle: wake it (wake_up_process) when ThreadShouldRun becomes true.</summary>
    public Kthread Thread { get; internal set; } = null!;

    /// <summary>smpboot's td->status: which of Setup / Park / Unpark comes next.</summary>
    internal SmpbootStatus Status { get; set; }
}

/// <summary>INTERNAL API. HP_THREAD_NONE / ACTIVE / PARKED.</summary>
internal enum SmpbootStatus
{
    None,
    Active,
    Parked,
}
