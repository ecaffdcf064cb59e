using Akka.Actor;
using Akka.Kthreads.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Akka.Kthreads.Cli.Node;

/// <summary>
/// One single-node kps host: an ActorSystem with Kthreads through <c>WithKthreads</c>, warnings and errors logged to
/// stderr, and a shutdown through CoordinatedShutdown (the host's stop) when disposed.
/// </summary>
internal sealed class KpsNode : IAsyncDisposable
{
    private readonly KpsHost _host;

    private KpsNode(KpsHost host)
    {
        _host = host;
        Kthreads = host.Services.GetRequiredService<Kthreads>();
    }

    public ActorSystem System => _host.System;

    public Kthreads Kthreads { get; }

    /// <summary>Starts a node; its name is unique so that several may run in one process (the specs).</summary>
    /// <param name="cpus">kthreads.cpus.possible; null keeps the reference default (the processor count).</param>
    /// <param name="ct">Cancels the start.</param>
    /// <param name="logging">More logging providers, beside the console (the specs add theirs).</param>
    public static async Task<KpsNode> StartAsync(int? cpus, CancellationToken ct, Action<ILoggingBuilder>? logging = null)
    {
        var name = "kps-" + Guid.NewGuid().ToString("N")[..12];
        var host = await KpsHost.StartAsync(name, LogLevel.Warning, builder => builder.WithKthreads(new KthreadsOptions { PossibleCpus = cpus }), ct, logging)
            .ConfigureAwait(false);
        return new KpsNode(host);
    }

    /// <summary>Runs <paramref name="body"/> on a fresh node, shut down through CoordinatedShutdown whatever happens.</summary>
    /// <param name="cpus">kthreads.cpus.possible; null keeps the reference default.</param>
    /// <param name="body">What to do on the node.</param>
    public static async Task RunAsync(int? cpus, Func<KpsNode, Task> body)
    {
        var node = await StartAsync(cpus, CancellationToken.None).ConfigureAwait(false);
        try
        {
            await body(node).ConfigureAwait(false);
        }
        finally
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the host: CoordinatedShutdown (ClrExitReason), in which the hosting extension stops any thread still there.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
