using System.Collections.Concurrent;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// A node stopped without leaving: Akka's split-brain resolver (keep-majority) downs it, its CPUs come
/// up on the survivors from their last save, and the items taken after that save are handled again
/// (at least once). A restarted node joins and gets CPUs again.
/// </summary>
public sealed class CrashSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    private readonly ConcurrentQueue<(string Node, int Cpu, string Item)> _handled = new();

    [Fact]
    public async Task A_crashed_nodes_cpus_resume_from_their_last_save_and_a_restarted_node_rejoins()
    {
        await using var sampler = WatchOnline();
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.SavingOnly(_handled, Node1.Name)));
        var node2 = StartNode();
        Assert.Equal(0, await node2.Kthreads.PerCpuThreads.RegisterAsync(Tally.SavingOnly(_handled, node2.Name)));
        var node3 = StartNode(crashOnTerminate: true);
        Assert.Equal(0, await node3.Kthreads.PerCpuThreads.RegisterAsync(Tally.SavingOnly(_handled, node3.Name)));
        await AwaitMembersAsync(3);
        await AwaitSettledAsync();
        var lost = node3.Kthreads.Cpus.Online.ToArray();
        Assert.NotEmpty(lost);

        // On each of node 3's CPUs: two items, a save, two more items taken but never saved.
        foreach (var cpu in lost)
        {
            foreach (var item in new[] { "a1", "a2", "save", "b1", "b2" })
            {
                Assert.True(await Node1.Cluster.QueueOnCpuAsync(cpu, Tally.Comm, item) > 0);
            }
        }

        await AwaitAssertAsync(() => Assert.All(lost, cpu =>
            Assert.Equal(["a1", "a2", "save", "b1", "b2"], HandledOn(node3.Name, cpu))), TimeSpan.FromSeconds(20));

        await CrashAsync(node3);
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();

        // The saved part is not handled again; what came after the save is, on the survivors.
        await AwaitAssertAsync(async () =>
        {
            foreach (var cpu in lost)
            {
                Assert.Equal(["b1", "b2"], _handled.Where(h => h.Cpu == cpu && h.Node != node3.Name).Select(h => h.Item));
                var info = await Node1.Cluster.CpuInfoAsync(cpu);
                Assert.Equal(["a1", "a2", "save", "b1", "b2"], Tally.Parse(Assert.Single(info.Threads).State).Items);
            }
        }, TimeSpan.FromSeconds(20));

        // A restarted node joins and gets CPUs again.
        var node4 = StartNode();
        Assert.Equal(0, await node4.Kthreads.PerCpuThreads.RegisterAsync(Tally.SavingOnly(_handled, node4.Name)));
        await AwaitMembersAsync(3);
        await AwaitSettledAsync();
        Assert.NotEmpty(node4.Kthreads.Cpus.Online);
        Assert.Empty(sampler.Violations);
    }

    private string[] HandledOn(string node, int cpu) =>
        _handled.Where(h => h.Node == node && h.Cpu == cpu).Select(h => h.Item).ToArray();
}
