using System.Globalization;
using Akka.Kthreads.Cli.Commands;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>ps of a whole cluster: each node's kthreadd, then its threads in pid order, each row naming its node.</summary>
internal static class ClusterPs
{
    /// <summary>The columns: ps's own, after the node.</summary>
    public static IReadOnlyList<GridColumn> Columns { get; } =
        [new("NODE"), new("PID", Numeric: true), new("PPID", Numeric: true), new("CPU", Numeric: true), new("STAT"), new("COMMAND")];

    /// <summary>The table of a cluster-wide <see cref="ClusterNodeProtocol.ThreadList"/>, ordered by node then pid.</summary>
    public static Grid Grid(ClusterNodeProtocol.ThreadList list)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var node in list.Threads.GroupBy(t => t.Node).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            rows.Add(Row(node.Key, PsRow.Kthreadd));
            rows.AddRange(node.OrderBy(t => t.Pid).Select(t => Row(node.Key, PsRow.From(t))));
        }

        return new Grid(Columns, rows);
    }

    /// <summary>"Cluster ps, asked through 127.0.0.1:4053: 3 nodes.": the line above the table.</summary>
    public static string Heading(ClusterNodeProtocol.ThreadList list, Seed from) =>
        $"Cluster ps, asked through {from}: {list.Threads.Select(t => t.Node).Distinct().Count()} nodes.";

    private static IReadOnlyList<string> Row(string node, PsRow row) =>
    [
        node,
        row.Pid.ToString(CultureInfo.InvariantCulture),
        row.PPid.ToString(CultureInfo.InvariantCulture),
        row.Cpu,
        row.Stat.ToString(),
        row.Command,
    ];
}
