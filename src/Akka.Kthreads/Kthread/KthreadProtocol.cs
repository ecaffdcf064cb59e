namespace Akka.Kthreads;

/// <summary>
/// The messages a kthread understands, and its replies. Every message gets its reply, also
/// when the thread is gone (then with -ESRCH where the reply holds an int).
/// </summary>
public static class KthreadProtocol
{
    /// <summary>Marks a message addressed to one kthread.</summary>
    public interface IKthreadCommand
    {
    }

    /// <summary>wake_up_process: start a New thread, or wake one asleep in ScheduleAsync. Replies <see cref="Woken"/>.</summary>
    public sealed record WakeUp : IKthreadCommand
    {
        /// <summary>The one instance.</summary>
        public static WakeUp Instance { get; } = new();

        private WakeUp()
        {
        }
    }

    /// <summary>The reply to <see cref="WakeUp"/>.</summary>
    /// <param name="WasWoken">True if the thread was New or sleeping and is now runnable; false otherwise.</param>
    public sealed record Woken(bool WasWoken);

    /// <summary>kthread_stop: set ShouldStop, wake the thread, wait for its function to return. Replies <see cref="Stopped"/>.</summary>
    public sealed record Stop : IKthreadCommand
    {
        /// <summary>The one instance.</summary>
        public static Stop Instance { get; } = new();

        private Stop()
        {
        }
    }

    /// <summary>The reply to <see cref="Stop"/>; the thread is reaped.</summary>
    /// <param name="ExitCode">The function's result; -EINTR if never woken; -ESRCH if already gone; -ETIMEDOUT past stop-timeout.</param>
    public sealed record Stopped(int ExitCode);

    /// <summary>kthread_park: set ShouldPark, wake the thread, wait until it parks. Replies <see cref="ParkResult"/>.</summary>
    public sealed record Park : IKthreadCommand
    {
        /// <summary>The one instance.</summary>
        public static Park Instance { get; } = new();

        private Park()
        {
        }
    }

    /// <summary>The reply to <see cref="Park"/>.</summary>
    /// <param name="Result">0 once parked; -ENOSYS if it has exited; -ESRCH if gone; -ETIMEDOUT past park-timeout.</param>
    public sealed record ParkResult(int Result);

    /// <summary>kthread_unpark: clear ShouldPark and resume a parked thread (rebinding a per-CPU one). Replies <see cref="Unparked"/>.</summary>
    public sealed record Unpark : IKthreadCommand
    {
        /// <summary>The one instance.</summary>
        public static Unpark Instance { get; } = new();

        private Unpark()
        {
        }
    }

    /// <summary>The reply to <see cref="Unpark"/>, also when the thread was not parked (then nothing happened).</summary>
    public sealed record Unparked
    {
        /// <summary>The one instance.</summary>
        public static Unparked Instance { get; } = new();

        private Unparked()
        {
        }
    }

    /// <summary>kthread_bind: bind a thread that has never been woken to one CPU. Replies <see cref="BindResult"/>.</summary>
    /// <param name="Cpu">A CPU in Possible (it need not be online).</param>
    public sealed record Bind(int Cpu) : IKthreadCommand;

    /// <summary>The reply to <see cref="Bind"/>.</summary>
    /// <param name="Result">0; -EINVAL if the thread was ever woken or the cpu is not possible; -ESRCH if gone.</param>
    public sealed record BindResult(int Result);

    /// <summary>set_cpus_allowed_ptr: let the thread run only on <paramref name="Cpus"/>; it moves at its next checkpoint. Replies <see cref="SetCpusAllowedResult"/>.</summary>
    /// <param name="Cpus">The new mask: CPUs in Possible, at least one of them online (offline ones count once they come up).</param>
    public sealed record SetCpusAllowed(IReadOnlyCollection<int> Cpus) : IKthreadCommand;

    /// <summary>The reply to <see cref="SetCpusAllowed"/>, sent once the new mask is in force.</summary>
    /// <param name="Result">0; -EINVAL for an empty mask, a CPU not possible, no CPU online, or a per-CPU thread; -ESRCH if gone.</param>
    public sealed record SetCpusAllowedResult(int Result);

    /// <summary>Ask for the thread's ps row. Replies a <see cref="KthreadInfo"/>.</summary>
    public sealed record GetInfo : IKthreadCommand
    {
        /// <summary>The one instance.</summary>
        public static GetInfo Instance { get; } = new();

        private GetInfo()
        {
        }
    }
}
