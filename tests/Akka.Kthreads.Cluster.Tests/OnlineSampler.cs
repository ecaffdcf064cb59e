using System.Collections.Concurrent;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// Watches every node's Cpus.Online while a spec moves CPUs, and records any moment a CPU was online
/// on two nodes at once. A pair counts only when it is certain: node i holds the CPU in two reads
/// that bracket the read of node j that also holds it.
/// </summary>
public sealed class OnlineSampler : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<ClusterNode>> _nodes;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly Task _loop;

    public OnlineSampler(Func<IReadOnlyList<ClusterNode>> nodes)
    {
        _nodes = nodes;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>How many samples were taken (a spec checks that the sampler really ran).</summary>
    public int Samples { get; private set; }

    public IReadOnlyCollection<string> Violations => _violations;

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            var nodes = _nodes().ToArray();
            var first = nodes.Select(n => n.Kthreads.Cpus.Online.ToHashSet()).ToArray();
            var second = nodes.Select(n => n.Kthreads.Cpus.Online.ToHashSet()).ToArray();
            for (var i = 0; i < nodes.Length; i++)
            {
                for (var j = 0; j < nodes.Length; j++)
                {
                    if (i == j)
                    {
                        continue;
                    }

                    // j's read in the pass that falls between i's two reads.
                    var between = i < j ? first[j] : second[j];
                    foreach (var cpu in first[i].Intersect(second[i]).Intersect(between))
                    {
                        _violations.Enqueue($"cpu {cpu} online on {nodes[i].Name} and {nodes[j].Name}");
                    }
                }
            }

            Samples++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
