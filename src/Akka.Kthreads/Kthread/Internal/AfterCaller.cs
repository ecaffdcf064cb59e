using System.Runtime.CompilerServices;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The first await of a checkpoint that gives its CPU up: the checkpoint goes on as its CPU
/// thread's next work item, so it cannot complete before the kthread code that called it has awaited it.
/// </summary>
/// <remarks>
/// Otherwise the CPU given up could be granted again on another CPU and the checkpoint complete first; the
/// caller's await would find it complete and go on right there, on the previous CPU's thread, holding another
/// CPU (and a caller that then yields with nobody waiting would keep that thread for good).
/// </remarks>
internal readonly struct AfterCaller(RunQueue? held) : ICriticalNotifyCompletion
{
    /// <summary>True (nothing to wait for) when the caller is not on the thread of the CPU it holds.</summary>
    public bool IsCompleted => held is null || !held.RunsHere;

    /// <summary>The awaiter is itself.</summary>
    public AfterCaller GetAwaiter() => this;

    /// <summary>Nothing to return.</summary>
    public void GetResult()
    {
    }

    /// <inheritdoc />
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <inheritdoc />
    public void UnsafeOnCompleted(Action continuation) => Post(static c => ((Action)c!)(), continuation);

    /// <summary>What an await would do when not <see cref="IsCompleted"/>, for a checkpoint made of callbacks: run it next on the CPU's thread.</summary>
    public void Post(Action<object?> run, object? state) => held!.Run(run, state);
}
