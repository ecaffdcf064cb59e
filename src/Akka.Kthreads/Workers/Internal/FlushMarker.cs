namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. struct kthread_flush_work: a marker work whose completion is the flush, queued
/// right behind what the flush waits for. Never polling.
/// </summary>
internal sealed class FlushMarker : KthreadWork
{
    private readonly TaskCompletionSource _done;

    public FlushMarker()
        : this(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))
    {
    }

    private FlushMarker(TaskCompletionSource done)
        : base(_ =>
        {
            done.TrySetResult();
            return Task.CompletedTask;
        }) => _done = done;

    public Task Done => _done.Task;

    /// <summary>Lets the waiter go without the worker running the marker: it went away, or parks with nothing ahead of the marker.</summary>
    public void Abandon() => _done.TrySetResult();
}
