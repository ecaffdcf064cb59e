using System.Globalization;
using System.Text;

namespace Akka.Kthreads.Hosting;

/// <summary>
/// Every key of kthreads.conf as an option: only the ones set are rendered to HOCON, ahead of the
/// reference config; plus the threads the host starts once it has started.
/// </summary>
public sealed class KthreadsOptions
{
    /// <summary>No option set: the reference config's defaults, no declared threads.</summary>
    public KthreadsOptions()
    {
    }

    /// <summary>kthreads.kthreadd-name: the name of kthreadd's system actor.</summary>
    public string? KthreaddName { get; set; }

    /// <summary>kthreads.ask-timeout: how long the facade waits for any reply.</summary>
    public TimeSpan? AskTimeout { get; set; }

    /// <summary>kthreads.max-threads: live threads allowed before creates reply -EAGAIN.</summary>
    public int? MaxThreads { get; set; }

    /// <summary>kthreads.strict-transitions: an illegal state transition throws instead of being logged.</summary>
    public bool? StrictTransitions { get; set; }

    /// <summary>kthreads.kthreadd.reaped-history: how many reaped threads kthreadd remembers.</summary>
    public int? ReapedHistory { get; set; }

    /// <summary>kthreads.kthread.stop-timeout: how long a Stop waits for the function.</summary>
    public TimeSpan? StopTimeout { get; set; }

    /// <summary>kthreads.kthread.park-timeout: how long a Park waits for the thread to park.</summary>
    public TimeSpan? ParkTimeout { get; set; }

    /// <summary>kthreads.worker.flush-timeout: how long a worker flush, cancel or destroy waits.</summary>
    public TimeSpan? WorkerFlushTimeout { get; set; }

    /// <summary>kthreads.cpus.possible: CPUs 0 .. n-1; 0 for the processor count.</summary>
    public int? PossibleCpus { get; set; }

    /// <summary>kthreads.cluster.cpus: cluster-wide CPUs (set by the cluster library); 0 for none.</summary>
    public int? ClusterCpus { get; set; }

    /// <summary>kthreads.cpus.idle-poll: how long an idle CPU thread spins before it sleeps, at first and at least; zero sleeps at once.</summary>
    public TimeSpan? IdlePoll { get; set; }

    /// <summary>kthreads.cpus.idle-poll-max: how far the spin may grow while wake-ups come soon after idle; no more than IdlePoll keeps it fixed.</summary>
    public TimeSpan? IdlePollMax { get; set; }

    /// <summary>kthreads.stop-machine.timeout: how long stop_machine waits to hold every CPU.</summary>
    public TimeSpan? StopMachineTimeout { get; set; }

    /// <summary>kthreads.hotplug.callback-timeout: how long one hotplug callback may run.</summary>
    public TimeSpan? HotplugCallbackTimeout { get; set; }

    /// <summary>kthreads.watchdog.soft-lockup-threshold: how long a kthread may hold its CPU without a checkpoint before it is reported; zero turns the watchdog off.</summary>
    public TimeSpan? SoftLockupThreshold { get; set; }
    /// <summary>kthreads.watchdog.hung-task-timeout: how long a D sleep may go without a switch before khungtaskd reports it; zero is off.</summary>
    public TimeSpan? HungTaskTimeout { get; set; }

    /// <summary>kthreads.watchdog.hung-task-check-interval: how often khungtaskd looks; zero for every hung-task-timeout.</summary>
    public TimeSpan? HungTaskCheckInterval { get; set; }

    /// <summary>Per-CPU threads registered once the host has started, in this order.</summary>
    public IList<PerCpuThread> PerCpuThreads { get; } = new List<PerCpuThread>();

    /// <summary>kthread_workers (by name) created once the host has started; flushed and destroyed first when it stops.</summary>
    public IList<string> Workers { get; } = new List<string>();

    /// <summary>Named threads (kthread_run) started once the host has started, in this order.</summary>
    public IList<(string Name, ThreadFn Fn, object? Data)> Threads { get; } = new List<(string, ThreadFn, object?)>();

    /// <summary>The set options as a <c>kthreads { }</c> section; empty when none is set.</summary>
    /// <returns>HOCON text.</returns>
    public override string ToString()
    {
        var hocon = new StringBuilder();
        Hocon.Line(hocon, "kthreads.kthreadd-name", Hocon.Quote(KthreaddName));
        Hocon.Line(hocon, "kthreads.ask-timeout", Hocon.Duration(AskTimeout));
        Hocon.Line(hocon, "kthreads.max-threads", MaxThreads?.ToString(CultureInfo.InvariantCulture));
        Hocon.Line(hocon, "kthreads.strict-transitions", StrictTransitions is null ? null : StrictTransitions.Value ? "on" : "off");
        Hocon.Line(hocon, "kthreads.kthreadd.reaped-history", ReapedHistory?.ToString(CultureInfo.InvariantCulture));
        Hocon.Line(hocon, "kthreads.kthread.stop-timeout", Hocon.Duration(StopTimeout));
        Hocon.Line(hocon, "kthreads.kthread.park-timeout", Hocon.Duration(ParkTimeout));
        Hocon.Line(hocon, "kthreads.worker.flush-timeout", Hocon.Duration(WorkerFlushTimeout));
        Hocon.Line(hocon, "kthreads.cpus.possible", PossibleCpus?.ToString(CultureInfo.InvariantCulture));
        Hocon.Line(hocon, "kthreads.cpus.idle-poll", Hocon.Duration(IdlePoll));
        Hocon.Line(hocon, "kthreads.cpus.idle-poll-max", Hocon.Duration(IdlePollMax));
        Hocon.Line(hocon, "kthreads.cluster.cpus", ClusterCpus?.ToString(CultureInfo.InvariantCulture));
        Hocon.Line(hocon, "kthreads.stop-machine.timeout", Hocon.Duration(StopMachineTimeout));
        Hocon.Line(hocon, "kthreads.hotplug.callback-timeout", Hocon.Duration(HotplugCallbackTimeout));
        Hocon.Line(hocon, "kthreads.watchdog.soft-lockup-threshold", Hocon.Duration(SoftLockupThreshold));
        Hocon.Line(hocon, "kthreads.watchdog.hung-task-timeout", Hocon.Duration(HungTaskTimeout));
        Hocon.Line(hocon, "kthreads.watchdog.hung-task-check-interval", Hocon.Duration(HungTaskCheckInterval));
        return hocon.ToString();
    }

    /// <summary>Refuses a bad option at host start, naming it (never later, in a running system).</summary>
    /// <exception cref="ArgumentException">An option out of range; the message and ParamName name it.</exception>
    public void Validate()
    {
        const string owner = nameof(KthreadsOptions);
        Check.Positive(AskTimeout, owner, nameof(AskTimeout));
        Check.Positive(StopTimeout, owner, nameof(StopTimeout));
        Check.Positive(ParkTimeout, owner, nameof(ParkTimeout));
        Check.Positive(WorkerFlushTimeout, owner, nameof(WorkerFlushTimeout));
        Check.Positive(StopMachineTimeout, owner, nameof(StopMachineTimeout));
        Check.Positive(HotplugCallbackTimeout, owner, nameof(HotplugCallbackTimeout));
        Check.NotNegative(IdlePoll, owner, nameof(IdlePoll));
        Check.NotNegative(IdlePollMax, owner, nameof(IdlePollMax));
        Check.NotNegative(SoftLockupThreshold, owner, nameof(SoftLockupThreshold));
        Check.NotNegative(HungTaskTimeout, owner, nameof(HungTaskTimeout));
        Check.NotNegative(HungTaskCheckInterval, owner, nameof(HungTaskCheckInterval));
        Check.NotBlank(KthreaddName, owner, nameof(KthreaddName));
        Check.AtLeast(MaxThreads, 1, owner, nameof(MaxThreads));
        Check.AtLeast(ReapedHistory, 0, owner, nameof(ReapedHistory));
        Check.AtLeast(PossibleCpus, 0, owner, nameof(PossibleCpus));
        Check.AtLeast(ClusterCpus, 0, owner, nameof(ClusterCpus));
    }
}
