namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. kernel: struct cpu_stopper — one CPU's stopper works (stop_machine, stop_one_cpu,
/// take_cpu_down), run one at a time in arrival order; each takes the CPU's run queue ahead of every kthread.
/// </summary>
/// <remarks>
/// Queued by the caller itself, as cpu_stop_queue_work: a hop through an actor first cost a pool thread's
/// wake-up on every call, most of a warm call's time and a large part of a cold one's.
/// </remarks>
internal sealed class CpuStopper(int cpu)
{
    private readonly object _lock = new();
    private readonly Queue<MultiStop> _works = new();
    private bool _busy;

    /// <summary>Queues <paramref name="work"/>; it starts at once when this CPU's stopper has nothing else to do.</summary>
    public void Queue(MultiStop work)
    {
        lock (_lock)
        {
            _works.Enqueue(work);
            if (_busy)
            {
                return;
            }

            _busy = true;
            work = _works.Dequeue();
        }

        Start(work);
    }

    private void Start(MultiStop work)
    {
        if (CpuThread.Current is not null)
        {
            // The stopper's acquire runs off every CPU thread, so that the holder's next checkpoint sees it waiting.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Stopper.Run(s.Work), (Stopper: this, Work: work), preferLocal: false);
            return;
        }

        Run(work);
    }

    // Only the acquire runs here; every later step runs on the CPU's own thread. The walk never throws (fn's
    // exceptions are caught inside it). The next work waits for the whole call, which ends once every stopper let
    // its CPU go: the thread that ends it answers the caller first, then moves every stopper on (see Next).
    private void Run(MultiStop work)
    {
        work.ThenNext(this);
        _ = work.ParticipateAsync(cpu);
    }

    /// <summary>
    /// The work run last is over: start the next one queued. Called inline by the thread that ended that work, not
    /// from a continuation of its task, whose continuations run on the pool and kept a back-to-back call waiting
    /// for a pool thread's wake-up before its stopper could start.
    /// </summary>
    public void Next()
    {
        MultiStop? next;
        lock (_lock)
        {
            if (!_works.TryDequeue(out next))
            {
                _busy = false;
                return;
            }
        }

        Start(next);
    }
}
