using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>Cluster-wide ps: a member that does not answer is named in Missing, beside the rows of those that did.</summary>
public sealed class ClusterListSpec(ITestOutputHelper output)
    : ClusterSpecBase(output, cpus: 2, extraConfig: "kthreads.cluster.ask-timeout = 4s")
{
    [Fact]
    public async Task A_member_that_does_not_answer_is_listed_as_missing_and_the_others_rows_come_back()
    {
        var node2 = await StartSettledAsync();

        var mine = await Node1.Kthreads.CreateAsync(_ => Task.FromResult(0), null, "listed");

        // node 2 stays Up, but nothing there answers a ps any more.
        await node2.Cluster.Node.GracefulStop(TimeSpan.FromSeconds(5));
        var list = await Node1.Cluster.ListAsync();

        Assert.Equal([node2.Cluster.SelfAddress.ToString()], list.Missing);
        Assert.Contains(list.Threads, row => row.Pid == mine.Pid && row.Comm == "listed" && row.Node == Node1.Cluster.SelfAddress.ToString());
        Assert.DoesNotContain(list.Threads, row => row.Node == node2.Cluster.SelfAddress.ToString());
        Assert.Equal(-Errno.EINTR, await mine.StopAsync());
    }
}
