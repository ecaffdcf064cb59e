using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// prepare_to_wait() ... schedule() ... finish_wait(): the open-coded wait, for loops (kjournald2's) that
// decide whether to sleep from more than one condition, under their own locks.
public sealed partial class KthreadContext
{
    // This thread's wait entries (the kernel's DEFINE_WAIT), one per queue from prepare to finish.
    // Only the thread's own flow touches it, one step at a time, so it needs no lock.
    private Dictionary<WaitQueue, KthreadWaiter>? _waits;

    /// <summary>prepare_to_wait(): queue this thread on <paramref name="wq"/> and prepare to sleep, so a WakeUp before the next ScheduleAsync makes it return at once.</summary>
    /// <param name="wq">The queue the waker calls WakeUp on after changing what the caller checks next.</param>
    /// <remarks>Already queued on <paramref name="wq"/>: stays where it is, once. End the wait with <see cref="FinishWait"/>.</remarks>
    public void PrepareToWait(WaitQueue wq) => PrepareToWaitCore(wq, exclusive: false);

    /// <summary>prepare_to_wait_exclusive(): as <see cref="PrepareToWait"/>, at the tail as an exclusive waiter, so WakeUp wakes one such thread at a time.</summary>
    /// <param name="wq">The queue.</param>
    /// <remarks>As in the kernel, <see cref="FinishWait"/> does not hand an unused exclusive wake-up to the next waiter: a loop that leaves without using one should wake the queue itself.</remarks>
    public void PrepareToWaitExclusive(WaitQueue wq) => PrepareToWaitCore(wq, exclusive: true);

    /// <summary>finish_wait(): running again, and off <paramref name="wq"/> if no wake-up took this thread off already.</summary>
    /// <param name="wq">The queue given to the prepare; finishing a wait that was never prepared does nothing.</param>
    public void FinishWait(WaitQueue wq)
    {
        ArgumentNullException.ThrowIfNull(wq);
        SetRunning();
        if (_waits is not null && _waits.Remove(wq, out var waiter))
        {
            wq.Remove(waiter);
            if (_waits.Count == 0)
            {
                _waits = null; // a sleeping or parked thread keeps nothing of a wait it finished
            }
        }
    }

    private void PrepareToWaitCore(WaitQueue wq, bool exclusive)
    {
        ArgumentNullException.ThrowIfNull(wq);
        _waits ??= new Dictionary<WaitQueue, KthreadWaiter>(1);
        if (!_waits.TryGetValue(wq, out var waiter) || waiter.Exclusive != exclusive)
        {
            // The kernel flips WQ_FLAG_EXCLUSIVE in place; an entry's kind is fixed here, so a new entry replaces it.
            if (waiter is not null)
            {
                wq.Remove(waiter);
            }

            waiter = new KthreadWaiter(this, exclusive);
            _waits[wq] = waiter;
        }

        // kernel: if (list_empty(&wq_entry->entry)) __add_wait_queue(...); set_current_state(state);
        // queued first, then prepared: a waker that changed the condition before we queue is seen by
        // the caller's check; one after, by the actor, which makes the next sleep return at once.
        wq.Add(waiter);
        PrepareToSleep();
    }
}
