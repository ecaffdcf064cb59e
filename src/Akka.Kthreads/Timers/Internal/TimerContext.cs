namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. Which timer's callback runs on this thread now (the kernel's in_serving_softirq() plus
/// base->running_timer), so that del_timer_sync from a timer's own callback is refused instead of hanging.
/// </summary>
/// <remarks>A callback is synchronous and runs on one pool thread from start to end, so a thread-static suffices.</remarks>
internal static class TimerContext
{
    [ThreadStatic]
    private static KernelTimer? _running;

    /// <summary>True inside <paramref name="timer"/>'s own callback on this thread.</summary>
    public static bool IsRunning(KernelTimer timer) => ReferenceEquals(_running, timer);

    /// <summary>Marks <paramref name="timer"/>'s callback as running here; returns what to restore on <see cref="Leave"/>.</summary>
    public static KernelTimer? Enter(KernelTimer timer)
    {
        var outer = _running;
        _running = timer;
        return outer;
    }

    public static void Leave(KernelTimer? outer) => _running = outer;
}
