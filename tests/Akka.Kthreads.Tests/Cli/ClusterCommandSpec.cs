using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Kthreads.Cli.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// <c>kps cluster</c>, and <c>kps cpus</c> / <c>kps ps --seeds</c> asking a node of this process:
/// in-process, plain text, as a pipe sees them.
/// </summary>
[Collection(nameof(KpsClusters))]
public sealed class ClusterCommandSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly ITestOutputHelper _log;

    public ClusterCommandSpec(ITestOutputHelper output)
        : base(output: output) => _log = output;

    private const string CpuHeader = "CPU NODE COUNTER";

    [Fact]
    public async Task Cluster_joins_leaves_crashes_and_restarts_a_node_and_no_counter_goes_down()
    {
        var (code, output, error) = await KpsRun.RunAsync(_log, "cluster --nodes 3");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var tables = KpsRun.Grids(output, CpuHeader);
        Assert.Equal(5, tables.Count);
        var steps = Regex.Matches(output, @"^([a-e])\. .*; settled in \d+\.\d s\.$", RegexOptions.Multiline).Select(m => m.Groups[1].Value);
        Assert.Equal(["a", "b", "c", "d", "e"], steps);
        Assert.Contains("node4 (127.0.0.1:", output);
        Assert.Matches(new Regex(@"^c\. node2 \(127\.0\.0\.1:\d+\) left gracefully", RegexOptions.Multiline), output);
        Assert.Matches(new Regex(@"^d\. node\d \(127\.0\.0\.1:\d+\) crashed", RegexOptions.Multiline), output);

        // Every table: the 6 CPUs once each, on 3, 4, 3, 2 and 3 nodes, counters never lower than the table before.
        var previous = new long[6];
        foreach (var (table, nodes) in tables.Zip(new[] { 3, 4, 3, 2, 3 }))
        {
            Assert.Equal(["0", "1", "2", "3", "4", "5"], table.Rows.Select(r => r[0]));
            var perNode = table.Rows.GroupBy(r => r[1]).Select(g => g.Count()).ToArray();
            Assert.Equal(nodes, perNode.Length);
            Assert.True(perNode.Max() - perNode.Min() <= 1, string.Join(",", perNode));
            var counters = table.Rows.Select(r => long.Parse(r[2])).ToArray();
            Assert.All(counters.Zip(previous), c => Assert.True(c.Item1 >= c.Item2, $"{c.Item1} < {c.Item2}"));
            previous = counters;
        }

        Assert.Matches(new Regex(@"^Every counter only went up: cpu 0 \d+->\d+, .*cpu 5 \d+->\d+\.$", RegexOptions.Multiline), output);
        Assert.DoesNotContain('\u001b', output);

        // Akka.Hosting sets it to -1 when a system ends for ClusterLeavingReason or ClusterDowningReason: the leave is the host's stop.
        Assert.Equal(0, Environment.ExitCode);
    }

    [Theory]
    [InlineData("cluster --nodes 1")]
    [InlineData("cluster --nodes 6")]
    [InlineData("node")]
    [InlineData("node --port 0")]
    [InlineData("cpus")]
    [InlineData("cpus --seeds 127.0.0.1")]
    [InlineData("ps --seeds nowhere:port")]
    public async Task A_bad_cluster_option_fails_with_a_message(string commandLine)
    {
        var (code, _, error) = await KpsRun.RunAsync(_log, commandLine);

        Assert.NotEqual(0, code);
        Assert.NotEqual(string.Empty, error.Trim());
    }

    [Fact]
    public async Task Cpus_and_ps_ask_a_node_without_joining_and_print_json_keyed_by_the_columns()
    {
        var db = Path.Combine(Path.GetTempPath(), $"kps-spec-{Guid.NewGuid():N}.db");
        var node = await KpsClusterNode.StartAsync("node", new ClusterNodeConfig(ClusterConfig.Loopback, 0, 2, db), CancellationToken.None);
        try
        {
            node.Join([node.Address]);
            var seeds = $"--seeds 127.0.0.1:{node.Address.Port}";

            JsonElement[] cpus = [];
            await AwaitAssertAsync(async () =>
            {
                var (code, output, _) = await KpsRun.RunAsync(_log, $"cpus {seeds} --json");
                Assert.Equal(0, code);
                cpus = JsonDocument.Parse(output).RootElement.EnumerateArray().ToArray();
                Assert.Equal(2, cpus.Length);
                Assert.All(cpus, c => Assert.Equal(JsonValueKind.Number, c.GetProperty("counter").ValueKind));
            }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(300));

            Assert.All(cpus, c => Assert.Equal(["cpu", "node", "counter"], c.EnumerateObject().Select(p => p.Name)));
            Assert.Equal([0, 1], cpus.Select(c => c.GetProperty("cpu").GetInt32()));
            Assert.All(cpus, c => Assert.Equal(node.Address.ToString(), c.GetProperty("node").GetString()));

            var (psCode, ps, _) = await KpsRun.RunAsync(_log, $"ps {seeds} --json");
            Assert.Equal(0, psCode);
            var rows = JsonDocument.Parse(ps).RootElement.EnumerateArray().ToArray();
            Assert.All(rows, r => Assert.Equal(["node", "pid", "ppid", "cpu", "stat", "command"], r.EnumerateObject().Select(p => p.Name)));
            Assert.Equal("kthreadd", rows[0].GetProperty("command").GetString());
            Assert.Equal(["counter/0", "counter/1"], rows.Skip(1).Select(r => r.GetProperty("command").GetString()).Order());

            var (tableCode, table, _) = await KpsRun.RunAsync(_log, $"cpus {seeds}");
            Assert.Equal(0, tableCode);
            Assert.Equal(2, Assert.Single(KpsRun.Grids(table, CpuHeader)).Rows.Count);
            var (psTableCode, psTable, _) = await KpsRun.RunAsync(_log, $"ps {seeds}");
            Assert.Equal(0, psTableCode);
            Assert.Equal(3, Assert.Single(KpsRun.Grids(psTable, "NODE PID PPID CPU STAT COMMAND")).Rows.Count);

            // --switches: each node's rows with the counts the wire carries; kthreadd, an actor, has none.
            var (switchesCode, switches, _) = await KpsRun.RunAsync(_log, $"ps {seeds} --switches --json");
            Assert.Equal(0, switchesCode);
            var counted = JsonDocument.Parse(switches).RootElement.EnumerateArray().ToArray();
            Assert.All(counted, r => Assert.Equal(["node", "pid", "ppid", "cpu", "stat", "nvcsw", "nivcsw", "command"], r.EnumerateObject().Select(p => p.Name)));
            Assert.Equal(JsonValueKind.Null, counted[0].GetProperty("nvcsw").ValueKind);
            Assert.All(counted.Skip(1), r => Assert.True(r.GetProperty("nvcsw").GetInt64() >= 0 && r.GetProperty("nivcsw").GetInt64() >= 0));
            Assert.Equal(["counter/0", "counter/1"], counted.Skip(1).Select(r => r.GetProperty("command").GetString()).Order());
        }
        finally
        {
            await node.CrashAsync();
            await node.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { db, db + "-wal", db + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    [Theory]
    [InlineData("cpus")]
    [InlineData("ps")]
    public async Task A_seed_that_does_not_answer_fails_with_a_message_within_the_timeout(string command)
    {
        // A port nobody listens on: bound, then released.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, output, error) = await KpsRun.RunAsync(_log, $"{command} --seeds 127.0.0.1:{port} --timeout 2 --json");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"no kps node answered within 2s at akka.tcp://kthreads@127.0.0.1:{port}/system/kthreads-node", error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }
}
