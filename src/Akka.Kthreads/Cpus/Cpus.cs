using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// The node's CPUs (cpu_possible_mask, cpu_online_mask), each with a run queue that runs at
/// most one kthread at a time, and CPU hotplug: up, down and the cpuhp states that run on each.
/// </summary>
/// <remarks>
/// Hotplug operations, state changes, per-CPU thread registration and stop_machine are served
/// one at a time (the kernel's cpu_hotplug_lock: stop_machine takes its read side without the
/// hotplug actor while nothing is queued there). A call from inside a kthread sleeps off its CPU
/// while it waits, so the operation can take that CPU too.
/// </remarks>
public sealed class Cpus
{
    private readonly RunQueue[] _runQueues;
    private readonly int[][] _singleMasks;
    private readonly CpuStopper[] _stoppers;
    private readonly KthreadsSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly Func<IActorRef> _hotplug;
    private volatile int[] _online;
    private volatile TaskCompletionSource _nextOnline = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile HotplugState[] _states = [Smpboot];
    private int _nextUnbound = -1;

    /// <summary>cpuhp's built-in state for per-CPU threads: startups run first, teardowns last.</summary>
    internal static readonly HotplugState Smpboot = new(0, "smpboot/threads:online");

    internal Cpus(KthreadsSettings settings, ILoggingAdapter log, Func<IActorRef> hotplug)
    {
        var possible = settings.CpuCount;
        if (possible <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), possible, "at least one CPU must be possible");
        }

        _settings = settings;
        _log = log;
        _hotplug = hotplug;
        _runQueues = new RunQueue[possible];
        _singleMasks = new int[possible][];
        _stoppers = new CpuStopper[possible];
        var ids = new int[possible];
        var idlePoll = new HaltPoll(settings.IdlePoll, settings.IdlePollMax);
        for (var cpu = 0; cpu < possible; cpu++)
        {
            _runQueues[cpu] = new RunQueue(cpu, OnCpuThreadFault, idlePoll, settings.CpusOnlineAtStart);
            ids[cpu] = cpu;
            _singleMasks[cpu] = [cpu];
            _stoppers[cpu] = new CpuStopper(cpu);
        }

        Possible = ids;
        _online = settings.CpusOnlineAtStart ? (int[])ids.Clone() : [];
    }

    /// <summary>cpu_possible_mask: CPUs 0 .. n-1, fixed at start by <c>kthreads.cpus.possible</c>.</summary>
    public IReadOnlyList<int> Possible { get; }

    /// <summary>cpu_online_mask: the CPUs that run kthreads now, in ascending order; hotplug changes it.</summary>
    public IReadOnlyList<int> Online => _online;

    /// <summary>The hotplug states installed now, in the order their startups run when a CPU comes up.</summary>
    public IReadOnlyList<HotplugState> States => _states;

    /// <summary>True when <paramref name="cpu"/> is in <see cref="Possible"/>.</summary>
    /// <param name="cpu">A CPU number.</param>
    /// <returns>Whether a thread may be bound to it.</returns>
    public bool IsPossible(int cpu) => cpu >= 0 && cpu < _runQueues.Length;

    /// <summary>True when <paramref name="cpu"/> is in <see cref="Online"/>.</summary>
    /// <param name="cpu">A CPU number.</param>
    /// <returns>Whether kthreads may run on it now.</returns>
    public bool IsOnline(int cpu) => IsPossible(cpu) && _runQueues[cpu].IsOnline;

    /// <summary>cpu_up(): bring <paramref name="cpu"/> online and run every state's startup on it, in state order.</summary>
    /// <param name="cpu">A CPU in Possible that is offline.</param>
    /// <param name="ct">Gives up waiting; a bring-up that has not started yet never starts.</param>
    /// <returns>0; -EINVAL if it is online already or not possible; a startup's error (the CPU is rolled back and stays down).</returns>
    public Task<int> UpAsync(int cpu, CancellationToken ct = default) =>
        IsPossible(cpu) ? HotplugAsync(new CpuHotplugProtocol.Up(cpu), ct) : Task.FromResult(-Errno.EINVAL);

    /// <summary>cpu_down(): run every state's teardown on <paramref name="cpu"/> in reverse order, park its per-CPU threads, take it offline.</summary>
    /// <param name="cpu">A CPU in Possible that is online.</param>
    /// <param name="ct">Gives up waiting; a take-down that has not started yet never starts.</param>
    /// <returns>0; -EINVAL if it is offline already or not possible; -EBUSY for the last online CPU (not in a cluster, where a node may host none); a teardown's error (the CPU is rolled forward and stays up).</returns>
    public Task<int> DownAsync(int cpu, CancellationToken ct = default) =>
        IsPossible(cpu) ? HotplugAsync(new CpuHotplugProtocol.Down(cpu), ct) : Task.FromResult(-Errno.EINVAL);

    /// <summary>cpuhp_setup_state(): add a state; its startup runs now on every online CPU, later on each CPU that comes up.</summary>
    /// <param name="name">The state's name, as "subsys/what:online".</param>
    /// <param name="startup">Runs on a CPU coming up; 0 for success, else an error that rolls the CPU back.</param>
    /// <param name="teardown">Runs on a CPU going down, in reverse state order; null for none.</param>
    /// <param name="ct">Gives up waiting; a setup that has not started yet never starts.</param>
    /// <returns>The state id (&gt;= 0); or the first startup error, after its teardown ran on the CPUs already done and the state was dropped.</returns>
    /// <exception cref="ArgumentException">An empty name or a null startup.</exception>
    public Task<int> SetupStateAsync(string name, Func<int, Task<int>> startup, Func<int, Task<int>>? teardown,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(startup);
        return HotplugAsync(new CpuHotplugProtocol.SetupState(name, startup, teardown), ct);
    }

    /// <summary>cpuhp_remove_state(): run the state's teardown on every online CPU, then drop it.</summary>
    /// <param name="state">An id from <see cref="SetupStateAsync"/>.</param>
    /// <param name="ct">Gives up waiting; a removal that has not started yet never starts.</param>
    /// <returns>0 (a failing teardown is logged and the state is dropped anyway, as in the kernel); -EINVAL for an unknown or built-in state.</returns>
    public Task<int> RemoveStateAsync(int state, CancellationToken ct = default) =>
        HotplugAsync(new CpuHotplugProtocol.RemoveState(state), ct);

    /// <summary>
    /// The mask of <paramref name="cpu"/> alone, one array per CPU that every thread bound there shares (never written):
    /// ps reads each bound thread's mask, and 10,000 arrays of their own lay apart on the heap, a miss each.
    /// </summary>
    internal int[] SingleMask(int cpu) => _singleMasks[cpu];

    /// <summary>The run queue of <paramref name="cpu"/>.</summary>
    internal RunQueue Queue(int cpu) => _runQueues[cpu];

    /// <summary>cpu_hotplug_lock: stop_machine takes its read side, the hotplug actor its write side for each request.</summary>
    internal CpuHotplugLock HotplugLock { get; } = new();

    /// <summary>The stopper of <paramref name="cpu"/> (migration/N): its stop_machine works, one at a time.</summary>
    internal CpuStopper Stopper(int cpu) => _stoppers[cpu];

    /// <summary>The system terminates: every CPU's thread ends once it has run what it holds.</summary>
    internal void ShutDown()
    {
        foreach (var queue in _runQueues)
        {
            queue.ShutDown();
        }
    }

    /// <summary>Publishes the online mask after a hotplug step (only the hotplug actor calls this).</summary>
    internal void SetOnline(int cpu, bool online)
    {
        var next = online ? _online.Append(cpu).Distinct() : _online.Where(c => c != cpu);
        _online = next.Order().ToArray();
        if (online)
        {
            // The mask first, then the signal: a waiter that reads the new signal sees the CPU.
            Interlocked.Exchange(ref _nextOnline, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>True while a node of a cluster may be left without any CPU (no -EBUSY for the last one).</summary>
    internal bool MayHaveNone => !_settings.CpusOnlineAtStart;

    /// <summary>Completes when the next CPU comes online: a kthread of a node with no CPU waits on it (ps: R, CPU -).</summary>
    internal Task NextOnline => _nextOnline.Task;

    internal void SetStates(IEnumerable<HotplugState> states) => _states = states.ToArray();

    /// <summary>
    /// The run queue a resuming kthread should wait in: its bound CPU while online, else the CPU it
    /// last ran on if that is idle and allowed, else the least loaded online CPU of its mask (ties broken
    /// round robin, so idle CPUs share new work). Null when no CPU is online (a cluster node hosting none): wait for <see cref="NextOnline"/>.
    /// </summary>
    internal RunQueue? Select(KthreadContext k)
    {
        // Read once: set_cpus_allowed_ptr may change it meanwhile; the thread's next checkpoint sees the new one.
        var mask = k.Allowed;
        if (mask is [var cpu] && _runQueues[cpu].IsOnline)
        {
            return _runQueues[cpu];
        }

        if (mask is not null && !AnyOnline(mask))
        {
            FallBack(k, mask, k.LastCpu is { } last && KthreadContext.Allows(mask, last) ? last : mask[0]);
            mask = null;
        }

        // kernel: select_task_rq_fair() prefers prev_cpu when it is idle: the thread resumes on the
        // CPU thread that just ran it, which is still awake, instead of waking another.
        if (k.LastCpu is { } prev && _runQueues[prev] is { IsOnline: true, Load: 0 } idle && KthreadContext.Allows(mask, prev))
        {
            return idle;
        }

        if (mask is not null)
        {
            return LeastLoaded(mask);
        }

        var online = _online;
        if (online.Length == 0)
        {
            return null;
        }

        // kernel: select_idle_sibling() takes an idle CPU. Of several, the one that ran something last: its
        // thread is the likeliest to be awake still, and waking a slept CPU thread costs more than the whole run.
        RunQueue? warmest = null;
        foreach (var each in online)
        {
            var queue = _runQueues[each];
            if (queue.Load == 0 && (warmest is null || queue.TouchTs > warmest.TouchTs))
            {
                warmest = queue;
            }
        }

        if (warmest is not null)
        {
            return warmest;
        }

        // All busy: spread by load, starting from the next CPU in turn.
        return LeastLoaded(online);
    }

    /// <summary>
    /// An online CPU to show as the last one of a thread moved off <paramref name="from"/>, one of <paramref name="mask"/>
    /// when it has one online; -1 (none) when no CPU is online.
    /// </summary>
    internal int OnlineAfter(int from, int[]? mask = null)
    {
        var online = mask is null ? _online : _online.Where(c => KthreadContext.Allows(mask, c)).ToArray();
        if (online.Length == 0 && mask is not null)
        {
            online = _online;
        }

        return online.Length == 0 ? -1 : online.FirstOrDefault(c => c > from, online[0]);
    }

    /// <summary>True when a CPU of <paramref name="mask"/> is online.</summary>
    internal bool AnyOnline(int[] mask)
    {
        foreach (var cpu in mask)
        {
            if (IsOnline(cpu))
            {
                return true;
            }
        }

        return false;
    }

    // The least loaded online CPU of a mask that has one, starting the scan round robin as for unbound threads.
    private RunQueue LeastLoaded(int[] mask)
    {
        var start = (int)((uint)Interlocked.Increment(ref _nextUnbound) % (uint)mask.Length);
        RunQueue? best = null;
        for (var i = 0; i < mask.Length && best is not { Load: 0 }; i++)
        {
            var candidate = _runQueues[mask[(start + i) % mask.Length]];
            if (candidate.IsOnline && (best is null || candidate.Load < best.Load))
            {
                best = candidate;
            }
        }

        // None online after all (a CPU went down since the caller looked): its queue sends the thread back to choose again.
        return best ?? _runQueues[mask[start]];
    }

    /// <summary>Throws at the door when <paramref name="cpu"/> is not a possible CPU.</summary>
    internal void CheckPossible(int cpu, string paramName)
    {
        if (!IsPossible(cpu))
        {
            throw new ArgumentOutOfRangeException(paramName, cpu,
                $"cpu {cpu} is not possible: this node has CPUs 0..{_runQueues.Length - 1} (kthreads.cpus.possible)");
        }
    }

    /// <summary>
    /// kernel: select_fallback_rq() — a thread whose mask has no online CPU left runs elsewhere. A plain kthread
    /// loses its mask for good (any CPU); a per-CPU one keeps it (Unpark binds it home) and runs elsewhere this once.
    /// </summary>
    /// <param name="k">The thread.</param>
    /// <param name="mask">Its mask as read by the caller; a newer one is left alone.</param>
    /// <param name="cpu">The offline CPU the log line names (the kernel names the CPU the thread was on).</param>
    internal void FallBack(KthreadContext k, int[] mask, int cpu)
    {
        if (!k.PerCpu)
        {
            if (k.LoseAffinity(mask))
            {
                _log.Info("process {0} ({1}) no longer affine to cpu{2}", k.Pid, k.Comm, cpu);
            }
        }
        else if (!k.ShouldStop)
        {
            _log.Warning("per-CPU kthread {0} ({1}) runs while cpu{2} is offline: it runs on another CPU until unparked there", k.Pid, k.Comm, cpu);
        }
    }

    private void OnCpuThreadFault(Exception e) =>
        _log.Error(e, "a CPU thread caught {0} outside any kthread; the CPU goes on", e.GetType().Name);

    /// <summary>Sends one request to the hotplug actor (cpu_hotplug_lock), sleeping off the caller's CPU meanwhile.</summary>
    internal Task<int> HotplugAsync(CpuHotplugProtocol.Request request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (HotplugCallback.IsActive)
        {
            _log.Error("{0} asked from inside a hotplug callback would wait for itself: -EDEADLK", request.GetType().Name);
            return Task.FromResult(-Errno.EDEADLK);
        }

        return KthreadContext.SleepingOffCpu(() => AskHotplugAsync(request, ct));
    }

    /// <summary>As <see cref="HotplugAsync"/> for a caller that is off its CPU already (or no kthread): stop_machine, once it could not take the read side.</summary>
    /// <remarks>
    /// The ask itself is never cancelled: a request that already started finishes, and its reply is dropped; one that
    /// has not is skipped by the actor once abandoned. The reply completes the caller's task with its value directly.
    /// The request holds stop_machine's read side back from now until the actor is done with it, or it is abandoned.
    /// </remarks>
    internal Task<int> AskHotplugAsync(CpuHotplugProtocol.Request request, CancellationToken ct)
    {
        HotplugLock.Queue(request);
        return LocalReply<int>.Ask((IInternalActorRef)_hotplug(), request, _settings.AskTimeout, ct, () =>
        {
            if (request.Ticket.TryAbandon())
            {
                HotplugLock.Done(request);
            }
        }, ResultValue);
    }

    private static bool ResultValue(object reply, out int value)
    {
        if (reply is CpuHotplugProtocol.Result result)
        {
            value = result.Value;
            return true;
        }

        value = 0;
        return false;
    }
}
