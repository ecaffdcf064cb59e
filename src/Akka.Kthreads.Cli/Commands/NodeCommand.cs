using System.CommandLine;
using System.Globalization;
using Akka.Kthreads.Cli.Cluster;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps node --port P</c>: one node of a multi-process cluster, its CPUs running counter/N, until
/// Ctrl+C or SIGTERM; then a graceful leave (its CPUs handed off to the others) and exit 0.
/// </summary>
internal static class NodeCommand
{
    /// <summary>Cluster CPUs without --cpus: every node of one cluster must use the same count.</summary>
    public const int DefaultCpus = 6;

    // Far above a leave's usual time (a hand-off per CPU), below System.CommandLine's termination grace.
    private static readonly TimeSpan LeaveBound = TimeSpan.FromSeconds(8);

    /// <summary>The <c>node</c> subcommand; <c>--cpus</c> here means the cluster's CPUs.</summary>
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var port = new Option<int>("--port")
        {
            Description = "The port this node listens on (akka.tcp://kthreads@host:port)",
            HelpName = "port",
            Required = true,
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535)
                {
                    return p;
                }

                result.AddError($"--port needs a port 1..65535, not '{token}'");
                return 0;
            },
        };
        var host = new Option<string>("--host")
        {
            Description = $"The hostname this node binds and is known by (default {ClusterConfig.Loopback})",
            HelpName = "host",
            DefaultValueFactory = _ => ClusterConfig.Loopback,
        };
        var seeds = SeedsOption.Create("Nodes of the cluster to join; without it the node joins itself (the first node)");
        var db = new Option<string>("--db")
        {
            Description = "The SQLite file every node of the cluster shares for the CPUs' states (default: kthreads.cluster.store.sqlite-file, "
                + "kthreads-cluster.db in the working directory)",
            HelpName = "path",
            DefaultValueFactory = _ => ClusterKthreads.DefaultConfig().GetString("kthreads.cluster.store.sqlite-file"),
        };
        var command = new Command("node",
            "Run one node of a kps cluster (system \"kthreads\", split-brain resolver keep-majority), its CPUs running counter/N, "
            + $"until Ctrl+C or SIGTERM, then leave gracefully. --cpus is the cluster's CPUs here (default {DefaultCpus}, the same on every node)");
        command.Options.Add(port);
        command.Options.Add(host);
        command.Options.Add(seeds);
        command.Options.Add(db);
        command.SetAction((parse, ct) => RunAsync(console,
            new NodeArgs(parse.GetValue(host)!, parse.GetValue(port), parse.GetValue(seeds), parse.GetValue(cpus) ?? DefaultCpus, parse.GetValue(db)!), ct));
        return command;
    }

    /// <summary>Runs the node until <paramref name="ct"/> is cancelled (Ctrl+C, SIGTERM), then leaves; 1 if it was downed or could not start.</summary>
    public static Task<int> RunAsync(KpsConsole console, NodeArgs args, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            var config = new ClusterNodeConfig(args.Host, args.Port, args.Cpus, args.Db);
            var node = await KpsClusterNode.StartAsync("node", config, ct).ConfigureAwait(false);
            await using (node.ConfigureAwait(false))
            {
                // Disposed whatever happens, bounded: a node that will not end must not keep the process alive.
                await RunUntilStoppedAsync(console, node, args, ct).ConfigureAwait(false);
            }
        }, CancellationToken.None);

    private static async Task RunUntilStoppedAsync(KpsConsole console, KpsClusterNode node, NodeArgs args, CancellationToken ct)
    {
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = ct.Register(() => stop.TrySetResult());
        var up = node.WhenUpAsync();
        node.Join(args.Seeds is { } seeds ? seeds.Select(s => s.Address).ToArray() : [node.Address]);

        if (await Task.WhenAny(up, stop.Task, node.System.WhenTerminated).ConfigureAwait(false) == up)
        {
            // The line scripts and specs wait for.
            console.Out.Heading($"node {node.Address} up");
        }

        await Task.WhenAny(stop.Task, node.System.WhenTerminated).ConfigureAwait(false);
        if (!stop.Task.IsCompleted)
        {
            throw new DemoFailedException($"node {node.Address} was removed from the cluster (downed) and stopped");
        }

        // kernel: none — a leave (the host's stop) hands every CPU off (cpu_down here, states saved) before the system ends.
        await node.LeaveAsync(LeaveBound).ConfigureAwait(false);
        console.Out.Heading($"node {node.Address} left the cluster");
    }

    /// <summary>What <c>kps node</c> was asked for.</summary>
    internal sealed record NodeArgs(string Host, int Port, IReadOnlyList<Seed>? Seeds, int Cpus, string Db);
}
