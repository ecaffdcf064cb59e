using System.CommandLine;
using Akka.Kthreads.Cli.Hotplug;
using Akka.Kthreads.Cli.Node;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps hotplug</c>: CPUs going down and up on one node: per-CPU threads park and come back with
/// their state, the hotplug states run in order, a bound kthread moves, the last CPU stays.
/// </summary>
internal static class HotplugCommand
{
    /// <summary>The CPUs without --cpus: a fixed count, so the scenario reads the same on every machine.</summary>
    public const int DefaultCpus = 4;

    /// <summary>The <c>hotplug</c> subcommand, honouring the shared <c>--cpus</c> option.</summary>
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var command = new Command("hotplug",
            $"Take CPUs down one at a time and bring them back: per-CPU threads park and resume with their state, "
            + $"hotplug states run in order, a bound kthread moves, the last CPU refuses (-EBUSY); --cpus defaults to {DefaultCpus} here");
        command.SetAction((parse, ct) => RunAsync(console, parse.GetValue(cpus), ct));
        return command;
    }

    /// <summary>Runs the scenario on a fresh node; a step that misses its promise gives exit code 1 and a message on stderr.</summary>
    public static Task<int> RunAsync(KpsConsole console, int? cpus, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            await KpsNode.RunAsync(cpus ?? DefaultCpus, async node =>
            {
                // Listening before the first operation: every step of every CPU is seen.
                using var events = HotplugEventLog.Start(node.System);
                await new HotplugScenario(console.Out, node.Kthreads, events, ct).RunAsync().ConfigureAwait(false);
            }).ConfigureAwait(false);
            console.Out.Heading("Node shut down through CoordinatedShutdown.");
        }, ct);
}
