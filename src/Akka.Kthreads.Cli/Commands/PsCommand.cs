using System.CommandLine;
using System.Globalization;
using Akka.Kthreads.Cli.Cluster;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Node;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps ps</c>: a node with the demo's threads (counter running, kworker/N parked, oneshot zombie), one table;
/// with <c>--seeds</c>, every thread of a running cluster instead, one table with a NODE column.
/// </summary>
internal static class PsCommand
{
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var client = new ClientOptions("Ask a running cluster (kps node) instead: every node's threads, through the first of these that answers");
        var command = new Command("ps", "Start a node with the demo's threads and print one ps table; with --seeds, ps of a running cluster");
        client.AddTo(command);
        command.SetAction((parse, ct) => parse.GetValue(client.Seeds) is { } seeds
            ? ClusterAsync(console, seeds, parse.GetValue(client.Json), client.TimeoutOf(parse), ct)
            : RunAsync(console, parse.GetValue(cpus), parse.GetValue(client.Json), ct));
        return command;
    }

    public static Task<int> RunAsync(KpsConsole console, int? cpus, bool json, CancellationToken ct) =>
        CommandRunner.RunAsync(console, () => KpsNode.RunAsync(cpus, async node =>
        {
            var threads = new DemoThreads(node.Kthreads);
            await threads.StartAllAsync(ct).ConfigureAwait(false);
            var rows = await PsTable.ReadAsync(node.Kthreads, ct).ConfigureAwait(false);
            if (json)
            {
                console.Out.Json(new Grid(PsRow.Header.Select(h => new GridColumn(h, Numeric: h is "PID" or "PPID" or "CPU")).ToArray(),
                    rows.Select(r => (IReadOnlyList<string>)[r.Pid.ToString(CultureInfo.InvariantCulture), r.PPid.ToString(CultureInfo.InvariantCulture), r.Cpu, r.Stat.ToString(), r.Command]).ToArray()));
            }
            else
            {
                console.Out.Table(rows);
            }

            await threads.StopAllAsync(ct).ConfigureAwait(false);
        }), ct);

    /// <summary>ps of a running cluster, asked through a seed; members that did not answer are named on stderr.</summary>
    public static Task<int> ClusterAsync(KpsConsole console, IReadOnlyList<Seed> seeds, bool json, TimeSpan timeout, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            var (list, from) = await ClusterDoor.AskAsync<ClusterNodeProtocol.ThreadList>(seeds, new ClusterNodeProtocol.ListThreads(ClusterWide: true), timeout, ct)
                .ConfigureAwait(false);
            var grid = ClusterPs.Grid(list);
            if (json)
            {
                console.Out.Json(grid);
            }
            else
            {
                console.Out.Heading($"Cluster ps, asked through {from}: {list.Threads.Select(t => t.Node).Distinct().Count()} nodes.");
                console.Out.Table(grid);
            }

            foreach (var missing in list.Missing)
            {
                await console.Error.WriteLineAsync($"kps: {missing} did not answer in time; its threads are not listed").ConfigureAwait(false);
            }
        }, ct);
}
