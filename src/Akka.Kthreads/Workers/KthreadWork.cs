namespace Akka.Kthreads;

/// <summary>
/// struct kthread_work: a function a <see cref="KthreadWorker"/> runs on its thread. A work is
/// queued at most once at a time, and belongs to the first worker it is queued on.
/// </summary>
public class KthreadWork
{
    private readonly Func<KthreadWork, Task> _fn;

    /// <summary>kthread_init_work(): a work that runs <paramref name="fn"/> each time it is queued.</summary>
    /// <param name="fn">The work; it gets the work itself, as the kernel's work->func(work).</param>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public KthreadWork(Func<KthreadWork, Task> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        _fn = fn;
    }

    /// <summary>The worker this work is attached to (work->worker); null until first queued.</summary>
    public KthreadWorker? Worker { get; internal set; }

    /// <summary>True while queued (or, for delayed work, while its timer is armed): queueing it again returns false.</summary>
    public bool IsPending => Worker?.IsPending(this) ?? false;

    // The worker's intrusive list (the kernel's work->node): no allocation per queue.
    internal KthreadWork? Prev { get; set; }

    internal KthreadWork? Next { get; set; }

    internal bool Queued { get; set; }

    /// <summary>work->canceling: while a cancel waits for the running instance, queueing is refused.</summary>
    internal int Canceling { get; set; }

    /// <summary>kthread_cancel_work_sync(): take the work off its queue (or disarm its timer) and wait for a running instance.</summary>
    /// <param name="ct">Stops waiting for the running instance; the work is off the queue all the same.</param>
    /// <returns>True if the work was pending (queued or timer armed); false otherwise.</returns>
    /// <exception cref="TimeoutException">The running instance did not finish within kthreads.worker.flush-timeout.</exception>
    public Task<bool> CancelSyncAsync(CancellationToken ct = default) =>
        Worker is { } worker ? worker.CancelSyncAsync(this, ct) : Task.FromResult(false);

    internal Task RunAsync() => _fn(this);
}

/// <summary>struct kthread_delayed_work: a work queued after a delay, timed by Akka's scheduler.</summary>
public sealed class KthreadDelayedWork : KthreadWork
{
    /// <summary>kthread_init_delayed_work(): a delayed work that runs <paramref name="fn"/>.</summary>
    /// <param name="fn">The work.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fn"/> is null.</exception>
    public KthreadDelayedWork(Func<KthreadWork, Task> fn)
        : base(fn)
    {
    }

    /// <summary>The armed timer, if any (the kernel's dwork->timer pending).</summary>
    internal Akka.Actor.ICancelable? Timer { get; set; }

    /// <summary>Bumped on every arm and cancel, so a timer that fires late finds itself stale.</summary>
    internal int TimerGeneration { get; set; }
}
