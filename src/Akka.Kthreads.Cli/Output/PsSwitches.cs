using System.Globalization;

namespace Akka.Kthreads.Cli.Output;

/// <summary><c>kps ps --switches</c>: the ps table with the context-switch counts (nvcsw, nivcsw) before COMMAND.</summary>
internal static class PsSwitches
{
    public static IReadOnlyList<GridColumn> Columns { get; } =
    [
        new("PID", Numeric: true), new("PPID", Numeric: true), new("CPU", Numeric: true), new("STAT"),
        new("NVCSW", Numeric: true), new("NIVCSW", Numeric: true), new("COMMAND"),
    ];

    public static Grid Grid(IReadOnlyList<KthreadInfo> threads)
    {
        var k = PsRow.Kthreadd;
        var rows = new List<IReadOnlyList<string>>(threads.Count + 1)
        {
            // kthreadd is an actor, not a kthread: it has no counts.
            new[] { Num(k.Pid), Num(k.PPid), k.Cpu, k.Stat.ToString(), "-", "-", k.Command },
        };
        foreach (var t in threads.OrderBy(t => t.Pid))
        {
            var row = PsRow.From(t);
            rows.Add(new[] { Num(row.Pid), Num(row.PPid), row.Cpu, row.Stat.ToString(), Num(t.Nvcsw), Num(t.Nivcsw), row.Command });
        }

        return new Grid(Columns, rows);
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
