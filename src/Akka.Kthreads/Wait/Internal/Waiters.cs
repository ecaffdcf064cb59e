namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. A waiter that is plain code: waking completes a task, whose continuations never run inside the waker.</summary>
internal sealed class TaskWaiter(bool exclusive = true) : WaitQueue.Waiter(exclusive)
{
    private readonly TaskCompletionSource _woken = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Woken => _woken.Task;

    public override void Wake() => _woken.TrySetResult();
}

/// <summary>INTERNAL API. A waiter that is a kthread: waking is wake_up_process(), which its prepare-to-sleep makes race-free.</summary>
internal sealed class KthreadWaiter(KthreadContext current, bool exclusive) : WaitQueue.Waiter(exclusive)
{
    private int _woken;

    /// <summary>True once a waker took it off the queue, so a wait that ends otherwise passes the wake-up on.</summary>
    public bool WasWoken => Volatile.Read(ref _woken) != 0;

    public override void Wake()
    {
        Volatile.Write(ref _woken, 1);
        current.TryToWakeUp();
    }

    public void Rearm() => Volatile.Write(ref _woken, 0);
}
