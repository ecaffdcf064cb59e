using System.CommandLine;
using Akka.Kthreads.Cli.Modules;
using Akka.Kthreads.Cli.Node;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps modules</c>: seed 003 end to end on one node: delete_module refused with -EWOULDBLOCK, forced
/// (tainting), and waiting for the last module_put, with stop_machine keeping the refcount still.
/// </summary>
internal static class ModulesCommand
{
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var command = new Command("modules",
            "Run seed 003: delete_module under stop_machine refused while in use (O_NONBLOCK), forced (O_TRUNC, taints), and waiting for the last module_put");
        command.SetAction((parse, ct) => RunAsync(console, parse.GetValue(cpus), ct));
        return command;
    }

    /// <summary>Runs the scenario on a fresh node; 0 when every step gave the result the seed promises.</summary>
    public static Task<int> RunAsync(KpsConsole console, int? cpus, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            await KpsNode.RunAsync(cpus, node => ModulesScenario.RunAsync(console.Out, node.Kthreads, ct)).ConfigureAwait(false);
            console.Out.Heading("Node shut down through CoordinatedShutdown.");
        }, ct);
}
