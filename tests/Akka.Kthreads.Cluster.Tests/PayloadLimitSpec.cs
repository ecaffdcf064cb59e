using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// kthreads.cluster.max-payload-size bounds what is sent and journaled: what does not fit is refused at once, with a
/// reply, never by a write that does not answer; a CPU's snapshot, which is stored and never sent, is not bound by it.
/// </summary>
public sealed class PayloadLimitSpec(ITestOutputHelper output)
    : ClusterSpecBase(output, cpus: 2, extraConfig: """
        kthreads.cluster.max-payload-size = 4KiB
        kthreads.cluster.store.snapshot-every = 3
        """)
{
    private const int Limit = 4 * 1024;

    [Fact]
    public async Task A_state_above_the_limit_is_not_saved_and_SaveStateAsync_says_false_at_once()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        var probe = CreateTestProbe();
        var spec = new PerCpuThread("saver/{0}", td => td.PendingItems > 0, async td =>
        {
            while (td.TryTakeItem(out var item))
            {
                td.State = (string)item! == "big" ? new string('s', 2 * Limit) : "small";
                probe.Ref.Tell(await td.SaveStateAsync());
            }
        })
        {
            CreateState = _ => "",
        };
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(spec));

        Assert.True(await Node1.Cluster.QueueOnCpuAsync(0, "saver/{0}", "big") > 0);
        await probe.ExpectMsgAsync(false);
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(0, "saver/{0}", "small") > 0);
        await probe.ExpectMsgAsync(true);
        Assert.Equal("small", Assert.Single((await Node1.Cluster.CpuInfoAsync(0)).Threads).State);
    }

    [Fact]
    public async Task An_item_that_fits_but_not_with_its_name_and_number_gets_EMSGSIZE()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec()));
        var serializer = Sys.Serialization.FindSerializerFor("x");
        var item = new string('i', Limit - (serializer.ToBinary("x").Length - 1));
        Assert.Equal(Limit, serializer.ToBinary(item).Length); // the item alone is exactly at the limit

        Assert.Equal(-Errno.EMSGSIZE, await Node1.Cluster.QueueOnCpuAsync(1, Tally.Comm, item));
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(1, Tally.Comm, "small") > 0);
    }

    [Fact]
    public async Task A_snapshot_larger_than_the_limit_is_saved_and_the_journal_is_trimmed()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        // A thread that takes nothing: every item stays pending, so the snapshot holds them all.
        var spec = new PerCpuThread("holder/{0}", _ => false, _ => Task.CompletedTask);
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(spec));
        for (var i = 0; i < 6; i++)
        {
            Assert.True(await Node1.Cluster.QueueOnCpuAsync(1, "holder/{0}", new string((char)('a' + i), Limit / 2)) > 0);
        }

        // Six events of 2 KiB, snapshots every 3: each snapshot is above 4 KiB, and the events before it are deleted.
        await AwaitAssertAsync(() => Assert.InRange(JournalRows("kthreads-cpu-1"), 0, 2), TimeSpan.FromSeconds(10));
        Assert.Equal(6, Assert.Single((await Node1.Cluster.CpuInfoAsync(1)).Threads).PendingItems);
    }
}
