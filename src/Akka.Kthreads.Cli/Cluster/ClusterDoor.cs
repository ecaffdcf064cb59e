using System.Net;
using Akka.Actor;
using Akka.Kthreads.Cli.Commands;
using Akka.Kthreads.Cli.Demo;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// How kps asks a running cluster without joining it: a client ActorSystem (provider remote, so it
/// never gets a CPU) asks a node's query actor, /system/kthreads-node; one per command, ended on dispose.
/// </summary>
internal sealed class ClusterDoor : IAsyncDisposable
{
    private static readonly TimeSpan ClientStopBound = TimeSpan.FromSeconds(10);

    private readonly ActorSystem _system;
    private readonly List<Seed> _seeds;

    private ClusterDoor(IReadOnlyList<Seed> seeds)
    {
        _seeds = [.. seeds];
        var host = seeds.All(s => IsLoopback(s.Host)) ? ClusterConfig.Loopback : string.Empty;
        _system = ActorSystem.Create("kps-client", ClusterConfig.Client(host));
    }

    /// <summary>The query actor of <paramref name="seed"/>.</summary>
    public static string PathOf(Seed seed) => $"{seed.Address}/system/{ClusterConfig.NodeActorName}";

    /// <summary>A client for <paramref name="seeds"/>, to ask many times (<c>kps ps --watch</c>).</summary>
    public static ClusterDoor Open(IReadOnlyList<Seed> seeds) => new(seeds);

    /// <summary>Asks the seeds in turn until one answers <paramref name="question"/>, with a client of its own.</summary>
    /// <param name="seeds">kps nodes; the first that answers is the one asked.</param>
    /// <param name="question">A <c>ClusterNodeProtocol</c> query.</param>
    /// <param name="timeout">How long to wait for each seed.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>The answer and the seed that gave it.</returns>
    /// <exception cref="DemoFailedException">No seed answered within <paramref name="timeout"/>.</exception>
    public static async Task<(T Answer, Seed From)> AskAsync<T>(IReadOnlyList<Seed> seeds, object question, TimeSpan timeout, CancellationToken ct)
    {
        await using var door = Open(seeds);
        return await door.AskAsync<T>(question, timeout, ct).ConfigureAwait(false);
    }

    /// <summary>Asks the seeds in turn, the one that answered last first, until one answers <paramref name="question"/>.</summary>
    /// <param name="question">A <c>ClusterNodeProtocol</c> query.</param>
    /// <param name="timeout">How long to wait for each seed.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>The answer and the seed that gave it.</returns>
    /// <exception cref="DemoFailedException">No seed answered within <paramref name="timeout"/>.</exception>
    public async Task<(T Answer, Seed From)> AskAsync<T>(object question, TimeSpan timeout, CancellationToken ct)
    {
        foreach (var seed in _seeds.ToArray())
        {
            try
            {
                var answer = await _system.ActorSelection(PathOf(seed)).Ask<T>(question, timeout, ct).ConfigureAwait(false);

                // A watch asks again and again: a seed that went away costs its timeout once, not on every table.
                _seeds.Remove(seed);
                _seeds.Insert(0, seed);
                return (answer, seed);
            }
            catch (AskTimeoutException)
            {
                // The next seed, if any: a node that is down or not a kps node never answers.
            }
        }

        throw new DemoFailedException(
            $"no kps node answered within {timeout.TotalSeconds:0.#}s at {string.Join(", ", _seeds.Select(PathOf))}: is `kps node` running there?");
    }

    public async ValueTask DisposeAsync() =>
        await _system.Terminate().WaitAsync(ClientStopBound, CancellationToken.None).ConfigureAwait(false);

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
