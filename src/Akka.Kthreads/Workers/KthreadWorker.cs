using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// struct kthread_worker: a kthread that runs queued works one at a time, in FIFO order, on its
/// own thread (and CPU, if bound). Queueing is synchronous, as the kernel's spinlocked list.
/// </summary>
/// <remarks>
/// A work is pending from queueing until it starts; queued again while it runs, it runs again
/// after it finishes. Flushes are marker works, never polling. After <see cref="DestroyAsync"/>
/// every queueing returns false and runs nothing. A work holds the worker's CPU until it returns or
/// awaits a checkpoint of <see cref="KthreadContext.Current"/> (as a kernel work holds it until it sleeps).
/// </remarks>
public sealed partial class KthreadWorker
{
    private readonly object _lock = new();
    private readonly KthreadsSettings _settings;
    private readonly IScheduler _scheduler;
    private readonly ILoggingAdapter _log;
    private readonly HashSet<KthreadDelayedWork> _armed = new();
    private KthreadWork? _head;
    private KthreadWork? _tail;
    private KthreadWork? _currentWork;

    // A wake-up was sent since the loop last found the list empty: later works need none (see InsertWork).
    private bool _woken;
    private bool _destroyed;
    private Kthread? _thread;

    internal KthreadWorker(KthreadsSettings settings, IScheduler scheduler, ILoggingAdapter log)
    {
        _settings = settings;
        _scheduler = scheduler;
        _log = log;
    }

    /// <summary>The worker's kthread (worker->task): stop or inspect it like any other.</summary>
    public Kthread Thread => _thread ?? throw new InvalidOperationException("the worker's thread is not made yet");

    /// <summary>The worker's actor: send it <see cref="KthreadWorkerProtocol"/> messages by hand.</summary>
    public IActorRef Ref { get; internal set; } = ActorRefs.Nobody;

    /// <summary>True once <see cref="DestroyAsync"/> has begun: queueing returns false from then on.</summary>
    public bool IsDestroyed
    {
        get
        {
            lock (_lock)
            {
                return _destroyed;
            }
        }
    }

    internal void Attach(Kthread thread) => _thread = thread;

    /// <summary>kthread_queue_work(): queue <paramref name="work"/> at the tail and wake the worker.</summary>
    /// <param name="work">The work; it must not belong to another worker.</param>
    /// <returns>True if queued; false if it was already pending, being cancelled, or the worker is destroyed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="work"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="work"/> belongs to another worker (the kernel WARNs).</exception>
    public bool QueueWork(KthreadWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        bool wake;
        lock (_lock)
        {
            if (!CanQueue(work))
            {
                return false;
            }

            wake = InsertWork(work);
        }

        if (wake)
        {
            Kick();
        }

        return true;
    }

    /// <summary>kthread_queue_delayed_work(): queue <paramref name="work"/> once <paramref name="delay"/> has passed.</summary>
    /// <param name="work">The delayed work; it must not belong to another worker.</param>
    /// <param name="delay">Zero queues at once.</param>
    /// <returns>True if armed (or queued); false if already pending, being cancelled, or the worker is destroyed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="work"/> belongs to another worker.</exception>
    public bool QueueDelayedWork(KthreadDelayedWork work, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(work);
        CheckDelay(delay);
        bool wake;
        lock (_lock)
        {
            if (!CanQueue(work))
            {
                return false;
            }

            wake = QueueDelayedLocked(work, delay);
        }

        if (wake)
        {
            Kick();
        }

        return true;
    }

    /// <summary>kthread_mod_delayed_work(): cancel <paramref name="work"/> wherever it is, then queue it after <paramref name="delay"/>.</summary>
    /// <param name="work">The delayed work.</param>
    /// <param name="delay">The new delay; zero queues at once.</param>
    /// <returns>True if the work was pending before; false if it was not (or is being cancelled, or the worker is destroyed).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is negative.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="work"/> belongs to another worker.</exception>
    public bool ModDelayedWork(KthreadDelayedWork work, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(work);
        CheckDelay(delay);
        bool wasPending;
        bool wake;
        lock (_lock)
        {
            CheckOwner(work);
            if (_destroyed || work.Canceling > 0)
            {
                return false;
            }

            work.Worker = this;
            wasPending = CancelLocked(work);
            wake = QueueDelayedLocked(work, delay);
        }

        if (wake)
        {
            Kick();
        }

        return wasPending;
    }

    /// <summary>kthread_flush_work(): wait for the instance of <paramref name="work"/> queued or running now (not later re-queues).</summary>
    /// <param name="work">The work.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>True if it waited; false if the work was neither queued nor running.</returns>
    /// <exception cref="TimeoutException">Not done within kthreads.worker.flush-timeout.</exception>
    public async Task<bool> FlushWorkAsync(KthreadWork work, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        FlushMarker? marker;
        lock (_lock)
        {
            marker = work.Worker == this ? InsertFlushFor(work) : null;
        }

        if (marker is null)
        {
            return false;
        }

        await WaitAsync(marker, "flush of a work", ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>kthread_flush_worker(): wait for every work queued before the call, delayed work whose timer fired included.</summary>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>Completes once they have all run; at once when nothing is queued or running (an idle or destroyed worker).</returns>
    /// <exception cref="TimeoutException">Not done within kthreads.worker.flush-timeout.</exception>
    public Task FlushAsync(CancellationToken ct = default)
    {
        FlushMarker marker;
        bool wake;
        lock (_lock)
        {
            // Nothing queued and nothing running: nothing was queued before this call to wait for.
            if (_thread is null || (_head is null && _currentWork is null))
            {
                return Task.CompletedTask;
            }

            marker = new FlushMarker();
            // kernel: kthread_flush_worker() queues its marker as a work, which wakes only an idle worker.
            wake = InsertWork(marker);
        }

        if (wake)
        {
            Kick();
        }

        // Not awaited here: the marker's own task goes back, so the worker's thread lets the caller go itself.
        return WaitAsync(marker, "flush", ct);
    }

    /// <summary>kthread_destroy_worker(): refuse new work, disarm pending timers, flush, then stop the thread.</summary>
    /// <param name="ct">Stops waiting; the worker is destroyed all the same.</param>
    /// <returns>Completes once the thread has stopped.</returns>
    public async Task DestroyAsync(CancellationToken ct = default)
    {
        FlushMarker marker;
        lock (_lock)
        {
            if (_destroyed)
            {
                return;
            }

            RefuseNewWorkLocked();
            marker = new FlushMarker();
            InsertTail(marker);
        }

        Kick();
        await WaitAsync(marker, "destroy", ct).ConfigureAwait(false);
        await Thread.StopAsync(ct).ConfigureAwait(false);
        Ref.Tell(PoisonPill.Instance);
    }

    internal Task<bool> CancelSyncAsync(KthreadWork work, CancellationToken ct)
    {
        FlushMarker? marker;
        bool wasPending;
        lock (_lock)
        {
            wasPending = CancelLocked(work);
            if (_currentWork != work)
            {
                return Task.FromResult(wasPending);
            }

            // kernel: canceling++ blocks queueing while we wait for the running instance.
            work.Canceling++;
            marker = new FlushMarker();
            InsertAfter(null, marker);
        }

        return WaitForCancelAsync(work, marker, wasPending, ct);
    }

    internal bool IsPending(KthreadWork work)
    {
        lock (_lock)
        {
            return work.Queued || work is KthreadDelayedWork { Timer: not null };
        }
    }

    private async Task<bool> WaitForCancelAsync(KthreadWork work, FlushMarker marker, bool wasPending, CancellationToken ct)
    {
        try
        {
            await WaitAsync(marker, "cancel", ct).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                work.Canceling--;
            }
        }

        return wasPending;
    }

    // A kthread that flushes sleeps off its CPU meanwhile (kthread_flush_work sleeps in wait_for_completion): the worker may run there.
    private Task WaitAsync(FlushMarker marker, string what, CancellationToken ct) =>
        KthreadContext.SleepingOffCpu(
            static a => a.Marker.WaitAsync(a.Worker, a.What, a.Ct),
            (Marker: marker, Worker: this, What: what, Ct: ct));

    /// <summary>kthreads.worker.flush-timeout: how long a flush, destroy or cancel waits.</summary>
    internal TimeSpan FlushTimeout => _settings.WorkerFlushTimeout;

    /// <summary>What a flush, destroy or cancel that timed out throws with (made only then).</summary>
    internal string TimedOut(string? what) =>
        $"kthread_worker {_thread?.Comm}: {what} not done within {FlushTimeout} (kthreads.worker.flush-timeout)";

    // kernel: kthread_insert_work()'s wake_up_process() — from the caller, as try_to_wake_up: a worker whose sleep is
    // still held back on its CPU's thread goes on there with no message to its actor at all.
    private void Kick() => _thread?.WakeUpProcess();

    private static void CheckDelay(TimeSpan delay)
    {
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "a delay cannot be negative");
        }
    }
}
