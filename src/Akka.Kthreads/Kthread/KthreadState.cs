namespace Akka.Kthreads;

/// <summary>
/// The life of a kthread, as <c>ps</c> shows it (letters D R S P Z X).
/// </summary>
/// <remarks>
/// <code>
///            WakeUp / Unpark                       Sleep (ScheduleAsync)
///   New ───────────────────────► Running ◄──────────────────────────► Sleeping
///    │ Park                      ▲  │  │  WakeUp / Stop / Park / timeout
///    ▼                    Unpark │  │  └──────── function returns ──► Zombie
///   Parked ◄─────────────────────┼──┘ Park (ParkMeAsync)               │ Stop
///    │ Stop (never ran)          │                                     ▼
///    └───────────────────────────┴─────── Stop (waiters) ───────────► Dead
/// </code>
/// New → Dead when stopped before any wake-up (-EINTR, the function never runs).
/// </remarks>
public enum KthreadState
{
    /// <summary>Created, its function not started (ps: D, the kernel's TASK_UNINTERRUPTIBLE after creation).</summary>
    New,

    /// <summary>Running or runnable: holds a CPU or waits in a run queue for one (ps: R).</summary>
    Running,

    /// <summary>Asleep in <c>ScheduleAsync</c> / <c>ScheduleTimeoutAsync</c> until woken (ps: S, or D when <see cref="KthreadInfo.Uninterruptible"/>).</summary>
    Sleeping,

    /// <summary>Parked (kthread_park) until unparked (ps: P).</summary>
    Parked,

    /// <summary>The function returned on its own; the exit code waits for a Stop to collect it (ps: Z).</summary>
    Zombie,

    /// <summary>Reaped: gone from the listing; messages to it reply -ESRCH (ps: X).</summary>
    Dead,
}

/// <summary>How a sleep may end (the kernel's TASK_INTERRUPTIBLE / TASK_UNINTERRUPTIBLE), given to <c>current.PrepareToSleep</c>.</summary>
public enum TaskState
{
    /// <summary>TASK_INTERRUPTIBLE (ps S): a WakeUp, a stop or a park request ends the sleep.</summary>
    Interruptible,

    /// <summary>TASK_UNINTERRUPTIBLE (ps D): only a WakeUp (or a timeout) ends the sleep; stop and park requests wait for it.</summary>
    Uninterruptible,
}

/// <summary>Helpers for <see cref="KthreadState"/>, so every tool prints the same letters.</summary>
public static class KthreadStates
{
    /// <summary>The ps STAT letter of a state: D R S P Z X, as the kernel's task states.</summary>
    /// <param name="state">The state to show.</param>
    /// <returns>One of 'D', 'R', 'S', 'P', 'Z', 'X'.</returns>
    public static char ToPsLetter(this KthreadState state) => state switch
    {
        KthreadState.New => 'D',
        KthreadState.Running => 'R',
        KthreadState.Sleeping => 'S',
        KthreadState.Parked => 'P',
        KthreadState.Zombie => 'Z',
        _ => 'X',
    };
}
