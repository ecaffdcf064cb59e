using System.Net;
using Akka.Actor;
using Akka.Kthreads.Cli.Commands;
using Akka.Kthreads.Cli.Demo;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// How kps asks a running cluster without joining it: a short-lived client ActorSystem (provider
/// remote, so it never gets a CPU) asks a node's query actor, /system/kthreads-node, and ends.
/// </summary>
internal static class ClusterDoor
{
    private static readonly TimeSpan ClientStopBound = TimeSpan.FromSeconds(10);

    /// <summary>The query actor of <paramref name="seed"/>.</summary>
    public static string PathOf(Seed seed) => $"{seed.Address}/system/{ClusterConfig.NodeActorName}";

    /// <summary>Asks the seeds in turn until one answers <paramref name="question"/>.</summary>
    /// <param name="seeds">kps nodes; the first that answers is the one asked.</param>
    /// <param name="question">A <c>ClusterNodeProtocol</c> query.</param>
    /// <param name="timeout">How long to wait for each seed.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>The answer and the seed that gave it.</returns>
    /// <exception cref="DemoFailedException">No seed answered within <paramref name="timeout"/>.</exception>
    public static async Task<(T Answer, Seed From)> AskAsync<T>(IReadOnlyList<Seed> seeds, object question, TimeSpan timeout, CancellationToken ct)
    {
        var host = seeds.All(s => IsLoopback(s.Host)) ? ClusterConfig.Loopback : string.Empty;
        var system = ActorSystem.Create("kps-client", ClusterConfig.Client(host));
        try
        {
            foreach (var seed in seeds)
            {
                try
                {
                    var answer = await system.ActorSelection(PathOf(seed)).Ask<T>(question, timeout, ct).ConfigureAwait(false);
                    return (answer, seed);
                }
                catch (AskTimeoutException)
                {
                    // The next seed, if any: a node that is down or not a kps node never answers.
                }
            }

            throw new DemoFailedException(
                $"no kps node answered within {timeout.TotalSeconds:0.#}s at {string.Join(", ", seeds.Select(PathOf))}: is `kps node` running there?");
        }
        finally
        {
            await system.Terminate().WaitAsync(ClientStopBound, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
