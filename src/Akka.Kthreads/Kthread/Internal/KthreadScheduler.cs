namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. <c>TaskScheduler.Current</c> inside a kthread's function: every continuation of
/// its awaits runs on the thread of the CPU the kthread holds, so none of its code runs on the pool.
/// </summary>
/// <remarks>
/// One per kthread, not per CPU: an unbound kthread may resume on another CPU after a checkpoint,
/// and its continuations must follow it there. A continuation that arrives while the kthread holds
/// no CPU (a task it left running past a checkpoint) goes to the CPU it last ran on, or to the pool
/// when that CPU is down. A scheduler rather than a SynchronizationContext keeps
/// <c>SynchronizationContext.Current</c> null inside the function, as it always was.
/// </remarks>
internal sealed class KthreadScheduler : TaskScheduler
{
    private readonly KthreadContext _k;

    public KthreadScheduler(KthreadContext k) => _k = k;

    /// <summary>One CPU runs one kthread at a time.</summary>
    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Runs a task this scheduler queued (called by the CPU thread).</summary>
    public void Execute(Task task) => TryExecuteTask(task);

    protected override void QueueTask(Task task)
    {
        if (_k.CpuThreadForContinuations() is { } thread && thread.TryPost(this, task))
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Scheduler.TryExecuteTask(s.Task), (Scheduler: this, Task: task), preferLocal: false);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _k.CpuThreadForContinuations() is { IsCurrent: true } && TryExecuteTask(task);

    // Only for debuggers; the CPU thread's queue holds the tasks.
    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
