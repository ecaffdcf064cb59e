using System.CommandLine;
using System.Globalization;
using Akka.Kthreads.Cli.Cluster;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps cluster</c>: a cluster in one process on loopback, its CPUs running counter/N; a node joins,
/// one leaves, one crashes and restarts, and after each step the CPUs' placement and counters.
/// </summary>
internal static class ClusterCommand
{
    /// <summary>Nodes without --nodes.</summary>
    public const int DefaultNodes = 3;

    /// <summary>The <c>cluster</c> subcommand; <c>--cpus</c> here means the cluster's CPUs (default: two per node).</summary>
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var nodes = new Option<int>("--nodes")
        {
            Description = $"Nodes to start with, 2 to 5 (default {DefaultNodes})",
            HelpName = "n",
            DefaultValueFactory = _ => DefaultNodes,
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 2 and <= 5)
                {
                    return n;
                }

                result.AddError($"--nodes needs 2 to 5 nodes, not '{token}'");
                return 0;
            },
        };
        var command = new Command("cluster",
            "Run a cluster of --nodes nodes on 127.0.0.1 in this process, each cluster CPU running counter/N (its count saved every round); "
            + "a node joins, one leaves gracefully, one crashes and restarts; after each step, once settled, where every CPU is and its counter, "
            + "which must never go down. --cpus is the cluster's CPUs here (kthreads.cluster.cpus; default 2 per node)");
        command.Options.Add(nodes);
        command.SetAction((parse, ct) => RunAsync(console, parse.GetValue(nodes), parse.GetValue(cpus), ct));
        return command;
    }

    /// <summary>Runs the scenario; 0 once every step settled with no counter going down, else 1 and a message on stderr.</summary>
    public static Task<int> RunAsync(KpsConsole console, int nodes, int? cpus, CancellationToken ct) =>
        CommandRunner.RunAsync(console, () => new ClusterScenario(console.Out, nodes, cpus ?? 2 * nodes, ct).RunAsync(), ct);
}
