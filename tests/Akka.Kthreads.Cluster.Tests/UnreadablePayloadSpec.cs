using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// An item or a state whose serializer cannot read its own bytes back is refused where it is given, with a reply,
/// instead of being journaled and then keeping its CPU from coming up on the next node it moves to.
/// </summary>
public sealed class UnreadablePayloadSpec(ITestOutputHelper output) : ClusterSpecBase(output, cpus: 2)
{
    [Fact]
    public async Task An_item_or_a_state_that_does_not_read_back_is_refused_where_it_is_given()
    {
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();
        var probe = CreateTestProbe();
        var spec = new PerCpuThread("keeper/{0}", td => td.PendingItems > 0, async td =>
        {
            while (td.TryTakeItem(out var item))
            {
                td.State = (string)item! == "poison" ? new WriteOnly() : "fine";
                probe.Ref.Tell(await td.SaveStateAsync());
            }
        })
        {
            CreateState = _ => "",
        };
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(spec));

        Assert.Equal(-Errno.EINVAL, await Node1.Cluster.QueueOnCpuAsync(0, "keeper/{0}", new WriteOnly()));
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(0, "keeper/{0}", "poison") > 0);
        await probe.ExpectMsgAsync(false);
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(0, "keeper/{0}", "fine") > 0);
        await probe.ExpectMsgAsync(true);
    }

    /// <summary>Serializes, but its setter throws when the bytes are read back.</summary>
    public sealed class WriteOnly
    {
        /// <summary>Always 1; setting it throws.</summary>
        public int Value
        {
            get => 1;
            set => throw new InvalidOperationException($"{nameof(WriteOnly)} cannot be read back (was given {value})");
        }
    }
}
