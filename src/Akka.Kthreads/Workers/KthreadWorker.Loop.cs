using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// The worker's thread function: the kernel's kthread_worker_fn().
public sealed partial class KthreadWorker
{
    internal async Task<int> LoopAsync(KthreadContext current)
    {
        while (true)
        {
            // set_current_state() before looking at the list: a QueueWork in between is never lost.
            current.PrepareToSleep();
            if (current.ShouldStop)
            {
                current.SetRunning();
                Orphan();
                return 0;
            }

            if (current.ShouldPark)
            {
                current.SetRunning();
                lock (_lock)
                {
                    // Parked is idle: nothing runs until the unpark. A flush behind the work that ran last, or behind
                    // no work at all, waits for nothing that is still to run, so it is answered now, not after the park.
                    _currentWork = null;
                    while (_head is FlushMarker reached)
                    {
                        RemoveHead();
                        reached.Abandon();
                    }
                }

                // Without ConfigureAwait(false): the loop resumes inside a task of its own scheduler, so each
                // work below runs as a plain call that its awaits still bring back to this CPU (CallUserAsync).
                await current.ParkMeAsync();
                continue;
            }

            KthreadWork? work;
            lock (_lock)
            {
                // kernel: the work that ran last stays current_work until here, so a producer between two works
                // sends no wake-up (this loop is about to look at the list anyway).
                work = RemoveHead();
                _currentWork = work;
                if (work is null)
                {
                    // Idle from here (prepared to sleep above): the next work queued must wake the thread again.
                    _woken = false;
                }
            }

            if (work is null)
            {
                await current.ScheduleAsync(); // as ParkMeAsync above: resumes on the thread's own scheduler
                continue;
            }

            current.SetRunning();
            await RunOneAsync(work, current).ConfigureAwait(false);
            await current.YieldAsync().ConfigureAwait(false);
        }
    }

    private async Task RunOneAsync(KthreadWork work, KthreadContext current)
    {
        try
        {
            // The work's own awaits come back to this CPU's thread, as the worker's do.
            await current.CallUserAsync(static w => ((KthreadWork)w!).RunAsync(), work).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // One bad work does not take the worker down.
            _log.Error(e, "kthread_worker {0} (pid {1}): a work threw {2}; going on with the next", current.Comm, current.Pid, e.GetType().Name);
        }
    }

    /// <summary>The thread is stopping: refuse new work, and let anyone waiting on a flush go.</summary>
    private void Orphan()
    {
        lock (_lock)
        {
            _currentWork = null;
            RefuseNewWorkLocked();
            var dropped = 0;
            while (RemoveHead() is { } left)
            {
                if (left is FlushMarker marker)
                {
                    marker.Abandon();
                }
                else
                {
                    dropped++;
                }
            }

            if (dropped > 0)
            {
                // kernel: kthread_destroy_worker() WARNs on a non-empty list; DestroyAsync flushes first.
                _log.Warning("kthread_worker {0} stopped with {1} works queued: they will not run (use DestroyAsync to flush first)", _thread?.Comm, dropped);
            }
        }
    }
}
