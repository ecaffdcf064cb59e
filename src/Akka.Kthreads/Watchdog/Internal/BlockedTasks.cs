namespace Akka.Kthreads.Internal;

// INTERNAL API. khungtaskd's question to kthreadd, and its answer (kernel: for_each_process_thread under RCU).

/// <summary>Every thread of kthreadd that sleeps in D now, with its switch count.</summary>
internal sealed record ListBlocked
{
    public static ListBlocked Instance { get; } = new();

    private ListBlocked()
    {
    }
}

/// <summary>One thread in TASK_UNINTERRUPTIBLE: its pid, name, nvcsw + nivcsw and wait site.</summary>
internal sealed record BlockedTask(int Pid, string Comm, long SwitchCount, string WaitSite);

/// <summary>The reply to <see cref="ListBlocked"/>.</summary>
internal sealed record BlockedList(IReadOnlyList<BlockedTask> Tasks);
