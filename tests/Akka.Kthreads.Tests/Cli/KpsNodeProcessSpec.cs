using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// A cluster of three real <c>kps node</c> processes on 127.0.0.1 and one SQLite file; one is killed
/// (SIGKILL) and <c>kps cpus</c> shows its CPUs back on the other two, their counters kept. And a node's
/// Akka logs: through Microsoft.Extensions.Logging to stderr, never on stdout.
/// </summary>
[Collection(nameof(KpsClusters))]
public sealed class KpsNodeProcessSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly ITestOutputHelper _log;

    public KpsNodeProcessSpec(ITestOutputHelper output)
        : base(output: output) => _log = output;

    // Starting a process and its cluster node (JIT, SQLite, joining) is slow on a loaded machine.
    private static readonly TimeSpan UpBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_killed_node_s_cpus_come_back_on_the_others_with_their_counters()
    {
        var db = Path.Combine(Path.GetTempPath(), $"kps-nodes-spec-{Guid.NewGuid():N}.db");
        var ports = FreePorts(3);
        var nodes = new List<KpsProcess>();
        try
        {
            nodes.Add(KpsProcess.Start(_log, "node1", $"node --port {ports[0]} --cpus 6 --db {db}"));
            await nodes[0].WaitUpAsync(UpBound);
            nodes.Add(KpsProcess.Start(_log, "node2", $"node --port {ports[1]} --seeds 127.0.0.1:{ports[0]} --cpus 6 --db {db}"));
            nodes.Add(KpsProcess.Start(_log, "node3", $"node --port {ports[2]} --seeds 127.0.0.1:{ports[0]} --cpus 6 --db {db}"));
            Assert.Equal($"node akka.tcp://kthreads@127.0.0.1:{ports[2]} up", await nodes[2].WaitUpAsync(UpBound));
            await nodes[1].WaitUpAsync(UpBound);

            var before = await AwaitCpusAsync($"127.0.0.1:{ports[0]}", ports);
            nodes[2].Kill();
            var after = await AwaitCpusAsync($"127.0.0.1:{ports[0]},127.0.0.1:{ports[1]}", ports[..2]);

            // A killed node's last round may not have been saved: its counters may restart one lower than last seen.
            foreach (var (cpu, counter) in before)
            {
                Assert.True(after[cpu].Counter >= counter.Counter - 1, $"cpu {cpu}: {after[cpu].Counter} after, {counter.Counter} before");
            }

            Assert.Equal(
                before.Where(c => c.Value.Port == ports[2]).Select(c => c.Key).Order(),
                after.Where(c => c.Value.Port != before[c.Key].Port).Select(c => c.Key).Order());
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }

            foreach (var file in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task A_node_s_Akka_warnings_reach_stderr_through_Microsoft_Extensions_Logging_and_stdout_keeps_only_its_lines()
    {
        var db = Path.Combine(Path.GetTempPath(), $"kps-log-spec-{Guid.NewGuid():N}.db");
        var ports = FreePorts(2);
        try
        {
            // A seed nobody listens on: Akka.Remote warns that it could not associate, again and again while the node tries to join.
            using var node = KpsProcess.Start(_log, "node", $"node --port {ports[0]} --seeds 127.0.0.1:{ports[1]} --db {db}");

            var warning = await node.WaitErrorLineAsync($"Tried to associate with unreachable remote address [akka.tcp://kthreads@127.0.0.1:{ports[1]}]", UpBound);

            // One line each, as the simple console formatter writes them: MEL's level and category (Akka.Hosting's logger), then Akka's own line.
            Assert.StartsWith("warn: Akka.Actor.ActorSystem[0] [WARNING][", warning);
            node.Interrupt();
            Assert.Equal(0, await node.WaitExitAsync(UpBound));
            Assert.Equal([$"node akka.tcp://kthreads@127.0.0.1:{ports[0]} left the cluster"], node.OutputLines);
        }
        finally
        {
            foreach (var file in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>Polls <c>kps cpus --json</c> until all 6 CPUs are on <paramref name="ports"/>' nodes, two or three each, with a counter.</summary>
    private async Task<Dictionary<int, (int Port, long Counter)>> AwaitCpusAsync(string seeds, int[] ports)
    {
        var cpus = new Dictionary<int, (int Port, long Counter)>();
        await AwaitAssertAsync(async () =>
        {
            var (code, output, _) = await KpsRun.RunAsync(_log, $"cpus --seeds {seeds} --json --timeout 10");
            Assert.Equal(0, code);
            var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToArray();
            Assert.Equal([0, 1, 2, 3, 4, 5], rows.Select(r => r.GetProperty("cpu").GetInt32()));
            cpus = rows.ToDictionary(
                r => r.GetProperty("cpu").GetInt32(),
                r => (new Uri(r.GetProperty("node").GetString()!.Replace("akka.tcp", "tcp", StringComparison.Ordinal)).Port,
                    r.GetProperty("counter").GetInt64()));
            Assert.Equal(ports.Order(), cpus.Values.Select(c => c.Port).Distinct().Order());
            Assert.All(cpus.Values.GroupBy(c => c.Port), g => Assert.Equal(6 / ports.Length, g.Count()));
        }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));
        return cpus;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var listener in listeners)
        {
            listener.Start();
        }

        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }

        return ports;
    }
}
