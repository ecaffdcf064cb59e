using Akka.Kthreads.Cli.Commands;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>ps of a whole cluster: each node's kthreadd, then its threads in pid order, each row naming its node.</summary>
internal static class ClusterPs
{
    /// <summary>The table of a cluster-wide <see cref="ClusterNodeProtocol.ThreadList"/>, ordered by node then pid.</summary>
    public static Grid Grid(ClusterNodeProtocol.ThreadList list, bool switches = false)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var node in list.Threads.GroupBy(t => t.Node).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // The rows of one node, as ps on that node prints them, each after its node's address.
            rows.AddRange(PsSwitches.Rows(node.ToList(), switches).Select(r => (IReadOnlyList<string>)[node.Key, .. r]));
        }

        // ps's own columns (with the counts for --switches, as on one node), after the node.
        return new Grid([new("NODE"), .. switches ? PsSwitches.Columns : PsSwitches.Plain], rows);
    }

    /// <summary>"Cluster ps, asked through 127.0.0.1:4053: 3 nodes.": the line above the table.</summary>
    public static string Heading(ClusterNodeProtocol.ThreadList list, Seed from) =>
        $"Cluster ps, asked through {from}: {list.Threads.Select(t => t.Node).Distinct().Count()} nodes.";
}
