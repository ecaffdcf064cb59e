using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// Arming and expiry (kernel/time/timer.c: enqueue_timer, detach_if_pending, expire_timers, call_timer_fn).
public sealed partial class KernelTimer
{
    /// <summary>A new arming: its firing runs the callback unless the timer is detached or re-armed first.</summary>
    private void ArmLocked(TimeSpan delay)
    {
        // Refused here rather than left to the scheduler, which a terminated system still runs for a moment.
        if (_system.WhenTerminated.IsCompleted)
        {
            throw new SchedulerException("the ActorSystem has terminated: its scheduler takes no more timers");
        }

        var gen = ++_lastGen;
        if (gen == 0)
        {
            gen = _lastGen = 1;
        }

        _armedAt = Stopwatch.GetTimestamp();
        _delay = delay;
        if (delay == TimeSpan.Zero)
        {
            // Already expired: straight to the pool, as the next timer tick would.
            QueueExpire(gen);
        }
        else
        {
            // The scheduler's thread only hands the firing to the pool: a slow callback never delays other timers.
            // Pending only once scheduled: a scheduler that refuses (its system shut down) leaves the timer inactive.
            _armed = _system.Scheduler.Advanced.ScheduleOnceCancelable(delay, () => QueueExpire(gen));
        }

        _gen = gen;
    }

    /// <summary>detach_if_pending(): true if it was armed; a firing already on its way is then stale.</summary>
    private bool DetachLocked()
    {
        if (_gen == 0)
        {
            return false;
        }

        _armed?.Cancel();
        _armed = null;
        _gen = 0;
        return true;
    }

    private void QueueExpire(int gen) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Timer.Expire(s.Gen), (Timer: this, Gen: gen), preferLocal: false);

    // kernel: expire_timers() — detach the timer, then call its function with the base unlocked.
    private void Expire(int gen)
    {
        TaskCompletionSource running;
        lock (_lock)
        {
            if (gen != _gen)
            {
                return; // deleted or re-armed since this firing was scheduled
            }

            var early = _delay - Stopwatch.GetElapsedTime(_armedAt);
            if (early > TimeSpan.Zero && TryRearmLocked(early, gen))
            {
                return;
            }

            if (_running is { } busy)
            {
                // The callback re-armed itself and is still running: the kernel never runs one timer's
                // function twice at once, so this firing waits its turn (still pending meanwhile).
                busy.Task.ContinueWith(
                    static (_, s) =>
                    {
                        var (timer, later) = ((KernelTimer, int))s!;
                        timer.Expire(later);
                    },
                    (this, gen), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                return;
            }

            _gen = 0;
            _armed = null;
            running = _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        CallTimerFn();
        lock (_lock)
        {
            _running = null;
        }

        running.SetResult();
    }

    // Should Akka's wheel tick before the deadline: a kernel timer never fires before its expiry. On the pool, so
    // nothing may throw: a scheduler shut down meanwhile lets it fire now instead.
    private bool TryRearmLocked(TimeSpan rest, int gen)
    {
        try
        {
            _armed = _system.Scheduler.Advanced.ScheduleOnceCancelable(rest, () => QueueExpire(gen));
            return true;
        }
        catch (SchedulerException)
        {
            return false;
        }
    }

    // kernel: call_timer_fn() — here a throwing function is an oops that leaves the timer usable.
    private void CallTimerFn()
    {
        var outer = TimerContext.Enter(this);
        try
        {
            _callback(this);
        }
        catch (Exception e)
        {
            _log.Error(e, "oops: timer function {0} threw {1}; the timer stays usable", _callback.Method.Name, e.GetType().Name);
        }
        finally
        {
            TimerContext.Leave(outer);
        }
    }
}
