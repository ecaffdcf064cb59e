using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// Functions cross nodes by registered name, never as code: a create on a CPU runs on the node that
/// hosts it, an unbound one on the caller's node, and a name the node has not registered is -ENOENT.
/// </summary>
public sealed class CreateByNameSpec(ITestOutputHelper output) : ClusterSpecBase(output, cpus: 2)
{
    [Fact]
    public async Task A_create_on_a_cpu_runs_the_registered_function_on_the_node_hosting_it()
    {
        var probe = CreateTestProbe();
        var node2 = StartNode();
        foreach (var node in new[] { Node1, node2 })
        {
            node.Cluster.RegisterFunction("echo", current =>
            {
                probe.Tell((node.Name, current.Data, current.Cpu));
                return Task.FromResult(9);
            });
        }

        await AwaitMembersAsync(2);
        await AwaitSettledAsync();
        var remoteCpu = Assert.Single(node2.Kthreads.Cpus.Online);

        // Created parked and bound on node 2; the data crossed the wire through Akka serialization.
        var id = await Node1.Cluster.CreateOnCpuAsync("echo", "hello", remoteCpu, "echo/{0}");
        Assert.Equal(node2.Cluster.SelfAddress, id.Node);
        var info = (await Node1.Cluster.InfoAsync(id)).Info!;
        Assert.Equal(($"echo/{remoteCpu}", KthreadState.Parked, (int?)remoteCpu), (info.Comm, info.State, info.Cpu));
        Assert.Equal(0, await Node1.Cluster.UnparkAsync(id));
        await probe.ExpectMsgAsync((node2.Name, (object?)"hello", (int?)remoteCpu));

        // Unbound: on the caller's node.
        var local = await node2.Cluster.RunAsync("echo", 5L, "echo-here");
        Assert.Equal(node2.Cluster.SelfAddress, local.Node);
        await probe.ExpectMsgAsync((node2.Name, (object?)5L, (int?)remoteCpu));
    }

    [Fact]
    public async Task A_name_the_hosting_node_has_not_registered_is_refused_with_ENOENT()
    {
        var node2 = await StartSettledAsync();
        var remoteCpu = Assert.Single(node2.Kthreads.Cpus.Online);
        Node1.Cluster.RegisterFunction("only-here", _ => Task.FromResult(0));

        var refused = await Assert.ThrowsAsync<KthreadCreateException>(() => Node1.Cluster.CreateOnCpuAsync("only-here", null, remoteCpu, "x/{0}"));
        Assert.Equal(-Errno.ENOENT, refused.Errno);
        var unknown = await Assert.ThrowsAsync<KthreadCreateException>(() => Node1.Cluster.RunAsync("nowhere", null, "x"));
        Assert.Equal(-Errno.ENOENT, unknown.Errno);
        Assert.Throws<InvalidOperationException>(() => Node1.Cluster.RegisterFunction("only-here", _ => Task.FromResult(1)));
        Assert.DoesNotContain(await node2.Kthreads.ListAsync(), r => r.Comm.StartsWith("x/", StringComparison.Ordinal));
    }
}
