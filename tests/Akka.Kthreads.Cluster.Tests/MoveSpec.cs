using System.Collections.Concurrent;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// Graceful moves (leave, rebalance): every CPU is online on one node at a time, per-CPU state goes
/// on from where it was, and every item accepted is handled exactly once, also the ones queued while
/// their CPU was moving.
/// </summary>
public sealed class MoveSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    private readonly ConcurrentQueue<(string Node, int Cpu, string Item)> _handled = new();

    [Fact]
    public async Task A_graceful_leave_moves_state_and_handles_items_queued_during_the_move_exactly_once()
    {
        await using var sampler = WatchOnline();
        var node2 = await StartWithTallyAsync();
        var node3 = await StartWithTallyAsync();
        await AwaitMembersAsync(3);
        await AwaitSettledAsync();
        var before = await QueueRoundsAsync("a", 1, 3);
        var leaving = node3.Kthreads.Cpus.Online.ToArray();
        Assert.NotEmpty(leaving);

        // Items go on being queued from node 1 while node 3 hands its CPUs off.
        var during = QueueRoundsAsync("b", 1, 10);
        await LeaveAsync(node3);
        var queued = before.Concat(await during).ToArray();
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();

        await AwaitHandledAsync(queued);
        Assert.Empty(sampler.Violations);
        Assert.True(sampler.Samples > 0);
        Assert.All(leaving, cpu => Assert.Contains(_handled, h => h.Cpu == cpu && h.Node == "[node3]"));
        Assert.All(leaving, cpu => Assert.Contains(_handled, h => h.Cpu == cpu && h.Node != "[node3]"));
    }

    [Fact]
    public async Task A_leave_during_a_rebalance_still_moves_every_cpu_and_loses_no_item()
    {
        await using var sampler = WatchOnline();
        var node2 = await StartWithTallyAsync();
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        var before = await QueueRoundsAsync("a", 1, 2);

        // Node 3 joins, and node 2 leaves while CPUs are being moved to node 3.
        await StartWithTallyAsync();
        var during = QueueRoundsAsync("b", 1, 6);
        await AwaitMembersAsync(3);
        await LeaveAsync(node2);
        var queued = before.Concat(await during).ToArray();
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();

        await AwaitHandledAsync(queued);
        Assert.Empty(sampler.Violations);
    }

    [Fact]
    public async Task A_cpu_that_comes_back_to_a_node_it_left_keeps_what_it_journaled_there_through_its_next_move()
    {
        // Every CPU on node 1 first, so the CPUs node 2 takes are journaled by node 1, then node 2, then node 1 again.
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec(_handled, Node1.Name)));
        await AwaitSettledAsync();
        var queued = new List<(int, string)>(await QueueRoundsAsync("a", 1, 1));
        var node2 = await StartWithTallyAsync();
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        var wentAndCameBack = node2.Kthreads.Cpus.Online.ToArray();
        queued.AddRange(await QueueRoundsAsync("b", 1, 1));
        await LeaveAsync(node2);
        await AwaitSettledAsync();
        queued.AddRange(await QueueRoundsAsync("c", 1, 1));

        // Four nodes, four CPUs: node 1 keeps one, so at least one CPU that went to node 2 and came back recovers elsewhere.
        foreach (var _ in Enumerable.Range(0, 3))
        {
            await StartWithTallyAsync();
        }

        await AwaitMembersAsync(4);
        await AwaitSettledAsync();
        Assert.Contains(wentAndCameBack, cpu => !Node1.Kthreads.Cpus.Online.Contains(cpu));
        await AwaitHandledAsync(queued.ToArray());
    }

    [Fact]
    public async Task State_changed_since_the_last_save_moves_with_a_graceful_leave_and_nothing_is_handled_again()
    {
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.SavingOnly(_handled, Node1.Name)));
        var node2 = StartNode();
        Assert.Equal(0, await node2.Kthreads.PerCpuThreads.RegisterAsync(Tally.SavingOnly(_handled, node2.Name)));
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        var leaving = node2.Kthreads.Cpus.Online.ToArray();

        // Taken and in State, never saved by the thread: only the hand-off's own save carries them.
        foreach (var cpu in leaving)
        {
            foreach (var item in new[] { "x1", "x2", "x3" })
            {
                Assert.True(await Node1.Cluster.QueueOnCpuAsync(cpu, Tally.Comm, item) > 0);
            }
        }

        await AwaitAssertAsync(() => Assert.All(leaving, cpu =>
            Assert.Equal(["x1", "x2", "x3"], _handled.Where(h => h.Cpu == cpu).Select(h => h.Item))), TimeSpan.FromSeconds(20));
        await LeaveAsync(node2);
        await AwaitSettledAsync();

        foreach (var cpu in leaving)
        {
            Assert.True(await Node1.Cluster.QueueOnCpuAsync(cpu, Tally.Comm, "y") > 0);
        }

        await AwaitAssertAsync(async () =>
        {
            foreach (var cpu in leaving)
            {
                var info = await Node1.Cluster.CpuInfoAsync(cpu);
                Assert.Equal(["x1", "x2", "x3", "y"], Tally.Parse(Assert.Single(info.Threads).State).Items);
                Assert.Equal(["x1", "x2", "x3", "y"], _handled.Where(h => h.Cpu == cpu).Select(h => h.Item));
            }
        }, TimeSpan.FromSeconds(20));
    }

    private async Task<ClusterNode> StartWithTallyAsync()
    {
        if (Running().Count == 1 && !Running()[0].Kthreads.PerCpuThreads.Registered.Any())
        {
            Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec(_handled, Node1.Name)));
        }

        var node = StartNode();
        Assert.Equal(0, await node.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec(_handled, node.Name)));
        return node;
    }

    /// <summary>Queues "{prefix}{i}" for i in from..to to every CPU from node 1, one after the other; returns what was accepted.</summary>
    private async Task<(int Cpu, string Item)[]> QueueRoundsAsync(string prefix, int from, int to)
    {
        var queued = new List<(int, string)>();
        for (var i = from; i <= to; i++)
        {
            foreach (var cpu in Enumerable.Range(0, Cpus))
            {
                var item = $"{prefix}{i}";
                Assert.True(await Node1.Cluster.QueueOnCpuAsync(cpu, Tally.Comm, item) > 0);
                queued.Add((cpu, item));
            }
        }

        return queued.ToArray();
    }

    /// <summary>Every CPU's state lists exactly its items, in order, each once; count matches (never reset).</summary>
    private Task AwaitHandledAsync((int Cpu, string Item)[] queued) =>
        AwaitAssertAsync(async () =>
        {
            foreach (var cpu in Enumerable.Range(0, Cpus))
            {
                var expected = queued.Where(q => q.Cpu == cpu).Select(q => q.Item).ToArray();
                var info = await Node1.Cluster.CpuInfoAsync(cpu);
                var (count, items) = Tally.Parse(Assert.Single(info.Threads, t => t.Name == $"tally/{cpu}").State);
                Assert.Equal(expected, items);
                Assert.Equal(expected.Length, count);
                Assert.Equal(expected, _handled.Where(h => h.Cpu == cpu).Select(h => h.Item));
            }
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
}
