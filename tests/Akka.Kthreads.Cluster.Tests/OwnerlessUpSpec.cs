using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// An entity stopped without its hand-off while its cpu_up still waits for the hotplug lock: that cpu_up
/// must not bring the CPU up later with no entity to own it.
/// </summary>
public sealed class OwnerlessUpSpec(ITestOutputHelper output) : ClusterSpecBase(output, extraConfig: NoRestarts)
{
    [Fact]
    public async Task An_entity_stopped_while_its_cpu_up_waits_for_the_hotplug_lock_leaves_no_cpu_up_without_an_owner()
    {
        await AwaitSettledAsync();

        // Cpu 0 without its entity (stopped, as on a journal failure), and down: the take-down found it free.
        var first = await Sys.ActorSelection("/system/sharding/kthreads-cpu/0/0").ResolveOne(TimeSpan.FromSeconds(10));
        Watch(first);
        first.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(first);
        await AwaitAssertAsync(() => Assert.DoesNotContain(0, Node1.Kthreads.Cpus.Online));

        // The hotplug lock is held (a state's startup waits), so the next entity's cpu_up waits its turn behind it.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var setup = Node1.Kthreads.Cpus.SetupStateAsync("spec/slow:online", _ =>
        {
            entered.TrySetResult();
            return gate.Task;
        }, null);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Node1.Cluster.Region.Tell(new ClusterCpuProtocol.EnsureUp(0));
        await AwaitAssertAsync(() => Assert.True(Node1.Cluster.Store.InTransition > 0));
        var second = await Sys.ActorSelection("/system/sharding/kthreads-cpu/0/0").ResolveOne(TimeSpan.FromSeconds(10));
        Watch(second);
        second.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(second);
        gate.SetResult(0);
        Assert.True(await setup >= 0);

        // Behind everything queued so far: the stopped entity's cpu_up never ran, or was taken down again.
        Assert.True(await Node1.Kthreads.Cpus.SetupStateAsync("spec/after:online", _ => Task.FromResult(0), null) >= 0);
        Assert.False(Node1.Kthreads.Cpus.IsOnline(0) && !Node1.Cluster.Store.IsHosted(0), "cpu 0 is up with no entity");
        Node1.Cluster.Region.Tell(new ClusterCpuProtocol.EnsureUp(0));
        await AwaitSettledAsync();
    }
}
