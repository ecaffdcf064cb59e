using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// The worker's list (worker->work_list) and timers; every method here runs under _lock.
public sealed partial class KthreadWorker
{
    // kernel: queuing_blocked() plus the WARN for a work that belongs to another worker.
    private bool CanQueue(KthreadWork work)
    {
        CheckOwner(work);
        if (_destroyed || work.Queued || work.Canceling > 0 || work is KthreadDelayedWork { Timer: not null })
        {
            return false;
        }

        work.Worker = this;
        return true;
    }

    private void CheckOwner(KthreadWork work)
    {
        if (work.Worker is { } owner && owner != this)
        {
            throw new InvalidOperationException(
                $"the work belongs to kthread_worker {owner._thread?.Comm}; a work is queued on one worker only");
        }
    }

    /// <summary>Arms the timer, or queues at once for a zero delay; true if the worker needs a wake-up.</summary>
    private bool QueueDelayedLocked(KthreadDelayedWork work, TimeSpan delay)
    {
        if (delay == TimeSpan.Zero)
        {
            return InsertWork(work);
        }

        var generation = ++work.TimerGeneration;
        var timer = new Cancelable(_scheduler);
        _scheduler.Advanced.ScheduleOnce(delay, () => TimerFired(work, generation), timer);
        work.Timer = timer;
        _armed.Add(work);
        return false;
    }

    // kernel: kthread_delayed_work_timer_fn() — move the work to the list and wake the worker.
    private void TimerFired(KthreadDelayedWork work, int generation)
    {
        bool wake;
        lock (_lock)
        {
            if (work.TimerGeneration != generation || work.Timer is null)
            {
                return; // cancelled or re-armed since
            }

            work.Timer = null;
            _armed.Remove(work);
            if (_destroyed)
            {
                return;
            }

            wake = InsertWork(work);
        }

        if (wake)
        {
            Kick();
        }
    }

    // kernel: __kthread_cancel_work() — true if it was pending (timer armed or queued).
    private bool CancelLocked(KthreadWork work)
    {
        if (work is KthreadDelayedWork { Timer: not null } delayed)
        {
            DisarmLocked(delayed);
            _armed.Remove(delayed);
            return true;
        }

        if (work.Queued)
        {
            Remove(work);
            return true;
        }

        return false;
    }

    /// <summary>From now on queueing returns false; armed timers are disarmed, so their works never run.</summary>
    private void RefuseNewWorkLocked()
    {
        _destroyed = true;
        if (_armed.Count == 0)
        {
            return;
        }

        // kernel: kthread_destroy_worker() WARNs on a non-empty delayed_work_list.
        _log.Warning("kthread_worker {0} destroyed with {1} delayed works armed: they will not run", _thread?.Comm, _armed.Count);
        foreach (var armed in _armed)
        {
            DisarmLocked(armed);
        }

        _armed.Clear();
    }

    private static void DisarmLocked(KthreadDelayedWork work)
    {
        work.Timer?.Cancel();
        work.Timer = null;
        work.TimerGeneration++;
    }

    // kernel: kthread_flush_work() — behind the queued instance, or first if it is running now.
    private FlushMarker? InsertFlushFor(KthreadWork work)
    {
        if (work.Queued)
        {
            var marker = new FlushMarker();
            InsertAfter(work, marker);
            return marker;
        }

        if (_currentWork == work)
        {
            var marker = new FlushMarker();
            InsertAfter(null, marker);
            return marker;
        }

        return null;
    }

    // kernel: kthread_insert_work() — at the tail; only an idle worker needs the wake-up, a busy one finds it when it loops.
    // One wake-up per idle spell: the kernel's wake_up_process() of a thread already woken is a cheap no-op, but ours of a
    // thread on its way back to the list is a message to its actor, and a producer could send thousands before it gets there.
    private bool InsertWork(KthreadWork work)
    {
        InsertTail(work);
        if (_currentWork is not null || _woken)
        {
            return false;
        }

        _woken = true;
        return true;
    }

    private void InsertTail(KthreadWork work)
    {
        work.Queued = true;
        work.Prev = _tail;
        work.Next = null;
        if (_tail is null)
        {
            _head = work;
        }
        else
        {
            _tail.Next = work;
        }

        _tail = work;
    }

    /// <summary>Links <paramref name="work"/> after <paramref name="after"/> (at the head when null).</summary>
    private void InsertAfter(KthreadWork? after, KthreadWork work)
    {
        var next = after is null ? _head : after.Next;
        if (next is null)
        {
            InsertTail(work);
            return;
        }

        work.Queued = true;
        work.Prev = after;
        work.Next = next;
        next.Prev = work;
        if (after is null)
        {
            _head = work;
        }
        else
        {
            after.Next = work;
        }
    }

    private void Remove(KthreadWork work)
    {
        if (work.Prev is null)
        {
            _head = work.Next;
        }
        else
        {
            work.Prev.Next = work.Next;
        }

        if (work.Next is null)
        {
            _tail = work.Prev;
        }
        else
        {
            work.Next.Prev = work.Prev;
        }

        work.Prev = work.Next = null;
        work.Queued = false;
    }

    private KthreadWork? RemoveHead()
    {
        var head = _head;
        if (head is not null)
        {
            Remove(head);
        }

        return head;
    }
}
