using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.Cluster.ClusterNodeProtocol;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// Cluster ids (node/pid): from any node, ps lists every node's threads, and a thread on another node
/// is parked, unparked, woken, read and stopped with the same replies and errnos as locally.
/// </summary>
public sealed class RemoteThreadSpec(ITestOutputHelper output)
    : ClusterSpecBase(output, cpus: 2, extraConfig: "kthreads.cluster.ask-timeout = 3s")
{
    [Fact]
    public async Task A_thread_on_another_node_is_listed_parked_unparked_woken_read_and_stopped_from_here()
    {
        var node2 = await StartSettledAsync();
        var probe = CreateTestProbe();
        var thread = await node2.Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    probe.Tell("parking");
                    await current.ParkMeAsync();
                    probe.Tell("unparked");
                }
                else
                {
                    probe.Tell("sleeping");
                    await current.ScheduleAsync();
                }
            }

            return 42;
        }, null, "remote");
        await probe.ExpectMsgAsync("sleeping");

        var rows = (await Node1.Cluster.ListAsync()).Threads;
        var row = Assert.Single(rows, r => r.Comm == "remote");
        var id = ClusterKthreadId.Of(row);
        Assert.Equal(new ClusterKthreadId(node2.Cluster.SelfAddress, thread.Pid), id);
        Assert.True(ClusterKthreadId.TryParse(id.Short, [Node1.Cluster.SelfAddress, node2.Cluster.SelfAddress], out var parsed));
        Assert.Equal(id, parsed);

        Assert.Equal(0, await Node1.Cluster.ParkAsync(id));
        await probe.ExpectMsgAsync("parking");
        Assert.Equal(KthreadState.Parked, (await Node1.Cluster.InfoAsync(id)).Info!.State);
        Assert.Equal(0, await Node1.Cluster.UnparkAsync(id));
        await probe.ExpectMsgAsync("unparked");
        await probe.ExpectMsgAsync("sleeping");
        await AwaitAssertAsync(async () => Assert.Equal(KthreadState.Sleeping, (await Node1.Cluster.InfoAsync(id)).Info!.State));
        Assert.Equal(1, await Node1.Cluster.WakeUpAsync(id));
        await probe.ExpectMsgAsync("sleeping");

        // A tool asks one node by the id as printed; that node resolves it and sends the operation on.
        var byId = await Node1.Cluster.Node.Ask<ThreadOpResult>(new ThreadOpById(id.Short, ThreadOperation.Info), TimeSpan.FromSeconds(3));
        Assert.Equal((0, thread.Pid), (byId.Result, byId.Info!.Pid));
        Assert.Equal(-Errno.EINVAL, (await Node1.Cluster.Node.Ask<ThreadOpResult>(new ThreadOpById("garbage", ThreadOperation.Stop), TimeSpan.FromSeconds(3))).Result);
        Assert.Equal(-Errno.ESRCH, (await Node1.Cluster.Node.Ask<ThreadOpResult>(new ThreadOpById("127.0.0.1:1/5", ThreadOperation.Stop), TimeSpan.FromSeconds(3))).Result);

        Assert.Equal(42, await Node1.Cluster.StopAsync(id));
        Assert.Equal(-Errno.ESRCH, await Node1.Cluster.StopAsync(id));
        Assert.Equal(-Errno.ESRCH, await Node1.Cluster.ParkAsync(id));
        var gone = await Node1.Cluster.InfoAsync(id);
        Assert.Equal((-Errno.ESRCH, KthreadState.Dead), (gone.Result, gone.Info!.State));
        Assert.Equal(-Errno.ESRCH, await Node1.Cluster.StopAsync(id with { Pid = 9999 }));
    }

    [Fact]
    public async Task A_thread_on_another_node_gets_its_cpus_allowed_from_here_among_the_cpus_its_node_hosts()
    {
        var node2 = await StartSettledAsync();
        var here = Assert.Single(Node1.Kthreads.Cpus.Online);
        var there = Assert.Single(node2.Kthreads.Cpus.Online);
        var probe = CreateTestProbe();
        var thread = await node2.Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                probe.Tell(current.Cpu);
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "affine");
        await probe.ExpectMsgAsync(there);
        var id = new ClusterKthreadId(node2.Cluster.SelfAddress, thread.Pid);

        // Its node hosts the CPU: in force, and where it runs next.
        Assert.Equal(0, await Node1.Cluster.SetCpusAllowedAsync(id, [there]));
        Assert.Equal(1, await Node1.Cluster.WakeUpAsync(id));
        await probe.ExpectMsgAsync(there);
        Assert.Equal(there, (await Node1.Cluster.InfoAsync(id)).Info!.Cpu);

        // A CPU of this node is offline there, as an empty set is nothing to run on; a CPU the cluster lacks throws here.
        Assert.Equal(-Errno.EINVAL, await Node1.Cluster.SetCpusAllowedAsync(id, [here]));
        Assert.Equal(-Errno.EINVAL, await Node1.Cluster.SetCpusAllowedAsync(id, []));
        Assert.Equal("cpus", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Node1.Cluster.SetCpusAllowedAsync(id, [Cpus]))).ParamName);
        await Assert.ThrowsAsync<ArgumentNullException>(() => Node1.Cluster.SetCpusAllowedAsync(id, null!));

        Assert.Equal(0, await Node1.Cluster.StopAsync(id));
        Assert.Equal(-Errno.ESRCH, await Node1.Cluster.SetCpusAllowedAsync(id, [there]));
    }

    [Fact]
    public async Task A_node_that_is_gone_is_ESRCH_and_one_that_does_not_answer_is_ETIMEDOUT()
    {
        var node2 = StartNode(crashOnTerminate: true);
        await AwaitMembersAsync(2);
        var elsewhere = new ClusterKthreadId(Address.Parse("akka.tcp://kthreads@127.0.0.1:1"), 3);
        Assert.Equal(-Errno.ESRCH, await Node1.Cluster.StopAsync(elsewhere));
        Assert.False(ClusterKthreadId.TryParse("127.0.0.1:1/3", [Node1.Cluster.SelfAddress], out _));
        Assert.False(ClusterKthreadId.TryParse("not an id", [Node1.Cluster.SelfAddress], out _));
        Assert.False(ClusterKthreadId.TryParse($"{Node1.Cluster.SelfAddress}/junk/3", [Node1.Cluster.SelfAddress], out _));
        Assert.False(ClusterKthreadId.TryParse("akka.tcp://kthreads@127.0.0.1/3", [Node1.Cluster.SelfAddress], out _));
        Assert.True(ClusterKthreadId.TryParse($"{Node1.Cluster.SelfAddress}/3", [], out var full));
        Assert.Equal(Node1.Cluster.SelfAddress, full!.Node);

        // Still a member, no longer answering: the bounded wait ends in -ETIMEDOUT, never a hang.
        var silent = new ClusterKthreadId(node2.Cluster.SelfAddress, 3);
        await CrashAsync(node2);
        Assert.Equal(-Errno.ETIMEDOUT, await Node1.Cluster.ParkAsync(silent));
    }
}
