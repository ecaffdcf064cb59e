namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One CPU's run queue: at most one kthread (or the CPU's stopper) holds the CPU;
/// the others wait in FIFO order, the stopper ahead of them all.
/// </summary>
/// <remarks>
/// A kthread acquires its CPU when it resumes and releases it at its next checkpoint (an await
/// on <c>current</c>), so the queue is a fair async mutex whose owner is a kthread, not an OS thread.
/// Waiters resume on the thread pool's global queue, never inline in the releaser: kthreads handing
/// a CPU back and forth must not starve the actors (whose mailboxes run from that same queue) by
/// keeping each other in one pool thread's local queue. An offline queue grants nothing: its
/// waiters are sent back to choose another CPU.
/// </remarks>
internal sealed class RunQueue
{
    private readonly object _lock = new();
    private readonly Queue<(object Owner, TaskCompletionSource<bool> Grant)> _waiting = new();
    private (object Owner, TaskCompletionSource<bool> Grant)? _stopper;
    private object? _current;
    private int _load;
    private volatile bool _online = true;

    public RunQueue(int cpu) => Cpu = cpu;

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
    /// Completes with true when <paramref name="owner"/> holds the CPU (synchronously when it is
    /// free), or with false when the CPU is or goes offline first: then choose another one.
    /// </summary>
    public ValueTask<bool> AcquireAsync(object owner) => Acquire(owner, stopper: false);

    /// <summary>
    /// The stopper's acquire (cpu_stopper, the highest priority): ahead of every waiting kthread,
    /// granted when the holder reaches its next checkpoint. One stopper at a time per CPU.
    /// </summary>
    public Task<bool> AcquireAsStopperAsync(object stopper) => Acquire(stopper, stopper: true).AsTask();

    private ValueTask<bool> Acquire(object owner, bool stopper)
    {
        lock (_lock)
        {
            if (!_online)
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
                _current = owner;
                return new ValueTask<bool>(true);
            }

            var grant = new TaskCompletionSource<bool>();
            if (stopper)
            {
                _stopper = (owner, grant);
            }
            else
            {
                _waiting.Enqueue((owner, grant));
            }

            return new ValueTask<bool>(grant.Task);
        }
    }

    /// <summary>Withdraws a stopper that is still waiting (stop_machine gave up); false if it already holds the CPU.</summary>
    public bool CancelStopper(object stopper)
    {
        TaskCompletionSource<bool>? grant = null;
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
            Complete(grant, false);
        }

        return grant is not null;
    }

    /// <summary>Gives the CPU up, handing it to the stopper if one waits, else to the first waiter.</summary>
    public void Release(object owner)
    {
        TaskCompletionSource<bool>? next = null;
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
                _current = stopper.Owner;
                next = stopper.Grant;
            }
            else if (_waiting.TryDequeue(out var waiter))
            {
                _current = waiter.Owner;
                next = waiter.Grant;
            }
            else
            {
                _current = null;
            }
        }

        if (next is not null)
        {
            Complete(next, true);
        }
    }

    /// <summary>
    /// take_cpu_down's step, called by the stopper that holds the CPU: mark it offline and send
    /// every waiting kthread back to choose an online CPU.
    /// </summary>
    public void GoOffline()
    {
        List<TaskCompletionSource<bool>> migrate;
        lock (_lock)
        {
            if (_current is KthreadContext)
            {
                throw new InvalidOperationException($"cpu {Cpu}: taken down while a kthread holds it, not its stopper");
            }

            _online = false;
            migrate = new List<TaskCompletionSource<bool>>(_waiting.Count);
            while (_waiting.TryDequeue(out var waiter))
            {
                _load--;
                migrate.Add(waiter.Grant);
            }
        }

        foreach (var grant in migrate)
        {
            Complete(grant, false);
        }
    }

    /// <summary>The CPU came up: grant it again.</summary>
    public void GoOnline()
    {
        lock (_lock)
        {
            _online = true;
        }
    }

    // The waiter's continuation runs inline in this work item: one hop, through the global queue.
    private static void Complete(TaskCompletionSource<bool> grant, bool granted) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static state => state.Grant.SetResult(state.Granted), (Grant: grant, Granted: granted), preferLocal: false);
}
