namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. struct kthread_flush_work: a marker work whose completion is the flush, queued
/// right behind what the flush waits for. Never polling.
/// </summary>
/// <remarks>
/// Its task is what a flush returns, with the flush timeout and the caller's token on it: the worker's thread ends it
/// itself, so a caller blocked on it goes on at once and one that awaits it goes on through the pool, as from an Ask's
/// reply. A chain of awaits on it instead added a hop to the pool between the worker and every caller.
/// </remarks>
internal sealed class FlushMarker : KthreadWork
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WaitBounds _bounds;
    private KthreadWorker? _owner;
    private string? _what;

    public FlushMarker()
        : base(static work =>
        {
            ((FlushMarker)work).Complete();
            return Task.CompletedTask;
        })
    {
    }

    /// <summary>
    /// The flush as its caller waits for it: done with the marker, a TimeoutException naming <paramref name="what"/> on
    /// <paramref name="owner"/> past its flush timeout, or cancelled with <paramref name="ct"/>. Called once, by the flusher.
    /// </summary>
    public Task WaitAsync(KthreadWorker owner, string what, CancellationToken ct)
    {
        if (_done.Task.IsCompleted)
        {
            return _done.Task;
        }

        _owner = owner;
        _what = what;
        _bounds.Arm(this, static m => ((FlushMarker)m!).End(null), static (m, t) => ((FlushMarker)m!).End(t), owner.FlushTimeout, ct);
        return _done.Task;
    }

    /// <summary>Lets the waiter go without the worker running the marker: it went away, or parks with nothing ahead of the marker.</summary>
    public void Abandon() => Complete();

    private void Complete()
    {
        if (_done.TrySetResult())
        {
            _bounds.Disarm();
        }
    }

    // The timer (no token) or the caller's token.
    private void End(CancellationToken? canceled)
    {
        var ended = canceled is { } token
            ? _done.TrySetCanceled(token)
            : _done.TrySetException(new TimeoutException(_owner?.TimedOut(_what)));
        if (ended)
        {
            _bounds.Disarm();
        }
    }
}
