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
    public async Task An_item_names_its_thread_by_format_or_by_its_name_cut_as_the_thread_is_and_a_broken_format_is_refused()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.Named("tallywithlongname/{0}")));
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.Named("pad/{0:D2}")));
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(1, "pad/{0:D2}", "padded") > 0); // a format with a format specifier

        // "tallywithlongname/1" has 19 characters; the thread's comm is its first 15, as TASK_COMM_LEN makes it.
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(1, "tallywithlongname/{0}", "by-format") > 0);
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(1, "tallywithlongname/1", "by-name") > 0);
        await Assert.ThrowsAsync<ArgumentException>(() => Node1.Cluster.QueueOnCpuAsync(1, "tally/{0}/{1}", "broken"));

        // Past the door, by hand: refused with -EINVAL, and the CPU goes on with its items.
        var reply = await Node1.Cluster.Region.Ask<object>(
            new Akka.Kthreads.Cluster.ClusterCpuProtocol.QueueItem(1, "tally/{0}/{1}", "broken"), TimeSpan.FromSeconds(10));
        Assert.Equal(-Errno.EINVAL, Assert.IsType<Akka.Kthreads.Cluster.ClusterCpuProtocol.CpuRequestFailed>(reply).Errno);
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(1, "tallywithlongname/{0}", "after") > 0);

        await AwaitAssertAsync(async () =>
        {
            var info = await Node1.Cluster.CpuInfoAsync(1);
            var tally = Assert.Single(info.Threads, t => t.Name == "tallywithlongna");
            Assert.Equal(["by-format", "by-name", "after"], Tally.Parse(tally.State).Items);
            Assert.Equal(["padded"], Tally.Parse(Assert.Single(info.Threads, t => t.Name == "pad/01").State).Items);
        }, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_message_for_a_cpu_outside_the_cluster_is_dropped_by_sharding_and_makes_no_entity()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();

        // Sent by hand (or off the wire): an entity for it could never come up, and would stay in transition for good.
        foreach (var cpu in new[] { Cpus, 99, -1 })
        {
            await EventFilter.Warning(contains: "does not have an extractor").ExpectOneAsync(() =>
            {
                Node1.Cluster.Region.Tell(new Akka.Kthreads.Cluster.ClusterCpuProtocol.EnsureUp(cpu));
                return Task.CompletedTask;
            });
        }

        Assert.Equal(Enumerable.Range(0, Cpus), (await Node1.Cluster.PlacementAsync()).Keys);
        await AwaitNoTransitionAsync();
        Assert.Equal(0, await Node1.Cluster.StopMachineAsync(_ => 0));
    }

    [Fact]
    public async Task Items_queued_from_any_node_reach_the_per_cpu_thread_in_order()
    {
        // Garbage at the node's serializer is refused, and the node goes on.
        var serializer = Sys.Serialization.FindSerializerFor(ClusterCpuProtocol.HandOff.Instance);
        Assert.Throws<System.Runtime.Serialization.SerializationException>(
            () => ((Serialization.ClusterKthreadsSerializer)serializer).FromBinary([1, 2, 3], "no-such-manifest"));

        var node2 = await StartSettledAsync();
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
