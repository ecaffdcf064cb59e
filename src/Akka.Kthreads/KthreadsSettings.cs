using Akka.Actor;
using Akka.Configuration;

namespace Akka.Kthreads;

/// <summary>
/// The <c>kthreads { }</c> section of the config, read once into one record (see hocon/kthreads.conf).
/// </summary>
/// <param name="KthreaddName">Name of kthreadd's system actor.</param>
/// <param name="AskTimeout">How long the facade waits for any reply before a TimeoutException.</param>
/// <param name="MaxThreads">Live threads allowed per node before creates reply -EAGAIN (threads-max).</param>
/// <param name="StrictTransitions">Throw on an illegal state transition instead of logging it.</param>
/// <param name="StopTimeout">How long a Stop waits for the function before replying -ETIMEDOUT.</param>
/// <param name="ParkTimeout">How long a Park waits for the thread to park before replying -ETIMEDOUT.</param>
/// <param name="PossibleCpus">How many CPUs are possible: CPUs 0 .. PossibleCpus-1.</param>
/// <param name="WorkerFlushTimeout">How long a worker flush, cancel or destroy waits for works before a TimeoutException.</param>
/// <param name="ReapedHistory">How many reaped threads kthreadd remembers to answer late messages with their name and code.</param>
/// <param name="StopMachineTimeout">How long stop_machine waits to hold every CPU before it gives up with -ETIMEDOUT.</param>
/// <param name="HotplugCallbackTimeout">How long one hotplug startup or teardown callback may run before it counts as failed (-ETIMEDOUT).</param>
/// <param name="ClusterCpus">Cluster-wide CPUs (kthreads.cluster.cpus, set by Akka.Kthreads.Cluster); 0 on a single node. When set, they are the possible CPUs and none is online at start.</param>
public sealed record KthreadsSettings(
    string KthreaddName,
    TimeSpan AskTimeout,
    int MaxThreads,
    bool StrictTransitions,
    TimeSpan StopTimeout,
    TimeSpan ParkTimeout,
    int PossibleCpus,
    int ReapedHistory,
    TimeSpan WorkerFlushTimeout,
    TimeSpan StopMachineTimeout,
    TimeSpan HotplugCallbackTimeout,
    int ClusterCpus = 0)
{
    /// <summary>kthreads.watchdog.soft-lockup-threshold: how long a kthread may hold its CPU without a checkpoint before it is reported; zero is off.</summary>
    /// <remarks>The kernel's 2 x watchdog_thresh; an init property, not a positional one, so the record's constructor stays as it was.</remarks>
    public TimeSpan SoftLockupThreshold { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>kthreads.watchdog.hung-task-timeout: how long a D sleep may go without a switch before khungtaskd reports it; zero is off.</summary>
    public TimeSpan HungTaskTimeout { get; init; }

    /// <summary>kthreads.watchdog.hung-task-check-interval: how often khungtaskd looks; zero means every <see cref="HungTaskTimeout"/>.</summary>
    public TimeSpan HungTaskCheckInterval { get; init; }

    /// <summary>kthreads.cpus.idle-poll: how long an idle CPU thread spins before it sleeps, at first and at least; a held-back Sleep waits at most the spin for a waker.</summary>
    public TimeSpan IdlePoll { get; init; } = Internal.CpuThread.DefaultIdlePoll;

    /// <summary>kthreads.cpus.idle-poll-max: how far an idle CPU thread's spin may grow while its wake-ups come soon after it went idle; no more than IdlePoll keeps the spin fixed.</summary>
    public TimeSpan IdlePollMax { get; init; } = Internal.CpuThread.DefaultIdlePollMax;

    /// <summary>How often khungtaskd actually looks: the interval, or the timeout when the interval is zero.</summary>
    internal TimeSpan HungTaskScanEvery => HungTaskCheckInterval > TimeSpan.Zero ? HungTaskCheckInterval : HungTaskTimeout;

    /// <summary>Every possible CPU comes online at start; not in a cluster, where a node has only the CPUs it hosts (maybe none).</summary>
    internal bool CpusOnlineAtStart => ClusterCpus == 0;

    /// <summary>How many CPUs this node's Cpus.Possible has: the cluster's when in one, else cpus.possible.</summary>
    internal int CpuCount => ClusterCpus > 0 ? ClusterCpus : PossibleCpus;

    /// <summary>Reads the settings of a running system, whose config already holds the reference defaults.</summary>
    /// <param name="system">The system whose <c>kthreads</c> section is read.</param>
    /// <returns>The settings.</returns>
    public static KthreadsSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return FromConfig(system.Settings.Config.WithFallback(Kthreads.DefaultConfig()).GetConfig("kthreads"));
    }

    /// <summary>Reads the settings from a <c>kthreads</c> section; every key must be present (fall back to the reference config).</summary>
    /// <param name="config">The <c>kthreads { }</c> section itself.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ConfigurationException">The section is missing, or a value is out of range (the message names the key).</exception>
    public static KthreadsSettings FromConfig(Config config)
    {
        if (config is null || config.IsEmpty)
        {
            throw ConfigurationException.NullOrEmptyConfig<KthreadsSettings>("kthreads");
        }

        var possible = Read(config, "cpus.possible", "a count of CPUs, 0 for the processor count", c => c.GetInt("cpus.possible", 0));
        if (possible < 0)
        {
            throw new ConfigurationException($"kthreads.cpus.possible must be 0 (the processor count) or a positive count, was {possible}");
        }

        var clusterCpus = Read(config, "cluster.cpus", "0 or a positive count of cluster-wide CPUs", c => c.GetInt("cluster.cpus", 0));
        if (clusterCpus < 0)
        {
            throw new ConfigurationException($"kthreads.cluster.cpus must be 0 (not a cluster) or a positive count of cluster-wide CPUs, was {clusterCpus}");
        }

        var settings = new KthreadsSettings(
            KthreaddName: Read(config, "kthreadd-name", "an actor name", c => c.GetString("kthreadd-name", "kthreadd")),
            AskTimeout: Positive(config, "ask-timeout"),
            MaxThreads: Read(config, "max-threads", "a positive count", c => c.GetInt("max-threads", 4194304)),
            StrictTransitions: Read(config, "strict-transitions", "on or off", c => c.GetBoolean("strict-transitions", false)),
            StopTimeout: Positive(config, "kthread.stop-timeout"),
            ParkTimeout: Positive(config, "kthread.park-timeout"),
            PossibleCpus: possible == 0 ? Environment.ProcessorCount : possible,
            ReapedHistory: Read(config, "kthreadd.reaped-history", "a count, 0 for none", c => c.GetInt("kthreadd.reaped-history", 1024)),
            WorkerFlushTimeout: Positive(config, "worker.flush-timeout"),
            StopMachineTimeout: Positive(config, "stop-machine.timeout"),
            HotplugCallbackTimeout: Positive(config, "hotplug.callback-timeout"),
            ClusterCpus: clusterCpus)
        {
            SoftLockupThreshold = NotNegative(config, "watchdog.soft-lockup-threshold"),
            HungTaskTimeout = NotNegative(config, "watchdog.hung-task-timeout"),
            HungTaskCheckInterval = NotNegative(config, "watchdog.hung-task-check-interval"),
            IdlePoll = NotNegative(config, "cpus.idle-poll"),
            IdlePollMax = NotNegative(config, "cpus.idle-poll-max"),
        };

        if (string.IsNullOrWhiteSpace(settings.KthreaddName))
        {
            throw new ConfigurationException("kthreads.kthreadd-name must be a non-empty actor name");
        }

        if (settings.ReapedHistory < 0)
        {
            throw new ConfigurationException($"kthreads.kthreadd.reaped-history must be 0 or a positive count, was {settings.ReapedHistory}");
        }

        if (settings.MaxThreads <= 0)
        {
            throw new ConfigurationException($"kthreads.max-threads must be positive, was {settings.MaxThreads}");
        }

        if (settings.AskTimeout <= settings.WorkerFlushTimeout)
        {
            throw new ConfigurationException(
                $"kthreads.ask-timeout ({settings.AskTimeout}) must be longer than kthreads.worker.flush-timeout ({settings.WorkerFlushTimeout}), so a flush asked of a worker's actor times out as a flush, not as an ask");
        }

        if (settings.AskTimeout <= settings.StopTimeout || settings.AskTimeout <= settings.ParkTimeout)
        {
            // Otherwise a slow stop ends as a timed-out ask, and the exit code goes to a dead asker.
            throw new ConfigurationException(
                $"kthreads.ask-timeout ({settings.AskTimeout}) must be longer than kthreads.kthread.stop-timeout ({settings.StopTimeout}) and kthreads.kthread.park-timeout ({settings.ParkTimeout})");
        }

        return settings;
    }

    private static TimeSpan Positive(Config config, string key) => Duration(config, key, "a positive duration such as 20s", zeroIsOff: false);

    // A duration where 0 means off (or "the default"), as the kernel's watchdog and hung_task sysctls.
    private static TimeSpan NotNegative(Config config, string key) => Duration(config, key, "a duration such as 20s, or 0 for off", zeroIsOff: true);

    private static TimeSpan Duration(Config config, string key, string what, bool zeroIsOff)
    {
        if (!config.HasPath(key))
        {
            throw new ConfigurationException($"kthreads.{key} is missing; it needs {what}");
        }

        var value = Read(config, key, what, c => c.GetTimeSpan(key, null, allowInfinite: false));
        if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !zeroIsOff))
        {
            throw new ConfigurationException($"kthreads.{key} must be {what}, was {value}");
        }

        return value;
    }

    // HOCON's own parse errors (FormatException, OverflowException, ...) do not say which key was wrong.
    private static T Read<T>(Config config, string key, string expected, Func<Config, T> read)
    {
        try
        {
            return read(config);
        }
        catch (Exception e) when (e is FormatException or OverflowException or NotSupportedException or ArgumentException or InvalidCastException)
        {
            var raw = config.GetValue(key)?.ToString() ?? "(missing)";
            throw new ConfigurationException($"kthreads.{key} must be {expected}, was '{raw}'", e);
        }
    }
}
