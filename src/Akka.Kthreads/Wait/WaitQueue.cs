namespace Akka.Kthreads;

/// <summary>
/// wait_queue_head_t: kthreads (and plain code) sleep on it until a condition holds; a waker sets
/// the condition, then calls <see cref="WakeUp"/>. No wake-up between a check and a sleep is lost.
/// </summary>
/// <remarks>
/// As __wake_up_common: non-exclusive waiters stand at the head and are all woken; exclusive
/// waiters stand at the tail and <see cref="WakeUp"/> wakes the first of them only. A woken
/// waiter takes itself off the queue (autoremove) and puts itself back if its condition is false.
/// Waking is safe from any code: an actor, a timer callback, a test.
/// </remarks>
public sealed partial class WaitQueue
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();

    /// <summary>An empty queue (DECLARE_WAIT_QUEUE_HEAD / init_waitqueue_head).</summary>
    public WaitQueue()
    {
    }

    /// <summary>wake_up(): wake every non-exclusive waiter and one exclusive waiter.</summary>
    /// <returns>How many waiters were woken.</returns>
    public int WakeUp() => Wake(1);

    /// <summary>wake_up_all(): wake every waiter, exclusive or not.</summary>
    /// <returns>How many waiters were woken.</returns>
    public int WakeUpAll() => Wake(int.MaxValue);

    /// <summary>How many wait now (waitqueue_active), for tests and diagnostics.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    internal int Wake(int exclusiveToWake)
    {
        List<Waiter>? woken = null;
        lock (_lock)
        {
            var node = _waiters.First;
            while (node is not null)
            {
                var next = node.Next;
                var waiter = node.Value;
                _waiters.Remove(node);
                waiter.Node = null;
                (woken ??= new List<Waiter>(2)).Add(waiter);
                if (waiter.Exclusive && --exclusiveToWake == 0)
                {
                    break;
                }

                node = next;
            }
        }

        if (woken is null)
        {
            return 0;
        }

        // Outside the lock: a wake-up may run a continuation or send a message.
        foreach (var waiter in woken)
        {
            waiter.Wake();
        }

        return woken.Count;
    }

    /// <summary>prepare_to_wait(_exclusive)(): queue the waiter unless it already is.</summary>
    internal void Add(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is not null)
            {
                return;
            }

            waiter.Node = waiter.Exclusive ? _waiters.AddLast(waiter) : _waiters.AddFirst(waiter);
        }
    }

    /// <summary>finish_wait(): take the waiter off if still queued; true if it was (so it was not woken).</summary>
    internal bool Remove(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node is null)
            {
                return false;
            }

            _waiters.Remove(waiter.Node);
            waiter.Node = null;
            return true;
        }
    }

    /// <summary>A wait_queue_entry: what waking it does is up to the kind of waiter.</summary>
    internal abstract class Waiter(bool exclusive)
    {
        public bool Exclusive { get; } = exclusive;

        public LinkedListNode<Waiter>? Node { get; set; }

        public abstract void Wake();
    }
}
