namespace Akka.Kthreads;

/// <summary>
/// The messages a worker's actor (<see cref="KthreadWorker.Ref"/>) understands, for actor users and
/// TestKit; each is the matching <see cref="KthreadWorker"/> call, with its result as the reply.
/// Bad arguments reply <c>Status.Failure</c> with the exception the method would throw.
/// </summary>
public static class KthreadWorkerProtocol
{
    /// <summary>Marks a message addressed to a worker.</summary>
    public interface IKthreadWorkerCommand
    {
    }

    /// <summary>kthread_queue_work. Replies <see cref="WorkQueued"/>.</summary>
    /// <param name="Work">The work.</param>
    public sealed record QueueWork(KthreadWork Work) : IKthreadWorkerCommand;

    /// <summary>kthread_queue_delayed_work. Replies <see cref="WorkQueued"/>.</summary>
    /// <param name="Work">The delayed work.</param>
    /// <param name="Delay">Not negative; zero queues at once.</param>
    public sealed record QueueDelayedWork(KthreadDelayedWork Work, TimeSpan Delay) : IKthreadWorkerCommand;

    /// <summary>The reply to <see cref="QueueWork"/> and <see cref="QueueDelayedWork"/>.</summary>
    /// <param name="Queued">False if the work was already pending, being cancelled, or the worker is destroyed.</param>
    public sealed record WorkQueued(bool Queued);

    /// <summary>kthread_mod_delayed_work. Replies <see cref="DelayedWorkModified"/>.</summary>
    /// <param name="Work">The delayed work.</param>
    /// <param name="Delay">The new delay.</param>
    public sealed record ModDelayedWork(KthreadDelayedWork Work, TimeSpan Delay) : IKthreadWorkerCommand;

    /// <summary>The reply to <see cref="ModDelayedWork"/>.</summary>
    /// <param name="WasPending">True if the work was pending before it was re-armed.</param>
    public sealed record DelayedWorkModified(bool WasPending);

    /// <summary>kthread_flush_work. Replies <see cref="WorkFlushed"/> once the instance queued or running now is done.</summary>
    /// <param name="Work">The work.</param>
    public sealed record FlushWork(KthreadWork Work) : IKthreadWorkerCommand;

    /// <summary>The reply to <see cref="FlushWork"/>.</summary>
    /// <param name="Waited">False if the work was neither queued nor running.</param>
    public sealed record WorkFlushed(bool Waited);

    /// <summary>kthread_flush_worker. Replies <see cref="Flushed"/> once everything queued before it has run.</summary>
    public sealed record Flush : IKthreadWorkerCommand
    {
        /// <summary>The one instance.</summary>
        public static Flush Instance { get; } = new();

        private Flush()
        {
        }
    }

    /// <summary>The reply to <see cref="Flush"/>.</summary>
    public sealed record Flushed
    {
        /// <summary>The one instance.</summary>
        public static Flushed Instance { get; } = new();

        private Flushed()
        {
        }
    }

    /// <summary>kthread_cancel_(delayed_)work_sync. Replies <see cref="WorkCancelled"/> once no instance runs.</summary>
    /// <param name="Work">The work.</param>
    public sealed record CancelWork(KthreadWork Work) : IKthreadWorkerCommand;

    /// <summary>The reply to <see cref="CancelWork"/>.</summary>
    /// <param name="WasPending">True if the work was queued or its timer armed.</param>
    public sealed record WorkCancelled(bool WasPending);

    /// <summary>kthread_destroy_worker. Replies <see cref="Destroyed"/> once flushed and stopped.</summary>
    public sealed record Destroy : IKthreadWorkerCommand
    {
        /// <summary>The one instance.</summary>
        public static Destroy Instance { get; } = new();

        private Destroy()
        {
        }
    }

    /// <summary>The reply to <see cref="Destroy"/>.</summary>
    public sealed record Destroyed
    {
        /// <summary>The one instance.</summary>
        public static Destroyed Instance { get; } = new();

        private Destroyed()
        {
        }
    }
}
