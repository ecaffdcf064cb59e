using System.Collections.Concurrent;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// A CPU's ledger is snapshotted every snapshot-every events and the events before it deleted; a CPU
/// that moves recovers from snapshot plus events with its state and waiting items intact.
/// </summary>
public sealed class SnapshotSpec(ITestOutputHelper output)
    : ClusterSpecBase(output, cpus: 2, extraConfig: "kthreads.cluster.store.snapshot-every = 3")
{
    private readonly ConcurrentQueue<(string Node, int Cpu, string Item)> _handled = new();

    [Fact]
    public async Task A_cpu_recovered_from_a_snapshot_goes_on_from_its_state_with_every_item_once()
    {
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec(_handled, Node1.Name)));
        var node2 = StartNode();
        Assert.Equal(0, await node2.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec(_handled, node2.Name)));
        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        var moving = Assert.Single(node2.Kthreads.Cpus.Online);

        // 10 items, each journaled and then saved by the thread: 20 events, several snapshots.
        var items = Enumerable.Range(1, 10).Select(i => $"i{i}").ToArray();
        foreach (var item in items)
        {
            Assert.True(await Node1.Cluster.QueueOnCpuAsync(moving, Tally.Comm, item) > 0);
        }

        await AwaitAssertAsync(() => Assert.Equal(items, _handled.Where(h => h.Cpu == moving).Select(h => h.Item)), TimeSpan.FromSeconds(20));

        // The events before the last snapshot are gone from the journal: of the 20 or more written, at most the 2 after it stay.
        await AwaitAssertAsync(() => Assert.InRange(JournalRows($"kthreads-cpu-{moving}"), 0, 2), TimeSpan.FromSeconds(10));

        await LeaveAsync(node2);
        await AwaitSettledAsync();
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(moving, Tally.Comm, "after") > 0);

        await AwaitAssertAsync(async () =>
        {
            var info = await Node1.Cluster.CpuInfoAsync(moving);
            var (count, taken) = Tally.Parse(Assert.Single(info.Threads).State);
            Assert.Equal([.. items, "after"], taken);
            Assert.Equal(11, count);
            Assert.Equal([.. items, "after"], _handled.Where(h => h.Cpu == moving).Select(h => h.Item));
        }, TimeSpan.FromSeconds(20));
    }
}
