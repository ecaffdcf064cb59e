namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One CPU's run queue: at most one kthread holds the CPU; the others wait in FIFO order.
/// </summary>
/// <remarks>
/// A kthread acquires its CPU when it resumes and releases it at its next checkpoint (an await
/// on <c>current</c>), so the queue is a fair async mutex whose owner is a kthread, not an OS thread.
/// Waiters resume on the thread pool, never inline in the releaser (RunContinuationsAsynchronously).
/// </remarks>
internal sealed class RunQueue
{
    private readonly object _lock = new();
    private readonly Queue<(object Owner, TaskCompletionSource Grant)> _waiting = new();
    private object? _current;
    private int _load;

    public RunQueue(int cpu) => Cpu = cpu;

    /// <summary>The CPU number this queue belongs to.</summary>
    public int Cpu { get; }

    /// <summary>Running plus waiting kthreads, read without the lock for placement decisions.</summary>
    public int Load => Volatile.Read(ref _load);

    /// <summary>True when another kthread waits for this CPU, so a checkpoint should give it up.</summary>
    public bool HasWaiters => Volatile.Read(ref _load) > 1;

    /// <summary>Completes when <paramref name="owner"/> holds the CPU; synchronously when it is free.</summary>
    public ValueTask AcquireAsync(object owner)
    {
        lock (_lock)
        {
            _load++;
            if (_current is null)
            {
                _current = owner;
                return default;
            }

            var grant = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue((owner, grant));
            return new ValueTask(grant.Task);
        }
    }

    /// <summary>Gives the CPU up, handing it to the first waiter.</summary>
    public void Release(object owner)
    {
        TaskCompletionSource? next = null;
        lock (_lock)
        {
            if (!ReferenceEquals(_current, owner))
            {
                throw new InvalidOperationException($"cpu {Cpu}: released by a kthread that does not hold it");
            }

            _load--;
            if (_waiting.TryDequeue(out var waiter))
            {
                _current = waiter.Owner;
                next = waiter.Grant;
            }
            else
            {
                _current = null;
            }
        }

        next?.SetResult();
    }
}
