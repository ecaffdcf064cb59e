using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>CPUs as sharded entities: a node's online CPUs are the shards it hosts, join and leave move them.</summary>
public sealed class PlacementSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    [Fact]
    public async Task A_lone_node_hosts_every_cpu_and_a_joining_node_gets_half()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        Assert.Equal(Enumerable.Range(0, Cpus), Node1.Kthreads.Cpus.Online);

        var events = CreateTestProbe();
        var node2 = StartNode();
        node2.System.EventStream.Subscribe(events, typeof(CpuOnline));
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();

        // The CPUs that came to node 2 were brought up there by the local hotplug, with its events.
        Assert.Equal(Cpus / 2, node2.Kthreads.Cpus.Online.Count);
        var came = new List<int>();
        for (var i = 0; i < Cpus / 2; i++)
        {
            came.Add((await events.ExpectMsgAsync<CpuOnline>()).Cpu);
        }

        Assert.Equal(node2.Kthreads.Cpus.Online, came.Order());
        Assert.Equal(Cpus / 2, Node1.Kthreads.Cpus.Online.Count);
    }

    [Fact]
    public async Task Items_queued_from_any_node_reach_the_per_cpu_thread_in_order()
    {
        // Garbage at the node's serializer is refused, and the node goes on.
        var serializer = Sys.Serialization.FindSerializerFor(ClusterCpuProtocol.HandOff.Instance);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(
            () => ((Serialization.ClusterKthreadsSerializer)serializer).FromBinary([1, 2, 3], "no-such-manifest"));

        var node2 = StartNode();
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        foreach (var node in Nodes)
        {
            Assert.Equal(0, await node.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec()));
        }

        for (var i = 1; i <= 5; i++)
        {
            foreach (var cpu in Enumerable.Range(0, Cpus))
            {
                Assert.True(await node2.Cluster.QueueOnCpuAsync(cpu, Tally.Comm, $"i{i}") > 0);
            }
        }

        await AwaitAssertAsync(async () =>
        {
            foreach (var cpu in Enumerable.Range(0, Cpus))
            {
                var info = await Node1.Cluster.CpuInfoAsync(cpu);
                var tally = Assert.Single(info.Threads, t => t.Name == $"tally/{cpu}");
                Assert.Equal(["i1", "i2", "i3", "i4", "i5"], Tally.Parse(tally.State).Items);
            }
        }, TimeSpan.FromSeconds(20));
    }
}
