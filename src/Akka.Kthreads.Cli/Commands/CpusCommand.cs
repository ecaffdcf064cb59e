using System.CommandLine;
using Akka.Kthreads.Cli.Cluster;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Commands;

/// <summary><c>kps cpus --seeds host:port</c>: every CPU of a running cluster, where it is online and its counter.</summary>
internal static class CpusCommand
{
    public static Command Create(KpsConsole console)
    {
        var client = new ClientOptions("kps nodes to ask (the first that answers), e.g. 127.0.0.1:4053") { Seeds = { Required = true } };
        var command = new Command("cpus",
            "Ask a running cluster (kps node) for its CPUs: one row per CPU with the node it is online on and its counter/N; never joins the cluster");
        client.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(console, parse.GetValue(client.Seeds)!, parse.GetValue(client.Json), client.TimeoutOf(parse), ct));
        return command;
    }

    /// <summary>Asks, prints the table (or JSON); 1 and a message on stderr when no seed answers in time.</summary>
    public static Task<int> RunAsync(KpsConsole console, IReadOnlyList<Seed> seeds, bool json, TimeSpan timeout, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            var (list, from) = await ClusterDoor.AskAsync<ClusterNodeProtocol.CpuList>(seeds, ClusterNodeProtocol.ListCpus.Instance, timeout, ct)
                .ConfigureAwait(false);
            var grid = CpuRow.Grid(list.Cpus.Select(CpuRow.From));
            if (json)
            {
                console.Out.Json(grid);
                return;
            }

            console.Out.Heading($"Cluster CPUs, asked through {from}: {list.Cpus.Count} answered.");
            console.Out.Table(grid);
        }, ct);
}
