using System.CommandLine;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// The kps command tree: the root (runs the demo), <c>demo</c>, <c>ps</c>, <c>hotplug</c>, <c>modules</c>,
/// and the cluster's <c>cluster</c>, <c>node</c>, <c>cpus</c>, <c>stop</c>, <c>park</c> and <c>unpark</c>.
/// </summary>
internal static class KpsCommandLine
{
    public static RootCommand Build(KpsConsole console)
    {
        var cpus = CpusOption.Create();
        var root = new RootCommand("kps: kernel threads (kthreadd, create / run / stop / park / unpark) as Akka.NET actors. "
            + "Without a command it runs the single-node demo.");
        root.Options.Add(cpus);
        root.Subcommands.Add(DemoCommand.Create(console, cpus));
        root.Subcommands.Add(PsCommand.Create(console, cpus));
        root.Subcommands.Add(HotplugCommand.Create(console, cpus));
        root.Subcommands.Add(ModulesCommand.Create(console, cpus));
        root.Subcommands.Add(ClusterCommand.Create(console, cpus));
        root.Subcommands.Add(NodeCommand.Create(console, cpus));
        Command[] clients =
        [
            CpusCommand.Create(console),
            ThreadOpCommand.Create(console, ClusterNodeProtocol.ThreadOperation.Stop),
            ThreadOpCommand.Create(console, ClusterNodeProtocol.ThreadOperation.Park),
            ThreadOpCommand.Create(console, ClusterNodeProtocol.ThreadOperation.Unpark),
            ThreadOpCommand.Create(console, ClusterNodeProtocol.ThreadOperation.SetCpusAllowed),
        ];
        foreach (var client in clients)
        {
            CpusOption.RefuseOn(client, cpus);
            root.Subcommands.Add(client);
        }

        root.SetAction((parse, ct) => DemoCommand.RunAsync(console, parse.GetValue(cpus), ct));
        return root;
    }
}
