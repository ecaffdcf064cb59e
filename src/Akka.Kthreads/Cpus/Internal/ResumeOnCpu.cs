using System.Runtime.CompilerServices;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. Awaits <see cref="Task"/> and goes on on <see cref="Queue"/>'s CPU thread: the
/// stopper's lockstep walks its states there, as the kernel's cpu_stopper does on its CPU.
/// </summary>
/// <remarks>Completes synchronously when the task is done and the caller already runs on that thread.</remarks>
internal readonly struct ResumeOnCpu(Task task, RunQueue? queue) : ICriticalNotifyCompletion
{
    /// <summary>What is awaited.</summary>
    public Task Task { get; } = task;

    /// <summary>Where the awaiter goes on; null: wherever the task completes (no CPU is held).</summary>
    public RunQueue? Queue { get; } = queue;

    /// <summary>True when nothing is left to wait for and no hop is needed.</summary>
    public bool IsCompleted => Task.IsCompleted && (Queue is null || Queue.RunsHere);

    /// <summary>The awaiter is itself.</summary>
    public ResumeOnCpu GetAwaiter() => this;

    /// <summary>Rethrows what the task threw.</summary>
    public void GetResult() => Task.GetAwaiter().GetResult();

    /// <inheritdoc />
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <inheritdoc />
    public void UnsafeOnCompleted(Action continuation)
    {
        if (Queue is not { } queue)
        {
            Task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
            return;
        }

        if (Task.IsCompleted)
        {
            // Only the hop is left: post it straight to the CPU's thread.
            queue.Run(static c => ((Action)c!)(), continuation);
            return;
        }

        Task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(
            () => queue.Run(static c => ((Action)c!)(), continuation));
    }
}
