using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// struct timer_list: a one-shot timer on Akka's scheduler whose callback runs briefly, without sleeping,
/// like the kernel's timer softirq, and usually calls <see cref="Kthread.WakeUpProcess"/>.
/// </summary>
/// <remarks>
/// Made by <see cref="Kthreads.TimerSetup"/>. Expiry is a delay from now: <c>ModTimer(d)</c> is the
/// kernel's <c>mod_timer(t, jiffies + d)</c>. The callback runs on the thread pool (never on a CPU's
/// thread or inside an actor), never before its expiry, at most once per arming and never twice at once
/// for one timer; a firing of a timer deleted or re-armed since does nothing. A callback that throws is
/// an oops: it is logged and the timer stays usable.
/// </remarks>
public sealed partial class KernelTimer : IDisposable
{
    private readonly object _lock = new();
    private readonly Action<KernelTimer> _callback;
    // Its scheduler arms the timer; its WhenTerminated completes before Akka stops that scheduler.
    private readonly ActorSystem _system;
    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _syncTimeout;

    // The current arming (0: not pending) and the scheduler's firing for it (null for a zero delay).
    private int _gen;
    private int _lastGen;
    private ICancelable? _armed;

    // When the current arming was made and its delay: its expiry (jiffies + delay).
    private long _armedAt;
    private TimeSpan _delay;

    // Completes when the running callback returns (the kernel's base->running_timer == timer); null when none runs.
    private TaskCompletionSource? _running;
    private bool _shutdown;

    internal KernelTimer(Action<KernelTimer> callback, ActorSystem system, ILoggingAdapter log, TimeSpan syncTimeout)
    {
        _syncTimeout = syncTimeout;
        _callback = callback;
        _system = system;
        _log = log;
    }

    /// <summary>timer_pending(): true while armed and not yet fired, so a caller knows whether a wake-up is still to come.</summary>
    public bool IsPending
    {
        get
        {
            lock (_lock)
            {
                return _gen != 0;
            }
        }
    }

    /// <summary>mod_timer(): (re)arm the timer to fire after <paramref name="delay"/>, whether or not it was pending.</summary>
    /// <param name="delay">From now (jiffies + delay); zero fires at once, on the thread pool.</param>
    /// <returns>1 if it was pending (its old expiry is replaced); 0 if it was inactive (or shut down: then it stays inactive).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="SchedulerException">The ActorSystem has terminated; the timer is left inactive.</exception>
    public int ModTimer(TimeSpan delay)
    {
        CheckDelay(delay);
        lock (_lock)
        {
            var wasPending = DetachLocked();
            if (!_shutdown)
            {
                ArmLocked(delay);
            }

            return wasPending ? 1 : 0;
        }
    }

    /// <summary>add_timer(): arm an inactive timer to fire after <paramref name="delay"/>; for code that knows it is not pending.</summary>
    /// <param name="delay">From now (jiffies + delay); zero fires at once, on the thread pool.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The timer is pending (the kernel warns and does nothing); use <see cref="ModTimer"/>.</exception>
    public void AddTimer(TimeSpan delay)
    {
        CheckDelay(delay);
        lock (_lock)
        {
            if (_gen != 0)
            {
                throw new InvalidOperationException("add_timer() of a pending timer: use ModTimer to re-arm it");
            }

            if (!_shutdown)
            {
                ArmLocked(delay);
            }
        }
    }

    /// <summary>del_timer(): disarm the timer without waiting for a callback that already runs.</summary>
    /// <returns>1 if it was pending (its callback will not run for that arming); 0 if it was inactive.</returns>
    public int DelTimer()
    {
        lock (_lock)
        {
            return DetachLocked() ? 1 : 0;
        }
    }

    /// <summary>del_timer_sync(): disarm the timer and wait until a running callback has returned, so the caller may free what it uses.</summary>
    /// <param name="ct">Stops waiting for the running callback; the timer is disarmed all the same.</param>
    /// <returns>1 if it was pending (also when the callback waited for re-armed it); 0 if it was inactive.</returns>
    /// <exception cref="InvalidOperationException">
    /// Called from this timer's own callback: it would wait for itself (a deadlock in the kernel), so it throws at once.
    /// </exception>
    /// <exception cref="TimeoutException">The running callback did not return within <c>kthreads.ask-timeout</c> (it blocks).</exception>
    /// <remarks>The callback may re-arm the timer while this waits; that arming is disarmed too before this returns.</remarks>
    public Task<int> DelTimerSyncAsync(CancellationToken ct = default)
    {
        if (TimerContext.IsRunning(this))
        {
            throw new InvalidOperationException("del_timer_sync() from the timer's own callback would wait for itself; use DelTimer there");
        }

        return DelTimerSyncCoreAsync(ct);
    }

    /// <summary>timer_shutdown(): disarm the timer for good; a later ModTimer or AddTimer is ignored. Does not wait for a running callback.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _shutdown = true;
            DetachLocked();
        }
    }

    private static void CheckDelay(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "a timer cannot expire in the past: the delay is from now (jiffies + delay)");
        }
    }

    // kernel: del_timer_sync() loops on try_to_del_timer_sync() while the callback runs on another CPU.
    private async Task<int> DelTimerSyncCoreAsync(CancellationToken ct)
    {
        var result = 0;
        while (true)
        {
            Task running;
            lock (_lock)
            {
                result |= DetachLocked() ? 1 : 0;
                if (_running is null)
                {
                    return result;
                }

                running = _running.Task;
            }

            try
            {
                await running.WaitAsync(_syncTimeout, ct).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                // A callback that blocks breaks the timer's contract; the caller still gets an answer, disarmed.
                throw new TimeoutException($"del_timer_sync: the timer's callback did not return within {_syncTimeout} (kthreads.ask-timeout); the timer is disarmed", e);
            }
        }
    }
}
