using Akka.Actor;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Internal;

// Stop and park: the two requests that wait for the function to reach a point.
internal sealed partial class KthreadActor
{
    private List<IActorRef>? _stoppers;
    private List<IActorRef>? _parkers;
    private Task? _parked;

    // kernel: kthread_stop() — set the flag, unpark, wake, wait for exited.
    private void OnStop()
    {
        switch (_k.State)
        {
            case KthreadState.New:
            case KthreadState.Parked when !_started:
                // Never woken: the function never runs (kthread() sees should_stop first).
                _k.RequestStop();
                _k.ExitCode = -Errno.EINTR;
                Reap();
                Sender.Tell(new Stopped(-Errno.EINTR));
                return;
            case KthreadState.Zombie:
                Reap();
                Sender.Tell(new Stopped(_k.ExitCode));
                return;
        }

        var first = _stoppers is null or { Count: 0 };
        (_stoppers ??= new List<IActorRef>(1)).Add(Sender);
        if (!first)
        {
            return;
        }

        _k.RequestStop();
        KthreadTimers.Start(ref _timers, KthreadTimer.Stop, Context, _settings.StopTimeout, static gen => new StopTimedOut(gen));
        if (_k.State == KthreadState.Parked)
        {
            ReleaseParked();
        }
        else
        {
            WakeForRequest();
        }
    }

    // kernel: kthread_park() — 0 at once if parked, -ENOSYS once exited, else wait for parked.
    private void OnPark()
    {
        switch (_k.State)
        {
            case KthreadState.Parked:
                Sender.Tell(new ParkResult(0));
                return;
            case KthreadState.Zombie:
                Sender.Tell(new ParkResult(-Errno.ENOSYS));
                return;
            case KthreadState.New:
                // Parked without running the function; Unpark starts it.
                _k.SetShouldPark(true);
                Transition(KthreadState.Parked);
                Sender.Tell(new ParkResult(0));
                return;
        }

        var first = _parkers is null or { Count: 0 };
        (_parkers ??= new List<IActorRef>(1)).Add(Sender);
        if (!first)
        {
            return;
        }

        _k.SetShouldPark(true);
        KthreadTimers.Start(ref _timers, KthreadTimer.Park, Context, _settings.ParkTimeout, static gen => new ParkTimedOut(gen));
        WakeForRequest();
    }

    // signal_wake_up() for a stop or park request: ends an interruptible sleep, whether we know of it yet or it is still held back.
    private void WakeForRequest()
    {
        if (InInterruptibleSchedule)
        {
            WakeSleeper(true);
        }
        else
        {
            _k.TryEndUnsentSleep(requestOnly: true);
        }
    }

    private void OnParking(Parking parking)
    {
        if (!_k.ShouldPark)
        {
            // Unparked or stopped while on the way: go on.
            _k.Unparked(parking.Done);
            return;
        }

        _parked = parking.Done;
        if (OnlyOffCpu)
        {
            // The flow itself was running (a wait it did not await is what shows as asleep): it parks from there.
            Transition(KthreadState.Running);
        }

        Transition(KthreadState.Parked);
        KthreadTimers.Cancel(ref _timers, KthreadTimer.Park);
        ReplyParkers(0);
    }

    // kernel: kthread_unpark() — rebind a per-CPU thread, clear the flag, wake it.
    private void OnUnpark()
    {
        if (_k.State != KthreadState.Parked)
        {
            return;
        }

        if (_k.PerCpu)
        {
            _k.Bind(_k.HomeCpu);
        }

        _k.SetShouldPark(false);
        if (_started)
        {
            ReleaseParked();
        }
        else
        {
            StartLoop();
        }
    }

    // A park that timed out stays requested (seed 001's kthread_unpark leaves a thread that has not parked alone);
    // when hotplug gave up on it and keeps the CPU up, that request must go, or the thread parks later for nothing.
    private void OnWithdrawPark()
    {
        if (_k.State == KthreadState.Parked)
        {
            OnUnpark();
        }
        else if (_k.ShouldPark && _parkers is not { Count: > 0 })
        {
            _k.SetShouldPark(false);
        }
    }

    private void ReleaseParked()
    {
        var parked = _parked;
        _parked = null;
        Transition(KthreadState.Running);
        if (parked is not null)
        {
            _k.Unparked(parked);
        }
    }

    private void ReplyStoppers(int code)
    {
        KthreadTimers.Cancel(ref _timers, KthreadTimer.Stop);
        if (_stoppers is not { Count: > 0 } stoppers)
        {
            return;
        }

        var reply = new Stopped(code);
        foreach (var stopper in stoppers)
        {
            stopper.Tell(reply);
        }

        // Dropped, not cleared: a parked or sleeping thread keeps nothing of a request it has answered.
        _stoppers = null;
    }

    private void ReplyParkers(int result)
    {
        KthreadTimers.Cancel(ref _timers, KthreadTimer.Park);
        if (_parkers is not { Count: > 0 } parkers)
        {
            return;
        }

        var reply = new ParkResult(result);
        foreach (var parker in parkers)
        {
            parker.Tell(reply);
        }

        _parkers = null;
    }
}
