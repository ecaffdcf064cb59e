using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// What a per-CPU thread's callbacks get: its CPU, its per-CPU state (kept across down and up)
/// and the thread itself.
/// </summary>
/// <remarks>
/// In a cluster the state and the items queued to the thread (<c>ClusterKthreads.QueueOnCpuAsync</c>)
/// move with the CPU: saved after the thread parks on the old node, handed to it on the new one
/// before it runs there.
/// </remarks>
public sealed class PerCpu
{
    private readonly object _lock = new();
    private readonly Queue<(long Seq, object Item)> _items = new();
    private long _taken;

    internal PerCpu(int cpu, string name)
    {
        Cpu = cpu;
        Name = name;
    }

    /// <summary>The CPU this thread belongs to.</summary>
    public int Cpu { get; }

    /// <summary>The thread's name on this CPU ("counter/3"): the key its state and items are saved under in a cluster.</summary>
    public string Name { get; }

    /// <summary>The per-CPU state made by <see cref="PerCpuThread.CreateState"/> (or restored from the cluster's store); the thread may replace it.</summary>
    public object? State { get; set; }

    /// <summary>The thread's <c>current</c>: checkpoints, ShouldStop, ShouldPark.</summary>
    public KthreadContext Current { get; internal set; } = null!;

    /// <summary>The thread's handle: wake it (wake_up_process) when ThreadShouldRun becomes true.</summary>
    public Kthread Thread { get; internal set; } = null!;

    /// <summary>How many queued items wait to be taken: a natural <see cref="PerCpuThread.ThreadShouldRun"/>.</summary>
    public int PendingItems
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Takes the oldest queued item (arrival order); from the thread itself, between its checkpoints.</summary>
    /// <param name="item">The item, or null when none waits.</param>
    /// <returns>False when no item waits.</returns>
    /// <remarks>An item taken counts as handled once the state is saved after it: keep what it did in <see cref="State"/>.</remarks>
    public bool TryTakeItem(out object? item)
    {
        lock (_lock)
        {
            if (_items.TryDequeue(out var next))
            {
                _taken = next.Seq;
                item = next.Item;
                return true;
            }
        }

        item = null;
        return false;
    }

    /// <summary>Saves <see cref="State"/> (and which items it has taken) to the cluster's store now, for crash safety; call it from the thread.</summary>
    /// <returns>True once durable; false on a node with no store (not a cluster), where there is nothing to save to, or when the state is above kthreads.cluster.max-payload-size or does not read back from its bytes (logged; nothing is saved), or when the CPU's entity stopped or did not answer within kthreads.cluster.ask-timeout (logged; the write may have happened, so the next node may start from it).</returns>
    /// <remarks>The state is serialized when this is called; the thread sleeps off its CPU while the write completes.</remarks>
    public Task<bool> SaveStateAsync()
    {
        if (Store is not { } store)
        {
            return Task.FromResult(false);
        }

        // Captured (and serialized) here, on the thread; only the write happens off its CPU.
        var save = store.Save(this, State, Taken);
        return KthreadContext.SleepingOffCpu(() => save);
    }

    /// <summary>smpboot's td->status: which of Setup / Park / Unpark comes next.</summary>
    internal SmpbootStatus Status { get; set; }

    /// <summary>Where state and items live beyond this node; null on a single node.</summary>
    internal IPerCpuStore? Store { get; set; }

    /// <summary>The sequence number of the last item taken (0: none).</summary>
    internal long Taken
    {
        get
        {
            lock (_lock)
            {
                return _taken;
            }
        }
    }

    /// <summary>Queues an item for the thread (the caller wakes it afterwards, so no wake-up is lost).</summary>
    internal void Enqueue(long seq, object item)
    {
        lock (_lock)
        {
            _items.Enqueue((seq, item));
        }
    }

    /// <summary>Replaces the state and the waiting items with what the store saved (before the thread runs).</summary>
    internal void Restore(object? state, long taken, IEnumerable<(long Seq, object Item)> items)
    {
        lock (_lock)
        {
            State = state;
            _taken = taken;
            _items.Clear();
            foreach (var item in items)
            {
                _items.Enqueue(item);
            }
        }
    }

    /// <summary>Empties the item queue (the CPU left this node: its items are with the store now).</summary>
    internal void DropItems()
    {
        lock (_lock)
        {
            _items.Clear();
        }
    }
}

/// <summary>INTERNAL API. HP_THREAD_NONE / ACTIVE / PARKED.</summary>
internal enum SmpbootStatus
{
    None,
    Active,
    Parked,
}
