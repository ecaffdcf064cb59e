using System.Collections.Concurrent;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// Per-CPU threads for the host-stop specs: each only sleeps, records its Cleanup, and tells when it has run, since a
/// thread stopped before its function first ran exits without Cleanup (kthread() never calls threadfn then).
/// </summary>
internal sealed class PerCpuRuns
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _ran = new();

    /// <summary>The spec "<paramref name="comm"/>/{0}"; its Cleanup enqueues "<paramref name="cleanupLabel"/> cpu" on <paramref name="events"/>.</summary>
    public PerCpuThread Spec(string comm, ConcurrentQueue<string> events, string cleanupLabel) =>
        new(comm + "/{0}", td =>
        {
            Ran(comm, td.Cpu).TrySetResult();
            return false;
        }, _ => Task.CompletedTask)
        {
            Cleanup = (td, _) =>
            {
                events.Enqueue($"{cleanupLabel} {td.Cpu}");
                return Task.CompletedTask;
            },
        };

    /// <summary>Completes once the thread of <paramref name="comm"/> on <paramref name="cpu"/> has run its function.</summary>
    public Task RanAsync(string comm, int cpu, CancellationToken ct) => Ran(comm, cpu).Task.WaitAsync(TimeSpan.FromSeconds(20), ct);

    private TaskCompletionSource Ran(string comm, int cpu) =>
        _ran.GetOrAdd($"{comm} {cpu}", _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
