using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// stop_machine: run a function while every online CPU is held by its stopper, so no kthread code
/// runs anywhere (each kthread is at a checkpoint, not started, or exited).
/// </summary>
/// <remarks>
/// fn is synchronous, as in the kernel: it runs with every CPU held and must not wait. Calls are
/// served one at a time, and CPUs cannot come or go while one runs (hotplug waits for it). A call
/// made while no hotplug request is queued starts on its caller's thread (cpus_read_lock); else it
/// queues on the hotplug actor behind them.
/// </remarks>
public sealed class StopMachine
{
    private readonly Cpus _cpus;
    private readonly KthreadsSettings _settings;
    private readonly IScheduler _scheduler;
    private readonly ILoggingAdapter _log;
    private readonly Action<MultiStop> _ended;
    private volatile MultiStop? _current;

    internal StopMachine(Cpus cpus, KthreadsSettings settings, IScheduler scheduler, ILoggingAdapter log)
    {
        _cpus = cpus;
        _settings = settings;
        _scheduler = scheduler;
        _log = log;
        // Told by the thread that ends a call, before its caller or the next call hears of it; only that call's own
        // state is cleared all the same, so a call can never hide another.
        _ended = machine => Interlocked.CompareExchange(ref _current, null, machine);
    }

    /// <summary>Where the running stop_machine is in its lockstep; <see cref="MultiStopState.None"/> when none runs.</summary>
    public MultiStopState State => _current?.State ?? MultiStopState.None;

    /// <summary>In a cluster (Akka.Kthreads.Cluster): the machine over every node, which RunAsync with no cpus becomes.</summary>
    internal Func<Func<int, int>, CancellationToken, Task<int>>? ClusterWide { get; set; }

    /// <summary>stop_machine(): hold every online CPU, run <paramref name="fn"/> on <paramref name="cpus"/>, release them all.</summary>
    /// <param name="fn">Gets the CPU it runs on; must not wait. Its first non-zero return (in CPU order) is the result.</param>
    /// <param name="cpus">Where fn runs (offline ones are skipped); null: the first online CPU.</param>
    /// <param name="ct">Gives up waiting; a call that has not started yet never starts.</param>
    /// <returns>0 or fn's first non-zero return; -EFAULT if fn threw; -ETIMEDOUT if some CPU was not held within stop-machine.timeout (fn never ran); -ENOENT on a cluster node that hosts no CPU.</returns>
    /// <exception cref="ArgumentException">A null fn, an empty cpus, or a cpu outside Possible.</exception>
    /// <remarks>
    /// In a cluster, with no <paramref name="cpus"/>, it holds every online CPU of every node and runs fn once here
    /// (-EBUSY while a CPU is being handed off; -EINVAL when a node's stop-machine.timeout is under half of this one's); with
    /// <paramref name="cpus"/>, only this node's CPUs.
    /// </remarks>
    public Task<int> RunAsync(Func<int, int> fn, IReadOnlyCollection<int>? cpus = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        if (cpus is null && ClusterWide is { } clusterWide && !HotplugCallback.IsActive)
        {
            return clusterWide(fn, ct);
        }

        if (cpus is not null)
        {
            if (cpus.Count == 0)
            {
                throw new ArgumentException("stop_machine needs at least one cpu to run fn on (null: the first online one)", nameof(cpus));
            }

            foreach (var cpu in cpus)
            {
                _cpus.CheckPossible(cpu, nameof(cpus));
            }
        }

        if (HotplugCallback.IsActive)
        {
            // stop_machine_cpuslocked(): a hotplug callback already holds the lock.
            return RunLockedAsync(fn, cpus);
        }

        ct.ThrowIfCancellationRequested();
        return KthreadContext.SleepingOffCpu(static a => a.Self.ReadLockedAsync(a.Fn, a.Cpus, a.Ct), (Self: this, Fn: fn, Cpus: cpus, Ct: ct));
    }

    /// <summary>stop_one_cpu(): hold <paramref name="cpu"/> alone (its kthread reaches a checkpoint first) and run <paramref name="fn"/> there.</summary>
    /// <param name="cpu">An online CPU.</param>
    /// <param name="fn">Gets the CPU; must not wait.</param>
    /// <param name="ct">Gives up waiting while the CPU is not held yet; fn then never runs.</param>
    /// <returns>fn's return; -ENOENT if the CPU is offline; -EFAULT if fn threw; -ETIMEDOUT if the CPU was not held within stop-machine.timeout.</returns>
    /// <exception cref="ArgumentException">A null fn or a cpu outside Possible.</exception>
    public Task<int> RunOnCpuAsync(int cpu, Func<int, int> fn, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        _cpus.CheckPossible(cpu, nameof(cpu));
        ct.ThrowIfCancellationRequested();
        return KthreadContext.SleepingOffCpu(() => RunOneAsync(cpu, fn, ct));
    }

    /// <summary>
    /// stop_machine with the hotplug lock held (by the hotplug actor, or a callback it runs; or its read side, which
    /// <paramref name="readLock"/> then lets go before the caller hears of the result); <paramref name="reply"/>, if
    /// any, gets the result from the CPU thread that ends it.
    /// </summary>
    internal Task<int> RunLockedAsync(Func<int, int> fn, IReadOnlyCollection<int>? cpus, HotplugReply? reply = null,
        CpuHotplugLock? readLock = null) =>
        Prepare(fn, cpus, reply, readLock) is { } machine ? Start(machine) : Task.FromResult(-Errno.ENOENT);

    // The call over every online CPU, shown by State from now; null on a cluster node hosting no CPU, where there is no
    // CPU to run fn on (the read side, if held, is let go).
    private MultiStop? Prepare(Func<int, int> fn, IReadOnlyCollection<int>? cpus, HotplugReply? reply, CpuHotplugLock? readLock)
    {
        var online = _cpus.Online.ToArray();
        if (online.Length == 0)
        {
            readLock?.ReadUnlock();
            return null;
        }

        var active = cpus is null ? [online[0]] : cpus.Where(online.Contains).ToArray();
        var machine = new MultiStop(fn, online, active, _cpus, _log, reply, readLock, _ended);
        _current = machine;
        return machine;
    }

    // cpus_read_lock() without waiting: on the caller's own thread when no hotplug request is queued, else queued on
    // the hotplug actor behind them. Bounded as the actor's ask is (ask-timeout, the token) on Akka's scheduler, not
    // with Task.WaitAsync, whose timer on .NET's timer queue cost each call 3 - 6 us. The call itself goes on.
    private Task<int> ReadLockedAsync(Func<int, int> fn, IReadOnlyCollection<int>? cpus, CancellationToken ct)
    {
        if (!_cpus.HotplugLock.TryRead())
        {
            return _cpus.AskHotplugAsync(new CpuHotplugProtocol.RunStopMachine(fn, cpus), ct);
        }

        if (Prepare(fn, cpus, null, _cpus.HotplugLock) is not { } machine)
        {
            return Task.FromResult(-Errno.ENOENT);
        }

        var done = Start(machine);
        var bound = _settings.AskTimeout;
        machine.GiveUpWaiting(_scheduler.Advanced.ScheduleOnceCancelable(bound, () => machine.TimeOut(bound)), ct);
        return done;
    }

    private async Task<int> RunOneAsync(int cpu, Func<int, int> fn, CancellationToken ct)
    {
        // An offline CPU's stopper cannot take its queue: the work itself answers -ENOENT.
        var one = new MultiStop(fn, [cpu], [cpu], _cpus, _log);
        int result;
        await using (ct.Register(static m => ((MultiStop)m!).Abort(-Errno.ECANCELED), one).ConfigureAwait(false))
        {
            result = await Start(one).ConfigureAwait(false);
        }

        if (result == -Errno.ECANCELED && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }

        return result;
    }

    // Queue the stopper work on every participating CPU; give up if they are not all held in time. The call's own task
    // is returned, with no async frame between: the CPU thread that ends the call cancels the timeout itself.
    private Task<int> Start(MultiStop machine)
    {
        foreach (var cpu in machine.Cpus)
        {
            _cpus.Stopper(cpu).Queue(machine);
        }

        machine.CancelOnEnd(_scheduler.Advanced.ScheduleOnceCancelable(_settings.StopMachineTimeout, () =>
        {
            if (machine.Abort(-Errno.ETIMEDOUT))
            {
                _log.Error("stop_machine: not every CPU reached a checkpoint within {0} (kthreads.stop-machine.timeout); fn did not run", _settings.StopMachineTimeout);
            }
        }));
        return machine.Completion;
    }
}
