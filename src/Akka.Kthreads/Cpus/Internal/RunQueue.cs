using System.Diagnostics;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One CPU's run queue: at most one kthread (or the CPU's stopper) holds the CPU;
/// the others wait in FIFO order, the stopper ahead of them all.
/// </summary>
/// <remarks>
/// A kthread acquires its CPU when it resumes and releases it at its next checkpoint (an await
/// on <c>current</c>), so the queue is a fair async mutex whose owner is a kthread. A kthread's grant
/// always resumes it on the CPU's own OS thread (<see cref="CpuThread"/>): a holder's code runs
/// there and nowhere else, so kthreads never take the pool threads Akka's actors run on. The
/// thread is started when the CPU is first used and ends when the CPU goes offline or the system
/// terminates. An offline queue grants nothing: its waiters are sent back to choose another CPU.
/// </remarks>
internal sealed class RunQueue
{
    private readonly object _lock = new();
    private readonly Queue<(object Owner, Grant Grant, bool Yields)> _waiting = new();
    private readonly Action<Exception> _onFault;
    private readonly HaltPoll _idlePoll;
    private (object Owner, Grant Grant)? _stopper;
    private object? _current;
    private long _touchTs;
    private CpuThread? _thread;
    private int _load;

    // Waiters queued by AcquireUnlessHeldByAsync: each gives way once its owner is granted the CPU by another entry.
    private int _yielding;
    private volatile bool _online;
    private bool _shutDown;

    public RunQueue(int cpu, Action<Exception> onFault, HaltPoll idlePoll, bool online = true)
    {
        Cpu = cpu;
        _onFault = onFault;
        _idlePoll = idlePoll;
        _online = online;
    }

    /// <summary>The CPU number this queue belongs to.</summary>
    public int Cpu { get; }

    /// <summary>False once the CPU went down: nothing is granted until it comes up again.</summary>
    public bool IsOnline => _online;

    /// <summary>Running plus waiting kthreads, read without the lock for placement decisions.</summary>
    public int Load => Volatile.Read(ref _load);

    /// <summary>True when another kthread (or the stopper) waits for this CPU, so a checkpoint should give it up.</summary>
    public bool HasWaiters => Volatile.Read(ref _load) > 1;

    /// <summary>Who holds the CPU now: a kthread's context, a stopper's work, or null when idle.</summary>
    public object? Holder => Volatile.Read(ref _current);

    /// <summary>
    /// When the holder last took the CPU or passed a checkpoint that kept it (Stopwatch ticks): the
    /// kernel's per-CPU watchdog_touch_ts, which the soft-lockup watchdog compares with now.
    /// </summary>
    public long TouchTs => Volatile.Read(ref _touchTs);

    /// <summary>The CPU's OS thread while it runs, else null (offline, never used, or the system terminated).</summary>
    public CpuThread? OsThread => Volatile.Read(ref _thread);

    /// <summary>True when the caller runs on this CPU's own thread.</summary>
    public bool RunsHere => CpuThread.Current is { } here && ReferenceEquals(here, Volatile.Read(ref _thread));

    /// <summary>touch_softlockup_watchdog(): the holder reached a checkpoint and keeps its CPU; one timestamp write.</summary>
    public void Touch() => Volatile.Write(ref _touchTs, Stopwatch.GetTimestamp());

    /// <summary>
    /// Completes with true when <paramref name="owner"/> holds the CPU, on the CPU's thread (synchronously
    /// when it is free and the caller is that thread), or with false when the CPU is or goes offline
    /// first: then choose another one.
    /// </summary>
    public ValueTask<bool> AcquireAsync(object owner) => Acquire(owner, stopper: false);

    /// <summary>True while <paramref name="owner"/> holds this CPU.</summary>
    public bool IsHeldBy(object owner)
    {
        lock (_lock)
        {
            return ReferenceEquals(_current, owner);
        }
    }

    /// <summary>As <see cref="AcquireAsync"/>, but false at once when <paramref name="owner"/> holds this CPU already: a queue never grants its own holder.</summary>
    public ValueTask<bool> AcquireUnlessHeldByAsync(object owner) => Acquire(owner, stopper: false, refuseOwn: true);

    /// <summary>
    /// The stopper's acquire (cpu_stopper, the highest priority): ahead of every waiting kthread,
    /// granted when the holder reaches its next checkpoint. One stopper at a time per CPU.
    /// </summary>
    public Task<bool> AcquireAsStopperAsync(object stopper) => Acquire(stopper, stopper: true).AsTask();

    private ValueTask<bool> Acquire(object owner, bool stopper, bool refuseOwn = false)
    {
        Grant hop;
        lock (_lock)
        {
            if (!_online || (refuseOwn && ReferenceEquals(_current, owner)))
            {
                return new ValueTask<bool>(false);
            }

            if (stopper && _stopper is not null)
            {
                throw new InvalidOperationException($"cpu {Cpu}: a second stopper");
            }

            _load++;
            if (_current is null)
            {
                Take(owner);
                if (stopper || RunsHere)
                {
                    // Already on this CPU's thread (a kthread giving its CPU back and taking it again); or a
                    // stopper, which holds an idle CPU by holding its queue and hops to the thread only for
                    // the steps it runs there (ResumeOnCpu): waking every CPU's thread for a stop_machine
                    // that runs fn on one of them cost an OS-thread wake-up per CPU.
                    return new ValueTask<bool>(true);
                }

                hop = new Grant();
            }
            else
            {
                var grant = new Grant();
                if (stopper)
                {
                    _stopper = (owner, grant);
                }
                else
                {
                    _waiting.Enqueue((owner, grant, refuseOwn));
                    _yielding += refuseOwn ? 1 : 0;
                }

                return new ValueTask<bool>(grant.Task);
            }
        }

        // Free, but the caller is elsewhere: the owner goes on once this CPU's thread runs it.
        Grant.Post(this, hop);
        return new ValueTask<bool>(hop.Task);
    }

    /// <summary>Runs <paramref name="run"/> on this CPU's thread (grants, the stopper's steps), or on the pool when the CPU has none.</summary>
    public void Run(Action<object?> run, object? state)
    {
        if (ThreadToRunOn() is not { } thread || !thread.TryPost(run, state))
        {
            ThreadPool.UnsafeQueueUserWorkItem(run, state, preferLocal: false);
        }
    }

    /// <summary>The system terminates: the CPU's thread ends and no new one is started.</summary>
    public void ShutDown()
    {
        CpuThread? thread;
        lock (_lock)
        {
            _shutDown = true;
            thread = _thread;
            _thread = null;
        }

        thread?.Close();
    }

    /// <summary>Withdraws a stopper that is still waiting (stop_machine gave up); false if it already holds the CPU.</summary>
    public bool CancelStopper(object stopper)
    {
        Grant? grant = null;
        lock (_lock)
        {
            if (_stopper is { } s && ReferenceEquals(s.Owner, stopper))
            {
                _stopper = null;
                _load--;
                grant = s.Grant;
            }
        }

        if (grant is not null)
        {
            Refuse(grant);
        }

        return grant is not null;
    }

    /// <summary>Gives the CPU up, handing it to the stopper if one waits, else to the first waiter.</summary>
    public void Release(object owner)
    {
        Grant? next = null;
        List<Grant>? yielded = null;
        lock (_lock)
        {
            if (!ReferenceEquals(_current, owner))
            {
                throw new InvalidOperationException($"cpu {Cpu}: released by a kthread that does not hold it");
            }

            _load--;
            if (_stopper is { } stopper)
            {
                _stopper = null;
                Take(stopper.Owner);
                next = stopper.Grant;
            }
            else if (_waiting.TryDequeue(out var waiter))
            {
                _yielding -= waiter.Yields ? 1 : 0;
                Take(waiter.Owner);
                next = waiter.Grant;
                // Only for the kthread's own acquire: an end granted here may still give the CPU back, and the end
                // of the group its flow awaits must then come next.
                yielded = waiter.Yields ? null : YieldTo(waiter.Owner);
            }
            else
            {
                _current = null;
            }
        }

        if (next is not null)
        {
            Grant.Post(this, next);
        }

        if (yielded is not null)
        {
            // A null check, not "yielded ?? []", which made an empty list at every release.
            foreach (var grant in yielded)
            {
                Refuse(grant);
            }
        }
    }

    // A kthread granted this CPU needs none of its own yielding waiters behind it (a wait's end queued for its flow):
    // left queued, one would wait for the flow's next checkpoint while the flow waits for it.
    private List<Grant>? YieldTo(object owner)
    {
        if (_yielding == 0)
        {
            return null;
        }

        List<Grant>? yielded = null;
        for (var i = _waiting.Count; i > 0; i--)
        {
            var entry = _waiting.Dequeue();
            if (entry.Yields && ReferenceEquals(entry.Owner, owner))
            {
                _yielding--;
                _load--;
                (yielded ??= []).Add(entry.Grant);
            }
            else
            {
                _waiting.Enqueue(entry);
            }
        }

        return yielded;
    }

    /// <summary>
    /// take_cpu_down's step, called by the stopper that holds the CPU: mark it offline and send
    /// every waiting kthread back to choose an online CPU.
    /// </summary>
    public void GoOffline()
    {
        List<Grant> migrate;
        CpuThread? thread;
        lock (_lock)
        {
            if (_current is KthreadContext)
            {
                throw new InvalidOperationException($"cpu {Cpu}: taken down while a kthread holds it, not its stopper");
            }

            _online = false;
            migrate = new List<Grant>(_waiting.Count);
            while (_waiting.TryDequeue(out var waiter))
            {
                _load--;
                migrate.Add(waiter.Grant);
            }

            _yielding = 0;

            // The CPU's thread runs what it has (the stopper's last steps) and exits.
            thread = _thread;
            _thread = null;
        }

        thread?.Close();
        foreach (var grant in migrate)
        {
            Refuse(grant);
        }
    }

    /// <summary>The CPU came up: grant it again; its thread starts with the first grant.</summary>
    public void GoOnline()
    {
        lock (_lock)
        {
            _online = true;
        }
    }

    private CpuThread? ThreadToRunOn()
    {
        var thread = Volatile.Read(ref _thread);
        if (thread is not null)
        {
            return thread;
        }

        lock (_lock)
        {
            if (_thread is null && _online && !_shutDown)
            {
                _thread = new CpuThread(Cpu, _onFault, _idlePoll);
            }

            return _thread;
        }
    }

    // Under the lock: owner holds the CPU from now; its stretch starts now for the soft-lockup watchdog.
    private void Take(object owner)
    {
        _current = owner;
        Touch();
    }

    // Not granted (offline, or the stopper withdrew): the waiter chooses again, off any CPU.
    private static void Refuse(Grant grant) =>
        ThreadPool.UnsafeQueueUserWorkItem(static g => g.SetResult(false), grant, preferLocal: false);

    /// <summary>A waiter's ticket; completing it on the CPU's thread runs the waiter's continuation there.</summary>
    private sealed class Grant : TaskCompletionSource<bool>
    {
        // With no thread (the system is terminating) the grant runs on the pool, so every waiter still ends.
        public static void Post(RunQueue queue, Grant grant) => queue.Run(static g => ((Grant)g!).TrySetResult(true), grant);
    }
}
