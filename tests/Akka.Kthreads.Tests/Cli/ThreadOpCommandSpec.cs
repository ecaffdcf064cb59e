using Akka.Kthreads.Cli.Commands;
using Akka.Kthreads.Cli.Hotplug;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// <c>kps park|unpark|stop NODE/PID --seeds</c> and <c>kps ps --seeds --watch</c> against two in-process
/// nodes: kps asks node 1 about a thread of node 2, plain text, as a pipe sees it.
/// </summary>
[Collection(nameof(KpsClusters))]
public sealed class ThreadOpCommandSpec : Akka.TestKit.Xunit2.TestKit, IClassFixture<TwoKpsNodes>
{
    private readonly ITestOutputHelper _log;
    private readonly TwoKpsNodes _nodes;

    public ThreadOpCommandSpec(TwoKpsNodes nodes, ITestOutputHelper output)
        : base(output: output) => (_nodes, _log) = (nodes, output);

    private Kthreads Node2Kthreads => _nodes.Node2.Cluster.Kthreads;

    [Fact]
    public async Task Park_unpark_and_stop_a_thread_of_another_node_print_the_replies_and_exit_0()
    {
        var thread = await StartLoopOnNode2Async();
        var id = $"127.0.0.1:{_nodes.Node2.Address.Port}/{thread.Pid}";

        await AssertRepliesAsync($"park {id} {_nodes.Seeds}", "0");
        Assert.Equal(KthreadState.Parked, await StateAsync(thread.Pid));

        await AssertRepliesAsync($"unpark {id} {_nodes.Seeds}", "0");
        Assert.NotEqual(KthreadState.Parked, await StateAsync(thread.Pid));

        // The full form too, as akka prints addresses.
        await AssertRepliesAsync($"stop akka.tcp://kthreads@{id} {_nodes.Seeds}", "exit code 5");
        Assert.DoesNotContain(await Node2Kthreads.ListAsync(), t => t.Pid == thread.Pid);

        var (code, output, error) = await KpsRun.RunAsync(_log, $"stop {id} {_nodes.Seeds}");
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains($"kps: stop {id}: -ESRCH: no such thread", error);
    }

    [Fact]
    public async Task Taskset_sets_the_cpus_of_a_thread_of_another_node_among_those_it_hosts()
    {
        var thread = await StartLoopOnNode2Async();
        try
        {
            var id = $"127.0.0.1:{_nodes.Node2.Address.Port}/{thread.Pid}";
            var there = Assert.Single(Node2Kthreads.Cpus.Online);
            var here = Assert.Single(_nodes.Node1.Cluster.Kthreads.Cpus.Online);

            await AssertRepliesAsync($"taskset {id} {there} {_nodes.Seeds}", "0");
            Assert.Equal(there, (await thread.InfoAsync()).Cpu);

            var (code, output, error) = await KpsRun.RunAsync(_log, $"taskset {id} {here} {_nodes.Seeds}");
            Assert.Equal(1, code);
            Assert.Equal(string.Empty, output);
            Assert.Equal($"kps: taskset {id}: -EINVAL: invalid argument (its node hosts none of {here} now, it is a per-CPU thread, or not a thread id)", error.Trim());
        }
        finally
        {
            await thread.StopAsync();
        }
    }

    [Theory]
    [InlineData("x")]
    [InlineData("3-1")]
    [InlineData("1,")]
    [InlineData("-2")]
    [InlineData("0-99999")]
    [InlineData("2147483647")]
    [InlineData("2147483000-2147483647")]
    public async Task Taskset_refuses_what_is_not_a_cpu_list_before_anything_is_sent(string cpus)
    {
        var (code, output, error) = await KpsRun.RunAsync(_log, $"taskset 127.0.0.1:1/7 {cpus} {_nodes.Seeds}");

        Assert.NotEqual(0, code);
        Assert.DoesNotMatch("(?m)^0$", output); // usage, not a reply
        Assert.DoesNotContain("ESRCH", error); // refused here: the node (not a member) was never asked
        Assert.Contains($"'{cpus}' is not a CPU list", error);
    }

    [Theory]
    [InlineData("3", new[] { 3 })]
    [InlineData("0,2-3", new[] { 0, 2, 3 })]
    [InlineData("3,1,1-2", new[] { 1, 2, 3 })]
    public void A_cpu_list_is_numbers_and_ranges_as_taskset_takes_them(string text, int[] cpus)
    {
        Assert.True(CpuListArgument.TryParse(text, out var parsed));
        Assert.Equal(cpus, parsed);
    }

    [Fact]
    public void A_cpu_list_is_printed_back_with_its_runs_as_ranges()
    {
        Assert.Equal("0-3,7,9-10", HotplugText.CpuList([7, 0, 1, 2, 3, 10, 9]));
        Assert.Equal("5", HotplugText.CpuList([5]));
        Assert.Equal("0-8191", HotplugText.CpuList(Enumerable.Range(0, 8192).ToArray()));
    }

    [Theory]
    [InlineData("park nonsense")]
    [InlineData("park 127.0.0.1:4053/0")]
    [InlineData("unpark 127.0.0.1/7")]
    [InlineData("stop 127.0.0.1:99999/7")]
    [InlineData("stop akka.tcp://kthreads/7")]
    [InlineData("stop akka.tcp://kthreads@127.0.0.1:4053/junk/7")]
    [InlineData("park akka.tcp://kthreads@127.0.0.1/7")]
    public async Task A_bad_id_is_refused_before_anything_is_sent(string commandLine)
    {
        var (code, output, error) = await KpsRun.RunAsync(_log, $"{commandLine} {_nodes.Seeds}");

        Assert.NotEqual(0, code);
        Assert.DoesNotMatch("(?m)^exit code", output);
        Assert.Contains("is not a thread id", error);
    }

    [Fact]
    public async Task A_bad_id_that_reaches_a_node_is_EINVAL_with_exit_1()
    {
        // Past the CLI's own check, as another tool could send it: the node's answer is printed as is.
        var error = new StringWriter();
        var console = new KpsConsole(IKpsOutput.For(new StringWriter(), rich: false), error);
        var seeds = new[] { new Seed("127.0.0.1", _nodes.Node1.Address.Port!.Value) };

        var code = await ThreadOpCommand.RunAsync(console, "nonsense", ClusterNodeProtocol.ThreadOperation.Park, null, seeds, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Equal("kps: park nonsense: -EINVAL: invalid argument (not a thread id)", error.ToString().Trim());
    }

    [Theory]
    [InlineData("park")]
    [InlineData("unpark")]
    [InlineData("stop")]
    public async Task A_node_that_is_not_a_member_is_ESRCH_with_exit_1(string operation)
    {
        var (code, output, error) = await KpsRun.RunAsync(_log, $"{operation} 127.0.0.1:1/7 {_nodes.Seeds}");

        Assert.Equal(1, code);
        Assert.Equal(string.Empty, output);
        Assert.Equal($"kps: {operation} 127.0.0.1:1/7: -ESRCH: no such thread (it is gone, or its node is not a member)", error.Trim());
    }

    [Fact]
    public async Task No_seed_answering_fails_within_the_timeout()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, error) = await KpsRun.RunAsync(_log, "park 127.0.0.1:1/7 --seeds 127.0.0.1:1 --timeout 2");

        Assert.Equal(1, code);
        Assert.Contains("no kps node answered within 2s", error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Ps_seeds_watch_count_2_piped_prints_2_cluster_tables()
    {
        var thread = await StartLoopOnNode2Async();
        try
        {
            var (code, output, error) = await KpsRun.RunAsync(_log, $"ps {_nodes.Seeds} --watch --count 2 --interval 0.2");

            Assert.Equal(0, code);
            Assert.Equal(string.Empty, error);
            var tables = KpsRun.Grids(output, "NODE PID PPID CPU STAT COMMAND");
            Assert.Equal(2, tables.Count);
            Assert.Matches(@"^Cluster ps, asked through 127\.0\.0\.1:\d+: 2 nodes\. Table 1 of 2 at \d\d:\d\d:\d\d, every 0\.2 s; Ctrl\+C to stop\.$", tables[0].Heading);
            Assert.StartsWith("Cluster ps", tables[1].Heading);
            Assert.Contains("Table 2 of 2", tables[1].Heading);
            Assert.All(tables, t => Assert.Single(t.Rows, r => r[0] == _nodes.Node2.Address.ToString() && r[5] == "spec-loop"));
            Assert.DoesNotContain('\u001b', output);
        }
        finally
        {
            await thread.StopAsync();
        }
    }

    // kernel: a park-aware threadfn, as kthread_parkme() callers loop; exits 5 once stopped.
    private async Task<Kthread> StartLoopOnNode2Async()
    {
        // A thread runs only on an online CPU: node 2 has one once sharding has balanced the two.
        await AwaitAssertAsync(() => Assert.NotEmpty(Node2Kthreads.Cpus.Online), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        return await Node2Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    await current.ParkMeAsync();
                }
                else
                {
                    await current.ScheduleAsync();
                }
            }

            return 5;
        }, null, "spec-loop");
    }

    private async Task AssertRepliesAsync(string commandLine, string reply)
    {
        var (code, output, error) = await KpsRun.RunAsync(_log, commandLine);
        Assert.Equal(0, code);
        Assert.Equal(reply, output.Trim());
        Assert.Equal(string.Empty, error);
    }

    private async Task<KthreadState> StateAsync(int pid) => Assert.Single(await Node2Kthreads.ListAsync(), t => t.Pid == pid).State;
}
