using System.Globalization;
using Akka.Actor;
using Akka.Configuration;

namespace Akka.Kthreads.Cli.Node;

/// <summary>
/// One single-node ActorSystem with Kthreads, quiet logging, and a shutdown through
/// CoordinatedShutdown when disposed.
/// </summary>
internal sealed class KpsNode : IAsyncDisposable
{
    private KpsNode(ActorSystem system)
    {
        System = system;
        Kthreads = Kthreads.Get(system);
    }

    public ActorSystem System { get; }

    public Kthreads Kthreads { get; }

    /// <summary>Starts a node; its name is unique so that several may run in one process (the specs).</summary>
    /// <param name="cpus">kthreads.cpus.possible; null keeps the reference default (the processor count).</param>
    public static KpsNode Start(int? cpus)
    {
        var name = "kps-" + Guid.NewGuid().ToString("N")[..12];
        var system = ActorSystem.Create(name, BuildConfig(cpus));
        try
        {
            return new KpsNode(system);
        }
        catch
        {
            // A bad kthreads config fails here: do not leave the system running behind the error.
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>Runs <paramref name="body"/> on a fresh node, shut down through CoordinatedShutdown whatever happens.</summary>
    /// <param name="cpus">kthreads.cpus.possible; null keeps the reference default.</param>
    /// <param name="body">What to do on the node.</param>
    public static async Task RunAsync(int? cpus, Func<KpsNode, Task> body)
    {
        var node = Start(cpus);
        try
        {
            await body(node).ConfigureAwait(false);
        }
        finally
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal static Config BuildConfig(int? cpus)
    {
        // Warnings and errors only; dead letters are expected while threads are reaped at the end.
        var hocon = """
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              log-dead-letters = off
              log-dead-letters-during-shutdown = off
              coordinated-shutdown.exit-clr = off
            }
            """;
        if (cpus is { } n)
        {
            hocon += string.Create(CultureInfo.InvariantCulture, $"\nkthreads.cpus.possible = {n}\n");
        }

        return ConfigurationFactory.ParseString(hocon).WithFallback(Kthreads.DefaultConfig());
    }

    public async ValueTask DisposeAsync() =>
        await CoordinatedShutdown.Get(System).Run(CoordinatedShutdown.ClrExitReason.Instance).ConfigureAwait(false);
}
