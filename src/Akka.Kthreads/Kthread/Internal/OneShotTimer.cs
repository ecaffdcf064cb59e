using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One of a kthread actor's one-shot timers (sleep, stop, park), with Akka's timer rule: a
/// message of a cancelled or restarted timer is stale and ignored, by its generation.
/// </summary>
/// <remarks>
/// Instead of Akka's per-actor TimerScheduler, whose dictionary every parked kthread would keep: a timer
/// holds nothing once it fired or was cancelled.
/// </remarks>
internal struct OneShotTimer
{
    private static int _gens;
    private ICancelable? _pending;
    private int _gen;

    /// <summary>Starts (or restarts) it: <paramref name="message"/>(gen) reaches <paramref name="self"/> after <paramref name="delay"/>.</summary>
    public void Start(IActorContext context, IActorRef self, TimeSpan delay, Func<int, object> message)
    {
        Cancel();
        _gen = Interlocked.Increment(ref _gens) is var gen and not 0 ? gen : Interlocked.Increment(ref _gens);
        _pending = context.System.Scheduler.ScheduleTellOnceCancelable(delay, self, message(_gen), self);
    }

    /// <summary>Stops it; a message already on its way is then stale.</summary>
    public void Cancel()
    {
        _pending?.Cancel();
        _pending = null;
        _gen = 0;
    }

    /// <summary>True while started and neither fired nor cancelled.</summary>
    public readonly bool IsPending => _gen != 0;

    /// <summary>True when a message of generation <paramref name="gen"/> is this timer firing now (then it is spent).</summary>
    public bool Fired(int gen)
    {
        if (gen == 0 || gen != _gen)
        {
            return false;
        }

        _pending = null;
        _gen = 0;
        return true;
    }
}
