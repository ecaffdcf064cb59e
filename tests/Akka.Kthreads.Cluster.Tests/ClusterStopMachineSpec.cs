using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// stop_machine across the cluster (seed 003's refcount test over 3 nodes): kthreads on every node move
/// a refcount between two checkpoints; fn reads it while every CPU of every node is held, and it is 0
/// and cannot move. A hand-off in flight makes it -EBUSY; a hand-off that starts meanwhile waits.
/// </summary>
public sealed class ClusterStopMachineSpec(ITestOutputHelper output) : ClusterSpecBase(output, cpus: 6)
{
    private int _refcount;
    private long _rounds;

    [Fact]
    public async Task The_refcount_moved_by_kthreads_on_three_nodes_cannot_move_while_fn_runs()
    {
        var node2 = StartNode();
        var node3 = await StartSettledAsync();
        await AwaitNoTransitionAsync();
        var threads = new List<Kthread>();
        foreach (var node in Running())
        {
            threads.Add(await node.Kthreads.RunAsync(MoveRefcountAsync, null, "module_get"));
        }

        await AwaitAssertAsync(() => Assert.True(Interlocked.Read(ref _rounds) > 1000));
        for (var round = 0; round < 20; round++)
        {
            var before = Interlocked.Read(ref _rounds);
            // The node's own StopMachine.RunAsync is the cluster-wide one here, as ClusterKthreads.StopMachineAsync.
            Assert.Equal(0, round % 2 == 0
                ? await node2.Cluster.StopMachineAsync(_ => ReadStill())
                : await node3.Kthreads.StopMachine.RunAsync(_ => ReadStill()));
            await AwaitAssertAsync(() => Assert.True(Interlocked.Read(ref _rounds) > before + 10));
        }

        foreach (var thread in threads)
        {
            Assert.Equal(0, await thread.StopAsync());
        }
    }

    [Fact]
    public async Task Every_node_has_let_go_of_its_CPUs_when_the_call_returns()
    {
        StartNode();
        await StartSettledAsync();
        await AwaitNoTransitionAsync();

        // kernel: stop_machine() returns after every stopper has finished, so the caller finds the machine running again:
        // on no node is a stopper still holding its CPUs (nor its cpu_hotplug_lock, which is let go before the answer).
        for (var round = 0; round < 20; round++)
        {
            Assert.Equal(0, await Node1.Cluster.StopMachineAsync(_ => 0));
            foreach (var node in Running())
            {
                Assert.Equal(MultiStopState.None, node.Kthreads.StopMachine.State);
            }
        }
    }

    [Fact]
    public async Task A_hold_that_arrives_after_its_release_holds_nothing()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        await AwaitNoTransitionAsync();

        // The caller gave up (a refusal elsewhere, its timeout) and let go before this node saw the hold: the release is
        // answered at once, and the late hold is dropped, not held for twice stop-machine.timeout.
        var id = Guid.NewGuid();
        await Node1.Cluster.Node.Ask<Akka.Kthreads.Cluster.StopMachine.MachineReleased>(
            new Akka.Kthreads.Cluster.StopMachine.MachineRelease(id), TimeSpan.FromSeconds(10));
        Node1.Cluster.Node.Tell(new Akka.Kthreads.Cluster.StopMachine.MachineHold(id, Node1.Kthreads.Settings.StopMachineTimeout));

        // A hold in place would keep the node's cpu_hotplug_lock, and this machine would end in -ETIMEDOUT.
        Assert.Equal(0, await Node1.Cluster.StopMachineAsync(_ => 0));
        Assert.Equal(MultiStopState.None, Node1.Kthreads.StopMachine.State);
    }

    [Fact]
    public async Task A_hold_asked_for_longer_than_the_node_allows_is_refused_and_holds_nothing()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        await AwaitNoTransitionAsync();
        var limit = Node1.Kthreads.Settings.StopMachineTimeout * 2;

        // -1 ms would be "forever" to the wait that holds the CPUs; longer than twice stop-machine.timeout is more than this node allows.
        foreach (var timeout in new[] { TimeSpan.FromMilliseconds(-1), TimeSpan.Zero, limit + TimeSpan.FromMilliseconds(1) })
        {
            var held = await Node1.Cluster.Node.Ask<Akka.Kthreads.Cluster.StopMachine.MachineHeld>(
                new Akka.Kthreads.Cluster.StopMachine.MachineHold(Guid.NewGuid(), timeout), TimeSpan.FromSeconds(10));
            Assert.Equal(-Errno.EINVAL, held.Result);
        }

        // Nothing was held: a stop_machine gets every CPU (a hold still in place would make it -ETIMEDOUT), and lets go.
        Assert.Equal(0, await Node1.Cluster.StopMachineAsync(_ => 0));
        await AwaitAssertAsync(() => Assert.Equal(MultiStopState.None, Node1.Kthreads.StopMachine.State));
    }

    [Fact]
    public async Task A_hand_off_in_flight_is_EBUSY_and_a_hand_off_that_starts_meanwhile_waits()
    {
        var node2 = await StartSettledAsync();
        await AwaitNoTransitionAsync();

        // A leave of node 2 while fn runs: node 2's CPUs stay online there until the machine is released.
        var leaving = node2.Kthreads.Cpus.Online.ToArray();
        Task? leave = null;
        Assert.Equal(0, await Node1.Cluster.StopMachineAsync(_ =>
        {
            leave = Task.Run(() => CoordinatedShutdown.Get(node2.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance));
            var until = DateTime.UtcNow.AddMilliseconds(300);
            while (DateTime.UtcNow < until)
            {
                if (!leaving.All(node2.Kthreads.Cpus.IsOnline))
                {
                    return -1;
                }
            }

            return 0;
        }));
        await leave!;
        await node2.System.WhenTerminated;
        lock (Nodes)
        {
            Nodes.Remove(node2);
        }

        await AwaitSettledAsync();

        // A hand-off held in its teardown: the machine is refused at once with -EBUSY.
        var node3 = StartNode();
        var teardown = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(await node3.Kthreads.Cpus.SetupStateAsync("spec/stuck:online", _ => Task.FromResult(0), _ => teardown.Task) >= 0);
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        var leave3 = CoordinatedShutdown.Get(node3.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await AwaitAssertAsync(() => Assert.True(node3.Cluster.Store.InTransition > 0));
        Assert.Equal(-Errno.EBUSY, await Node1.Cluster.StopMachineAsync(_ => 0));
        teardown.SetResult(0);
        await leave3;
        await node3.System.WhenTerminated;
        lock (Nodes)
        {
            Nodes.Remove(node3);
        }

        await AwaitSettledAsync();
        await AwaitNoTransitionAsync();
        Assert.Equal(0, await Node1.Cluster.StopMachineAsync(_ => 0));
    }

    // try_module_get() and module_put() with a checkpoint after them, never between: always busy, so
    // the refcount is non-zero much of the time unless its CPU is held.
    private async Task<int> MoveRefcountAsync(KthreadContext current)
    {
        while (!current.ShouldStop)
        {
            Interlocked.Increment(ref _refcount);
            Thread.SpinWait(200);
            Interlocked.Decrement(ref _refcount);
            Interlocked.Increment(ref _rounds);
            await current.YieldAsync();
        }

        return 0;
    }

    // 0 and still 0 for 20 ms of reads, or the value it saw move.
    private int ReadStill()
    {
        var until = DateTime.UtcNow.AddMilliseconds(20);
        while (DateTime.UtcNow < until)
        {
            var seen = Volatile.Read(ref _refcount);
            if (seen != 0)
            {
                return 1000 + seen;
            }
        }

        return 0;
    }
}
