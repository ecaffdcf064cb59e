using System.Globalization;

namespace Akka.Kthreads.Cli.Output;

/// <summary>
/// The ps rows of one node as grid cells, kthreadd first, then pid order; with <c>--switches</c>, the context-switch
/// counts (nvcsw, nivcsw, as /proc/&lt;pid&gt;/status) before COMMAND. One node's table and the cluster's share them.
/// </summary>
internal static class PsSwitches
{
    /// <summary>ps's own five columns.</summary>
    public static IReadOnlyList<GridColumn> Plain { get; } =
        [new("PID", Numeric: true), new("PPID", Numeric: true), new("CPU", Numeric: true), new("STAT"), new("COMMAND")];

    /// <summary>The five with NVCSW and NIVCSW before COMMAND.</summary>
    public static IReadOnlyList<GridColumn> Columns { get; } =
        [.. Plain.Take(4), new("NVCSW", Numeric: true), new("NIVCSW", Numeric: true), Plain[4]];

    /// <summary>The table of one node, with the counts if <paramref name="switches"/>.</summary>
    public static Grid Grid(IReadOnlyList<KthreadInfo> threads, bool switches = true) =>
        new(switches ? Columns : Plain, Rows(threads, switches));

    /// <summary>One node's rows: kthreadd (an actor, so "-" for its counts), then its threads in pid order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Rows(IReadOnlyList<KthreadInfo> threads, bool switches)
    {
        var rows = new List<IReadOnlyList<string>>(threads.Count + 1) { Cells(PsRow.Kthreadd, null, switches) };
        rows.AddRange(threads.OrderBy(t => t.Pid).Select(t => Cells(PsRow.From(t), t, switches)));
        return rows;
    }

    private static IReadOnlyList<string> Cells(PsRow row, KthreadInfo? counts, bool switches) => switches
        ? [Num(row.Pid), Num(row.PPid), row.Cpu, row.Stat.ToString(), counts is null ? "-" : Num(counts.Nvcsw), counts is null ? "-" : Num(counts.Nivcsw), row.Command]
        : [Num(row.Pid), Num(row.PPid), row.Cpu, row.Stat.ToString(), row.Command];

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
