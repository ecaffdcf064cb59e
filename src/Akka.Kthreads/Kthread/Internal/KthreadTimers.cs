using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>Which of a kthread actor's timers.</summary>
internal enum KthreadTimer
{
    Sleep,
    Stop,
    Park,
}

/// <summary>
/// INTERNAL API. A kthread actor's sleep, stop and park timers, made when one starts and dropped when
/// none is pending: a parked or sleeping thread without a timeout keeps none of them.
/// </summary>
internal sealed class KthreadTimers
{
    private OneShotTimer _sleep;
    private OneShotTimer _stop;
    private OneShotTimer _park;

    /// <summary>Starts (or restarts) <paramref name="which"/>, making the holder if there is none.</summary>
    public static void Start(ref KthreadTimers? timers, KthreadTimer which, IActorContext context, TimeSpan delay, Func<int, object> message) =>
        (timers ??= new KthreadTimers()).Of(which).Start(context, context.Self, delay, message);

    /// <summary>Stops <paramref name="which"/>; its message on the way is then stale.</summary>
    public static void Cancel(ref KthreadTimers? timers, KthreadTimer which)
    {
        timers?.Of(which).Cancel();
        DropIfIdle(ref timers);
    }

    /// <summary>True when a message of generation <paramref name="gen"/> is <paramref name="which"/> firing now.</summary>
    public static bool Fired(ref KthreadTimers? timers, KthreadTimer which, int gen)
    {
        var fired = timers?.Of(which).Fired(gen) == true;
        DropIfIdle(ref timers);
        return fired;
    }

    /// <summary>Stops all three and drops the holder.</summary>
    public static void CancelAll(ref KthreadTimers? timers)
    {
        if (timers is { } t)
        {
            t._sleep.Cancel();
            t._stop.Cancel();
            t._park.Cancel();
            timers = null;
        }
    }

    private static void DropIfIdle(ref KthreadTimers? timers)
    {
        if (timers is { } t && !t._sleep.IsPending && !t._stop.IsPending && !t._park.IsPending)
        {
            timers = null;
        }
    }

    private ref OneShotTimer Of(KthreadTimer which)
    {
        if (which == KthreadTimer.Sleep)
        {
            return ref _sleep;
        }

        if (which == KthreadTimer.Stop)
        {
            return ref _stop;
        }

        return ref _park;
    }
}
