using System.CommandLine;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Node;
using Akka.Kthreads.Cli.Output;

namespace Akka.Kthreads.Cli.Commands;

/// <summary><c>kps ps</c>: a node with the demo's threads (counter running, kworker/N parked, oneshot zombie), one table.</summary>
internal static class PsCommand
{
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var command = new Command("ps", "Start a node with the demo's threads and print one ps table");
        command.SetAction((parse, ct) => RunAsync(console, parse.GetValue(cpus), ct));
        return command;
    }

    public static Task<int> RunAsync(KpsConsole console, int? cpus, CancellationToken ct) =>
        CommandRunner.RunAsync(console, () => KpsNode.RunAsync(cpus, async node =>
        {
            var threads = new DemoThreads(node.Kthreads);
            await threads.StartAllAsync(ct).ConfigureAwait(false);
            console.Out.Table(await PsTable.ReadAsync(node.Kthreads, ct).ConfigureAwait(false));
            await threads.StopAllAsync(ct).ConfigureAwait(false);
        }), ct);
}
