using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// Five nodes and four CPUs: one node hosts none. Its kthreads are runnable on no CPU (ps: R, CPU -)
/// and run once a CPU comes to it, here when another node leaves.
/// </summary>
public sealed class FiveNodeSpec(ITestOutputHelper output) : ClusterSpecBase(output, cpus: 4)
{
    [Fact]
    public async Task A_node_without_a_cpu_runs_its_kthreads_once_a_leave_brings_it_one()
    {
        await using var sampler = WatchOnline();
        var others = Enumerable.Range(0, 4).Select(_ => StartNode()).ToArray();
        await AwaitMembersAsync(5);
        await AwaitSettledAsync();
        var idle = Assert.Single(Running(), n => n.Kthreads.Cpus.Online.Count == 0);
        Assert.All(Running().Where(n => n != idle), n => Assert.Single(n.Kthreads.Cpus.Online));

        // A cluster-wide stop_machine takes the idle node too (its hotplug lock alone) and lets go of it before it
        // returns: fn runs there with no CPU of its own, and the next machine finds nothing still held.
        await AwaitNoTransitionAsync();
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(-1, await idle.Cluster.StopMachineAsync(cpu => cpu));
            Assert.All(Running(), n => Assert.Equal(MultiStopState.None, n.Kthreads.StopMachine.State));
        }

        var probe = CreateTestProbe();
        var thread = await idle.Kthreads.RunAsync(current =>
        {
            probe.Tell(("ran", current.Cpu));
            return Task.FromResult(0);
        }, null, "waiter");
        var row = Assert.Single(await idle.Kthreads.ListAsync(), r => r.Pid == thread.Pid);
        Assert.Equal((KthreadState.Running, (int?)null), (row.State, row.Cpu));

        // A node that leaves hands its CPU on; with the others settled at one each, it goes to the idle node.
        var leaving = others.First(n => n != idle && n.Kthreads.Cpus.Online.Count == 1);
        var moved = Assert.Single(leaving.Kthreads.Cpus.Online);
        await LeaveAsync(leaving);
        await AwaitMembersAsync(4);
        await AwaitSettledAsync();

        Assert.Equal([moved], idle.Kthreads.Cpus.Online);
        await probe.ExpectMsgAsync(("ran", (int?)moved), TimeSpan.FromSeconds(10));
        Assert.Empty(sampler.Violations);
    }
}
