using System.Diagnostics;
using Akka.Kthreads.Cli.Demo;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// The in-process cluster's placement: read every CPU through a node, and await "settled" (every CPU
/// online on exactly one node, agreed by sharding, at most one CPU more on one node than on another).
/// </summary>
internal static class ClusterPlacement
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Every CPU's node and counter, asked through <paramref name="via"/> (wherever each CPU is).</summary>
    public static async Task<IReadOnlyList<CpuRow>> ReadAsync(KpsClusterNode via, int cpus, CancellationToken ct)
    {
        var infos = await Task.WhenAll(Enumerable.Range(0, cpus).Select(cpu => via.Cluster.CpuInfoAsync(cpu, ct))).ConfigureAwait(false);
        return infos.Select(CpuRow.From).ToArray();
    }

    /// <summary>
    /// Polls until settled and every counter/N answers; there is no event for "sharding is done moving",
    /// so placement is read again until then, for at most <paramref name="bound"/>.
    /// </summary>
    /// <returns>The settled rows and how long it took.</returns>
    /// <exception cref="DemoFailedException">Not settled within <paramref name="bound"/>; the message says what was off last.</exception>
    public static async Task<(IReadOnlyList<CpuRow> Rows, TimeSpan Took)> AwaitSettledAsync(
        IReadOnlyList<KpsClusterNode> nodes, int cpus, string step, TimeSpan bound, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            string why;
            try
            {
                var rows = await ReadAsync(nodes[0], cpus, ct).ConfigureAwait(false);
                why = await WhyNotSettledAsync(nodes, cpus, rows, ct).ConfigureAwait(false) ?? string.Empty;
                if (why.Length == 0)
                {
                    return (rows, clock.Elapsed);
                }
            }
            catch (TimeoutException e)
            {
                // A CPU on a crashed node answers nobody until the node is downed and the CPU restarted.
                why = e.Message;
            }

            if (clock.Elapsed > bound)
            {
                throw new DemoFailedException($"{step} did not settle within {bound.TotalSeconds:0}s: {why}");
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>"node1 (127.0.0.1:40001) hosts cpus 0, 3": one line per node.</summary>
    public static IEnumerable<string> Lines(IReadOnlyList<KpsClusterNode> nodes, IReadOnlyList<CpuRow> rows) =>
        nodes.Select(node =>
        {
            var hosted = rows.Where(r => r.Node.Equals(node.Address)).Select(r => r.Cpu).Order().ToArray();
            return $"{node} hosts {(hosted.Length == 1 ? "cpu" : "cpus")} {string.Join(", ", hosted)}";
        });

    private static async Task<string?> WhyNotSettledAsync(IReadOnlyList<KpsClusterNode> nodes, int cpus, IReadOnlyList<CpuRow> rows, CancellationToken ct)
    {
        var online = nodes.Select(n => n.Cluster.Kthreads.Cpus.Online.ToArray()).ToArray();
        var all = online.SelectMany(o => o).Order().ToArray();
        if (!all.SequenceEqual(Enumerable.Range(0, cpus)))
        {
            var twice = all.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key);
            var nowhere = Enumerable.Range(0, cpus).Except(all);
            return $"online twice: [{string.Join(", ", twice)}], online nowhere: [{string.Join(", ", nowhere)}]";
        }

        if (online.Max(o => o.Length) - online.Min(o => o.Length) > 1)
        {
            return "CPUs per node " + string.Join(", ", nodes.Select((n, i) => $"{n.Name} {online[i].Length}"));
        }

        var placement = await nodes[0].Cluster.PlacementAsync(ct).ConfigureAwait(false);
        foreach (var (node, cpusHere) in nodes.Zip(online))
        {
            var placed = placement.Where(p => p.Value.Equals(node.Address)).Select(p => p.Key).Order();
            var answered = rows.Where(r => r.Node.Equals(node.Address)).Select(r => r.Cpu).Order();
            if (!placed.SequenceEqual(cpusHere.Order()) || !answered.SequenceEqual(cpusHere.Order()))
            {
                return $"{node} has cpus {string.Join(", ", cpusHere)} online, sharding places [{string.Join(", ", placed)}] there";
            }
        }

        return rows.FirstOrDefault(r => r.Counter is null) is { } missing ? $"{CounterThread.Name(missing.Cpu)} is not running yet" : null;
    }
}
