using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One kthread (struct kthread + its completions): the only place that decides the
/// thread's state. The function runs outside, on a CPU run queue, and reports back with signals.
/// </summary>
internal sealed partial class KthreadActor : UntypedActor
{
    private readonly KthreadContext _k;
    private readonly KthreadsSettings _settings;
    private readonly Cpus _cpus;
    private ILoggingAdapter? _log;
    private KthreadTimers? _timers;
    private bool _started;
    private TaskCompletionSource<bool>? _sleeper;
    private int _offCpu;

    public KthreadActor(ConcurrentDictionary<int, KthreadContext> births, KthreadsSettings settings, Cpus cpus)
    {
        // kthreadd put our context there under our name (the pid) just before it made us; never restarted (kthreadd stops a failed child).
        _k = births.TryRemove(int.Parse(Self.Path.Name, CultureInfo.InvariantCulture), out var k)
            ? k
            : throw new InvalidOperationException($"kthread {Self.Path.Name}: no context from kthreadd");
        _settings = settings;
        _cpus = cpus;
    }

    // One Props per kthreadd, shared by all its threads: Props stay with their actor for its whole life, and one per
    // thread (with an expression tree, as before) was most of a parked kthread's bytes beyond the actor's own.
    public static Props Props(ConcurrentDictionary<int, KthreadContext> births, KthreadsSettings settings, Cpus cpus) =>
        Actor.Props.CreateBy(new Producer(births, settings, cpus));

    // Made on first use: most threads never log, and an adapter per actor is bytes for every parked one.
    private ILoggingAdapter Log => _log ??= Context.GetLogger();

    protected override void PreStart() => _k.Attach(Self);

    protected override void PostStop()
    {
        // As Akka's own timers do: nothing fires into a stopped actor's dead letters.
        KthreadTimers.CancelAll(ref _timers);
        if (_k.State != KthreadState.Dead)
        {
            // Stopped from outside (system shutdown, a strict-mode failure): let the function end
            // instead of leaving it asleep forever, and answer everyone still waiting.
            _k.RequestStop();
            _sleeper?.TrySetResult(true);
            _k.TryEndUnsentSleep(requestOnly: false);
            if (_parked is not null)
            {
                _k.Unparked(_parked);
            }
            ReplyStoppers(-Errno.ESRCH);
            ReplyParkers(-Errno.ESRCH);
            _k.State = KthreadState.Dead;
            Context.Parent.Tell(new Reaped(_k.Pid, _k.Snapshot()));
        }
    }

    protected override void OnReceive(object message)
    {
        if (_k.State == KthreadState.Dead)
        {
            // Reaped, not yet stopped: answer as a gone thread does.
            if (message is IKthreadCommand command)
            {
                Sender.Tell(GoneReplies.For(command, _k.Snapshot()));
            }

            return;
        }

        if (_sleeper is { Task.IsCompleted: true })
        {
            // A waker ended this sleep itself (TryToWakeUp): the flow runs again, whatever this message is.
            WakeSleeper(true);
        }

        switch (message)
        {
            case SleepEnded:
                break; // only news of the above
            case WakeUp:
                Sender.Tell(new Woken(OnWakeUp()));
                break;
            case Stop:
                OnStop();
                break;
            case Park:
                OnPark();
                break;
            case Unpark:
                OnUnpark();
                Sender.Tell(Unparked.Instance);
                break;
            case WithdrawPark:
                OnWithdrawPark();
                Sender.Tell(Unparked.Instance);
                break;
            case Bind bind:
                Sender.Tell(new BindResult(OnBind(bind.Cpu)));
                break;
            case SetCpusAllowed allowed:
                Sender.Tell(new SetCpusAllowedResult(OnSetCpusAllowed(allowed.Cpus)));
                break;
            case GetInfo:
                Sender.Tell(_k.Snapshot());
                break;
            case Kick:
                OnWakeUp();
                break;
            case OffCpu off:
                OnOffCpu(off.Entering);
                break;
            case StartRun:
                if (!_started)
                {
                    _started = true;
                    _k.Start();
                }

                break;
            case Sleep sleep:
                OnSleep(sleep);
                break;
            case SleepTimedOut timedOut:
                if (KthreadTimers.Fired(ref _timers, KthreadTimer.Sleep, timedOut.Gen) && InSchedule)
                {
                    WakeSleeper(false);
                }

                break;
            case Parking parking:
                OnParking(parking);
                break;
            case Exited exited:
                OnExited(exited);
                break;
            case StopTimedOut timedOut:
                if (!KthreadTimers.Fired(ref _timers, KthreadTimer.Stop, timedOut.Gen))
                {
                    break;
                }

                Log.Warning("kthread_stop: {0} ({1}) did not return within {2}; stoppers get -ETIMEDOUT", _k.Pid, _k.Comm, _settings.StopTimeout);
                ReplyStoppers(-Errno.ETIMEDOUT);
                break;
            case ParkTimedOut timedOut:
                if (!KthreadTimers.Fired(ref _timers, KthreadTimer.Park, timedOut.Gen))
                {
                    break;
                }

                Log.Warning("kthread_park: {0} ({1}) did not park within {2}; parkers get -ETIMEDOUT", _k.Pid, _k.Comm, _settings.ParkTimeout);
                ReplyParkers(-Errno.ETIMEDOUT);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    // kernel: wake_up_process() — true only if the state matched (new or sleeping).
    private bool OnWakeUp()
    {
        switch (_k.State)
        {
            case KthreadState.New:
                StartLoop();
                return true;
            case KthreadState.Sleeping when InSchedule:
                WakeSleeper(true);
                return true;
            case KthreadState.Running or KthreadState.Sleeping when FlowRuns:
                // Asleep with its Sleep still held back on its CPU's thread, or between PrepareToSleep and its sleep.
                return _k.TryWakeOnItsWay();
            default:
                return false;
        }
    }

    /// <summary>Asleep in schedule(); Sleeping without a sleeper is off the CPU for I/O, which a WakeUp does not end.</summary>
    private bool InSchedule => _k.State == KthreadState.Sleeping && _sleeper is not null;

    /// <summary>Asleep in schedule() in TASK_INTERRUPTIBLE: a stop or park request ends this sleep (a D sleep waits for its WakeUp).</summary>
    private bool InInterruptibleSchedule => InSchedule && !_k.InUninterruptibleSleep;

    // Off the CPU for I/O: asleep for ps, but not in schedule(). Counted: two waits under Task.WhenAll are off together.
    private void OnOffCpu(bool entering)
    {
        _offCpu += entering ? 1 : -1;
        if (entering && _k.State == KthreadState.Running)
        {
            Transition(KthreadState.Sleeping);
        }
        else if (!entering && _offCpu == 0 && _k.State == KthreadState.Sleeping && _sleeper is null)
        {
            Transition(KthreadState.Running);
        }
    }

    /// <summary>Off the CPU only for waits that were not awaited: the flow itself runs, and may go to sleep in schedule().</summary>
    private bool OnlyOffCpu => _offCpu > 0 && _k.State == KthreadState.Sleeping && _sleeper is null;

    /// <summary>The function is running (ps shows it sleeping while only waits it did not await are off the CPU).</summary>
    private bool FlowRuns => _k.State == KthreadState.Running || OnlyOffCpu;

    private void StartLoop()
    {
        Transition(KthreadState.Running);
        _started = true;
        _k.Start();
    }

    private void OnSleep(Sleep sleep)
    {
        // A request, or a WakeUp after PrepareToSleep, that came in while the function was on its
        // way to sleep is a wake-up.
        var wokenAlready = sleep.PreparedGen != 0 && !_k.ClearPrepared(sleep.PreparedGen);

        // TASK_UNINTERRUPTIBLE: stop and park requests do not end it; only a WakeUp (or its timeout) does.
        var requested = _k.RequestEnds(sleep.Uninterruptible);

        // Ended by a waker before we heard of it (TryToWakeUp): the flow runs on.
        var endedByWaker = sleep.Wake.Task.IsCompleted;
        if (wokenAlready || requested || endedByWaker || !FlowRuns)
        {
            sleep.Wake.TrySetResult(true);
            return;
        }

        _sleeper = sleep.Wake;
        _k.InUninterruptibleSleep = sleep.Uninterruptible;
        Transition(KthreadState.Sleeping);
        // Counted from the sleep itself, not from this message, which the CPU's thread may have held back.
        switch (sleep.Left)
        {
            case { } left when left <= TimeSpan.Zero:
                WakeSleeper(false); // ran out while its note was held back
                break;
            case { } left:
                KthreadTimers.Start(ref _timers, KthreadTimer.Sleep, Context, left, static gen => new SleepTimedOut(gen));
                break;
        }
    }

    private void WakeSleeper(bool woken)
    {
        KthreadTimers.Cancel(ref _timers, KthreadTimer.Sleep);
        var sleeper = _sleeper;
        _sleeper = null;
        _k.InUninterruptibleSleep = false;
        Transition(KthreadState.Running);
        sleeper?.TrySetResult(woken);
    }

    // kernel: kthread_bind() — only while wait_task_inactive() holds, i.e. the function never ran.
    private int OnBind(int cpu)
    {
        var neverWoken = _k.State == KthreadState.New || (_k.State == KthreadState.Parked && !_started);
        if (!_cpus.IsPossible(cpu) || !neverWoken)
        {
            return -Errno.EINVAL;
        }

        _k.Bind(cpu);
        return 0;
    }

    // kernel: __set_cpus_allowed_ptr() — check the mask, store it; the thread moves at its next checkpoint
    // (the kernel's stop_one_cpu(migration_cpu_stop) for a running task). Unlike kthread_bind, at any time.
    private int OnSetCpusAllowed(IReadOnlyCollection<int>? cpus)
    {
        // kthread_is_per_cpu() / PF_NO_SETAFFINITY: smpboot owns a per-CPU thread's CPU.
        if (_k.PerCpu || cpus is null)
        {
            return -Errno.EINVAL;
        }

        var mask = cpus.Distinct().Order().ToArray();
        // cpumask_any_and_distribute(cpu_valid_mask, new_mask) >= nr_cpu_ids: nothing to run on.
        if (mask.Length == 0 || !mask.All(_cpus.IsPossible) || !_cpus.AnyOnline(mask))
        {
            return -Errno.EINVAL;
        }

        _k.SetAllowed(mask.Length == _cpus.Possible.Count ? null : mask);
        if (_k.LastCpu is { } last && !KthreadContext.Allows(mask, last))
        {
            // Off its CPU (asleep, parked, waiting for a CPU): ps shows it where it will resume, as migrate_tasks does.
            // A thread that holds its CPU is left alone (MoveOff refuses): it shows where it runs until its checkpoint.
            _k.MoveOff(last, _cpus.OnlineAfter(last, mask));
        }

        return 0;
    }

    // do_exit(): collect the code, answer the stoppers, or stay a zombie until someone stops us.
    private void OnExited(Exited exited)
    {
        if (exited.Oops is { } oops)
        {
            Log.Error(oops, "oops: kthread {0} ({1}) threw {2}; it exits with -EFAULT", _k.Pid, _k.Comm, oops.GetType().Name);
        }

        if (_k.State == KthreadState.Sleeping)
        {
            WakeSleeper(true);
        }

        _k.ExitCode = exited.Code;
        KthreadTimers.CancelAll(ref _timers);
        ReplyParkers(-Errno.ENOSYS);
        if (_stoppers is { Count: > 0 })
        {
            Reap();
            ReplyStoppers(exited.Code);
        }
        else
        {
            Transition(KthreadState.Zombie);
        }
    }

    // Dead before any stopper hears of it: a List sent after the reply never shows the thread.
    private void Reap()
    {
        Transition(KthreadState.Dead);
        Context.Parent.Tell(new Reaped(_k.Pid, _k.Snapshot()));
        Context.Stop(Self);
    }

    private sealed class Producer(ConcurrentDictionary<int, KthreadContext> births, KthreadsSettings settings, Cpus cpus) : IIndirectActorProducer
    {
        public Type ActorType => typeof(KthreadActor);

        public ActorBase Produce() => new KthreadActor(births, settings, cpus);

        public void Release(ActorBase actor)
        {
        }
    }
}
