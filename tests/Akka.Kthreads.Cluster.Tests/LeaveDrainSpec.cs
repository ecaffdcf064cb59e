using Akka.Actor;
using Akka.Event;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// A node leaves while a CPU whose entity stopped without its hand-off is still online there: the node takes
/// it down before it leaves, tells the others it has none left, and the CPU comes up on the survivor, never
/// online on both.
/// </summary>
/// <remarks>
/// The stopped entity does not start again by itself (restart backoff and keep-alive of an hour), and a
/// failed take-down tries again only after hand-off-retry (8s): well after the leave, so only the leave's
/// own take-down can have taken the CPU down before the node ended. With keep-alive off, the CPUs come up on
/// node 1 because node 2 said it drained (sharding's own restart of remembered shards does not always come).
/// </remarks>
public sealed class LeaveDrainSpec(ITestOutputHelper output) : ClusterSpecBase(output, extraConfig: NoRestarts + """
    kthreads.cluster.hand-off-retry = 8s
    kthreads.hotplug.callback-timeout = 2s
    """)
{
    [Fact]
    public async Task A_leaving_node_takes_down_a_cpu_whose_entity_stopped_and_says_so_before_it_ends()
    {
        var node2 = StartNode();
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        var cpu = (await Node1.Cluster.PlacementAsync()).First(p => p.Value.Equals(node2.Cluster.SelfAddress)).Key;

        // Node 2's cpu_downs wait here until released: the first take-down of the orphan fails.
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await HoldDownsAsync(node2, release.Task);
        var errors = LogsOf<Error>(node2.System);
        var warnings = LogsOf<Warning>(node2.System);

        // The entity stops without its hand-off, as on a journal failure, while its CPU is up on node 2.
        var entity = await node2.System.ActorSelection($"/system/sharding/kthreads-cpu/{cpu}/{cpu}").ResolveOne(TimeSpan.FromSeconds(10));
        Watch(entity);
        entity.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(entity);
        await ExpectLogAsync<Error>(errors, $"cluster: cpu {cpu} is still online here after its entity stopped", TimeSpan.FromSeconds(20));
        Assert.Contains(cpu, node2.Kthreads.Cpus.Online);

        // Its next try is 8s away; the leave does not wait for it.
        release.SetResult(0);
        await using var sampler = WatchOnline();
        var self2 = Akka.Cluster.Cluster.Get(node2.System).SelfUniqueAddress;
        await LeaveAsync(node2);

        // Logged by node 2 before its system ended: the CPU was down there when it left.
        await ExpectLogAsync<Warning>(warnings, $"cluster: cpu {cpu}, whose entity stopped before its hand-off finished, is down here now", TimeSpan.FromSeconds(1));
        await AwaitAssertAsync(() => Assert.True(Node1.Cluster.Drained.ContainsKey(self2), "node 1 was not told that node 2 drained"));
        await AwaitAssertAsync(() => Assert.Equal(Enumerable.Range(0, Cpus), Node1.Kthreads.Cpus.Online.Order()), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.Empty(sampler.Violations);
        Assert.True(sampler.Samples > 0);
    }
}
