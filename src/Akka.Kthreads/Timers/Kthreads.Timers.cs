using Akka.Event;

namespace Akka.Kthreads;

// timer_setup(): kernel timers are made here, so they run on this system's scheduler, whose clock Kthreads started.
public sealed partial class Kthreads
{
    /// <summary>timer_setup(&amp;t, fn, 0): a timer, not pending, that runs <paramref name="callback"/> each time an arming expires.</summary>
    /// <param name="callback">The timer function; it gets the timer (as fn gets its timer_list) and must not block: wake a thread instead.</param>
    /// <returns>The timer; arm it with <see cref="KernelTimer.ModTimer"/>, dispose it (timer_shutdown) when done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <remarks>The kernel's flags (TIMER_DEFERRABLE, TIMER_PINNED, TIMER_IRQSAFE) have no counterpart: callbacks run on the thread pool.</remarks>
    public KernelTimer TimerSetup(Action<KernelTimer> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new KernelTimer(callback, _system, Logging.GetLogger(_system, "timer"), Settings.AskTimeout);
    }
}
