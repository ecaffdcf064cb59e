using System.CommandLine;
using Akka.Kthreads.Cli.Cluster;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Node;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps ps</c>: a node with the demo's threads (counter running, kworker/N parked, oneshot zombie), one table;
/// with <c>--seeds</c>, every thread of a running cluster instead, one table with a NODE column;
/// with <c>--watch</c>, the table again every interval until Ctrl+C. Under the single table, the soft lockups
/// the node's watchdog reported meanwhile (kernel wording), or a line saying there were none.
/// </summary>
internal static class PsCommand
{
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var client = new ClientOptions("Ask a running cluster (kps node) instead: every node's threads, through the first of these that answers");
        var watch = new WatchOptions();
        var command = new Command("ps", "Start a node with the demo's threads and print one ps table; with --seeds, ps of a running cluster; "
            + "with --watch, the table again every --interval seconds until Ctrl+C");
        var switches = new Option<bool>("--switches")
        {
            Description = "Add the NVCSW and NIVCSW columns (voluntary and involuntary context switches, as /proc/<pid>/status), also with --seeds and --watch",
        };
        command.Options.Add(switches);
        client.AddTo(command);
        watch.AddTo(command, client.Json);
        CpusOption.RefuseOn(command, cpus, when: result => result.GetResult(client.Seeds) is { Implicit: false });
        command.SetAction((parse, ct) => (parse.GetValue(client.Seeds), watch.Of(parse)) switch
        {
            ({ } seeds, { } watching) => ClusterWatchAsync(console, seeds, client.TimeoutOf(parse), watching, parse.GetValue(switches), ct),
            ({ } seeds, null) => ClusterAsync(console, seeds, parse.GetValue(client.Json), client.TimeoutOf(parse), parse.GetValue(switches), ct),
            (null, { } watching) => WatchAsync(console, parse.GetValue(cpus), watching, parse.GetValue(switches), ct),
            (null, null) => RunAsync(console, parse.GetValue(cpus), parse.GetValue(client.Json), parse.GetValue(switches), ct),
        });
        return command;
    }

    /// <summary><c>kps ps</c> of the demo's node; with <paramref name="switches"/>, each thread's nvcsw and nivcsw before COMMAND.</summary>
    public static Task<int> RunAsync(KpsConsole console, int? cpus, bool json, bool switches, CancellationToken ct) =>
        CommandRunner.RunAsync(console, () => KpsNode.RunAsync(cpus, async node =>
        {
            // Only the plain table is noted with what the watchdogs saw; listening starts before the threads do.
            var watchdogs = json || switches ? null : new WatchdogNotes(node.System, node.Kthreads.Settings);
            var threads = new DemoThreads(node.Kthreads);
            await threads.StartAllAsync(ct).ConfigureAwait(false);
            var listed = await node.Kthreads.ListAsync(ct).ConfigureAwait(false);
            if (json)
            {
                console.Out.Json(PsSwitches.Grid(listed, switches));
            }
            else if (watchdogs is null)
            {
                console.Out.Table(PsSwitches.Grid(listed));
            }
            else
            {
                console.Out.Table(PsTable.Rows(listed));
                foreach (var line in watchdogs.Lines())
                {
                    console.Out.Heading(line);
                }
            }

            await threads.StopAllAsync(ct).ConfigureAwait(false);
        }), ct);

    /// <summary>The same node and threads as a plain <c>kps ps</c>, its table redrawn every interval (with the counts if <paramref name="switches"/>); Ctrl+C ends it with 0.</summary>
    public static Task<int> WatchAsync(KpsConsole console, int? cpus, Watching watch, bool switches, CancellationToken ct) =>
        CommandRunner.RunAsync(console, () => KpsNode.RunAsync(cpus, async node =>
        {
            var threads = new DemoThreads(node.Kthreads);
            await threads.StartAllAsync(ct).ConfigureAwait(false);
            try
            {
                await PsWatch.RunAsync(console.Out, watch, async (frame, n) =>
                {
                    var threads = await node.Kthreads.ListAsync(ct).ConfigureAwait(false);
                    frame.Heading($"kps ps: the demo's threads on one node. {PsWatch.Stamp(watch, n)}.");
                    if (switches)
                    {
                        frame.Table(PsSwitches.Grid(threads));
                    }
                    else
                    {
                        frame.Table(PsTable.Rows(threads));
                    }
                }, ct).ConfigureAwait(false);
            }
            finally
            {
                // Not ct: after Ctrl+C the threads are still reaped before the node shuts down.
                await threads.StopAllAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }), ct);

    /// <summary>ps of a running cluster, asked through a seed (with the counts if <paramref name="switches"/>); members that did not answer are named on stderr.</summary>
    public static Task<int> ClusterAsync(KpsConsole console, IReadOnlyList<Seed> seeds, bool json, TimeSpan timeout, bool switches, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            var (list, from) = await ClusterDoor.AskAsync<ClusterNodeProtocol.ThreadList>(seeds, new ClusterNodeProtocol.ListThreads(ClusterWide: true), timeout, ct)
                .ConfigureAwait(false);
            var grid = ClusterPs.Grid(list, switches);
            if (json)
            {
                console.Out.Json(grid);
            }
            else
            {
                console.Out.Heading(ClusterPs.Heading(list, from));
                console.Out.Table(grid);
            }

            foreach (var missing in list.Missing)
            {
                await console.Error.WriteLineAsync($"kps: {missing} did not answer in time; its threads are not listed").ConfigureAwait(false);
            }
        }, ct);

    /// <summary>
    /// ps of a running cluster every interval through one client; the first table must come (else 1, as without
    /// --watch), later a seed that does not answer is shown in the frame and asked again at the next tick.
    /// </summary>
    public static Task<int> ClusterWatchAsync(KpsConsole console, IReadOnlyList<Seed> seeds, TimeSpan timeout, Watching watch, bool switches, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            var question = new ClusterNodeProtocol.ListThreads(ClusterWide: true);
            await using var door = ClusterDoor.Open(seeds);
            var first = await door.AskAsync<ClusterNodeProtocol.ThreadList>(question, timeout, ct).ConfigureAwait(false);
            await PsWatch.RunAsync(console.Out, watch, async (frame, n) =>
            {
                try
                {
                    var (list, from) = n == 1 ? first : await door.AskAsync<ClusterNodeProtocol.ThreadList>(question, timeout, ct).ConfigureAwait(false);
                    frame.Heading($"{ClusterPs.Heading(list, from)} {PsWatch.Stamp(watch, n)}.");
                    foreach (var missing in list.Missing)
                    {
                        frame.Line($"{missing} did not answer in time; its threads are not listed");
                    }

                    frame.Table(ClusterPs.Grid(list, switches));
                }
                catch (DemoFailedException e)
                {
                    // A node went away mid-watch (the point of watching): say so and try again at the next tick.
                    frame.Heading($"kps: {e.Message} {PsWatch.Stamp(watch, n)}.");
                }
            }, ct).ConfigureAwait(false);
        }, ct);
}
