using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Event;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The soft-lockup watchdog (kernel/watchdog.c): a periodic timer on Akka's scheduler,
/// the kernel's per-CPU watchdog hrtimer, that reads each run queue's touch timestamp and reports a
/// kthread that has held its CPU for the threshold without a checkpoint.
/// </summary>
/// <remarks>
/// A sample reads two fields per CPU and allocates only when it reports, so it never holds a pool
/// thread for long. The kernel repeats its report every threshold while the CPU stays stuck; here a
/// stuck stretch (one touch timestamp) is reported once: a kthread that never checkpoints would
/// otherwise fill the log. A CPU held by its stopper (stop_machine) or idle is not a kthread and is
/// never reported.
/// </remarks>
internal sealed class SoftLockupWatchdog : UntypedActor, IWithTimers
{
    private readonly Cpus _cpus;
    private readonly long _thresh;
    private readonly TimeSpan _samplePeriod;
    private readonly long[] _reportTs;
    private readonly long[] _reportedTouch;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public SoftLockupWatchdog(Cpus cpus, TimeSpan threshold)
    {
        _cpus = cpus;
        _thresh = (long)(threshold.TotalSeconds * Stopwatch.Frequency);
        // kernel: sample_period = get_softlockup_thresh() * ((u64)NSEC_PER_SEC / NUM_SAMPLE_PERIODS);
        _samplePeriod = threshold / 5;
        _reportTs = new long[cpus.Possible.Count];
        _reportedTouch = new long[cpus.Possible.Count];
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Cpus cpus, TimeSpan threshold) =>
        Actor.Props.Create(() => new SoftLockupWatchdog(cpus, threshold));

    protected override void PreStart() =>
        // kernel: watchdog_enable(): hrtimer_start(hrtimer, ns_to_ktime(sample_period), HRTIMER_MODE_REL_PINNED_HARD);
        Timers.StartPeriodicTimer(Sample.Instance, Sample.Instance, _samplePeriod);

    protected override void OnReceive(object message)
    {
        if (message is Sample)
        {
            foreach (var cpu in _cpus.Possible)
            {
                WatchdogTimerFn(cpu);
            }
        }
        else
        {
            Unhandled(message);
        }
    }

    // kernel: static enum hrtimer_restart watchdog_timer_fn(struct hrtimer *hrtimer)
    private void WatchdogTimerFn(int cpu)
    {
        var rq = _cpus.Queue(cpu);

        // now = get_timestamp();
        var now = Stopwatch.GetTimestamp();

        // touch_ts = __this_cpu_read(watchdog_touch_ts);
        var touchTs = rq.TouchTs;
        if (rq.Holder is not KthreadContext current || rq.TouchTs != touchTs)
        {
            // Idle, held by the stopper (not a kthread), or it moved on while we looked.
            return;
        }

        // A touch also updates the report period (kernel: update_touch_ts() calls update_report_ts()).
        if (touchTs > _reportTs[cpu])
        {
            _reportTs[cpu] = touchTs;
        }

        // period_ts = READ_ONCE(*this_cpu_ptr(&watchdog_report_ts));
        var periodTs = _reportTs[cpu];

        // duration = is_softlockup(touch_ts, period_ts, now);
        var duration = IsSoftlockup(touchTs, periodTs, now);
        if (duration == 0 || _reportedTouch[cpu] == touchTs)
        {
            // Not stuck long enough, or this stretch was reported already (the kernel would repeat).
            return;
        }

        // /* Start period for the next softlockup warning. */ update_report_ts();
        _reportTs[cpu] = now;
        _reportedTouch[cpu] = touchTs;

        var stuckFor = TimeSpan.FromSeconds((double)duration / Stopwatch.Frequency);
        // pr_emerg("BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]\n", smp_processor_id(), duration, current->comm, task_pid_nr(current));
        var line = string.Create(CultureInfo.InvariantCulture,
            $"watchdog: BUG: soft lockup - CPU#{cpu} stuck for {(int)stuckFor.TotalSeconds}s! [{current.Comm}:{current.Pid}]");
        _log.Error("{0}", line);
        Context.System.EventStream.Publish(new SoftLockupDetected(cpu, current.Pid, current.Comm, stuckFor) { Message = line });
    }

    // kernel: static int is_softlockup(unsigned long touch_ts, unsigned long period_ts, unsigned long now)
    private long IsSoftlockup(long touchTs, long periodTs, long now)
    {
        // if (time_after(now, period_ts + get_softlockup_thresh()))
        //         return now - touch_ts;
        if (now > periodTs + _thresh)
        {
            return now - touchTs;
        }

        // return 0;
        return 0;
    }

    /// <summary>The hrtimer's tick: one sample of every CPU.</summary>
    private sealed class Sample : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static Sample Instance { get; } = new();
    }
}
