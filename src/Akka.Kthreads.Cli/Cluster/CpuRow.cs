using System.Globalization;
using Akka.Actor;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>One cluster CPU as kps shows it: where it is online and its counter/N (null: no counter there yet).</summary>
internal sealed record CpuRow(int Cpu, Address Node, long? Counter)
{
    /// <summary>The columns of the CPU table, and the keys of its JSON.</summary>
    public static IReadOnlyList<GridColumn> Columns { get; } = [new("CPU", Numeric: true), new("NODE"), new("COUNTER", Numeric: true)];

    /// <summary>The row of one CPU's answer.</summary>
    public static CpuRow From(ClusterCpuProtocol.CpuInfo info) => new(info.Cpu, info.Node, CounterThread.Of(info));

    /// <summary>The table of <paramref name="rows"/>, in CPU order.</summary>
    public static Grid Grid(IEnumerable<CpuRow> rows) => new(Columns, rows.OrderBy(r => r.Cpu).Select(r => (IReadOnlyList<string>)
    [
        r.Cpu.ToString(CultureInfo.InvariantCulture),
        r.Node.ToString(),
        r.Counter?.ToString(CultureInfo.InvariantCulture) ?? "-",
    ]).ToArray());
}
