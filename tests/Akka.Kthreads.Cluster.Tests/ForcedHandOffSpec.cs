using System.Collections.Concurrent;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// A hand-off that outlasts sharding's handoff-timeout: sharding stops the CPU's entity while the CPU
/// is still up on its node (a teardown that will not finish), and starts it on the new node. The old
/// node still takes the CPU down once it can, and the new node brings it up only after that: it is
/// never online on two nodes.
/// </summary>
/// <remarks>
/// handoff-timeout 6s stops an entity 1s into its hand-off (sharding gives it the timeout less 5s); a
/// teardown held past callback-timeout (2s) fails each cpu_down, so the entity never gets to stop by itself.
/// </remarks>
public sealed class ForcedHandOffSpec(ITestOutputHelper output) : ClusterSpecBase(output, extraConfig: """
    akka.cluster.sharding.handoff-timeout = 6s
    kthreads.hotplug.callback-timeout = 2s
    """)
{
    private readonly ConcurrentDictionary<int, int> _teardowns = new();
    private readonly TaskCompletionSource<int> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task A_cpu_whose_entity_was_stopped_before_its_hand_off_finished_is_taken_down_on_its_old_node_once_it_can_be()
    {
        var (sampler, node2, moved) = await JoinWithDownsHeldAsync();
        await using var watching = sampler;

        // Each moved CPU failed its hand-off and the take-down tried after its entity was stopped: then let downs through.
        await AwaitAssertAsync(() => Assert.All(moved, cpu => Assert.True(_teardowns.GetValueOrDefault(cpu) >= 2,
            $"cpu {cpu}: {_teardowns.GetValueOrDefault(cpu)} downs tried")), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        Assert.All(moved, cpu => Assert.Contains(cpu, Node1.Kthreads.Cpus.Online));
        Assert.All(moved, cpu => Assert.DoesNotContain(cpu, node2.Kthreads.Cpus.Online));
        _release.SetResult(0);

        // The take-down backs off while it fails: its next try may be several hand-off-retries away.
        await AwaitSettledAsync();
        Assert.All(moved, cpu => Assert.Contains(cpu, node2.Kthreads.Cpus.Online));
        Assert.Empty(sampler.Violations);
        Assert.True(sampler.Samples > 0);
    }

    [Fact]
    public async Task A_cpu_waiting_for_its_old_node_hands_off_at_once_when_its_new_node_leaves()
    {
        var (sampler, node2, moved) = await JoinWithDownsHeldAsync();
        await using var watching = sampler;
        var logs = CreateTestProbe(node2.System);
        node2.System.EventStream.Subscribe(logs.Ref, typeof(Akka.Event.Info));
        await AwaitAssertAsync(() => Assert.All(moved, cpu => Assert.True(_teardowns.GetValueOrDefault(cpu) >= 2)), TimeSpan.FromSeconds(30));

        // Node 2 never brought them up: its leave hands them off at once, not after sharding's stop of them.
        var leave = LeaveAsync(node2);
        var waiting = moved.Select(cpu => $"cluster: cpu {cpu} handed off from").ToHashSet();
        await logs.FishForMessageAsync(m => m is Akka.Event.Info info && waiting.RemoveWhere(w => info.Message.ToString()!.StartsWith(w, StringComparison.Ordinal)) > 0 && waiting.Count == 0,
            TimeSpan.FromSeconds(10));

        await leave;
        await AwaitSettledAsync(TimeSpan.FromSeconds(20));
        Assert.All(moved, cpu => Assert.Contains(cpu, Node1.Kthreads.Cpus.Online));
        Assert.Empty(sampler.Violations);
        _release.SetResult(0);
    }

    [Fact]
    public async Task An_entity_that_starts_again_where_its_cpu_is_still_up_takes_it_down_and_up_so_its_threads_get_its_items()
    {
        var handled = new ConcurrentQueue<(string Node, int Cpu, string Item)>();
        var saved = new ConcurrentQueue<string>();
        var tally = Tally.Spec(handled, Node1.Name, saved);
        PerCpu? first = null;
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(tally with
        {
            Setup = td =>
            {
                if (td.Cpu == 0)
                {
                    Interlocked.CompareExchange(ref first, td, null);
                }

                return Task.CompletedTask;
            },
        }));
        await AwaitSettledAsync();
        Assert.True(await Node1.Cluster.QueueOnCpuAsync(0, Tally.Comm, "a") > 0);

        // Durable before the entity is stopped: an item whose save did not land is handed again (at least once).
        await AwaitAssertAsync(() => Assert.Contains("a", saved));
        await HoldDownsAsync(Node1, _release.Task, _teardowns);

        // The entity stops without its hand-off, as on a journal failure; its cpu_down is held, so the CPU stays up.
        var entity = await Sys.ActorSelection("/system/sharding/kthreads-cpu/0/0").ResolveOne(TimeSpan.FromSeconds(10));
        Watch(entity);
        entity.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(entity);
        await AwaitAssertAsync(() => Assert.True(_teardowns.GetValueOrDefault(0) >= 1));

        // The next item starts the entity again here (remember-entities), with the CPU still up from the last one:
        // it takes the CPU down (held too) and up, so the threads start from its ledger and the item reaches them.
        var logs = LogsOf<Akka.Event.Warning>(Sys);
        var queued = Node1.Cluster.QueueOnCpuAsync(0, Tally.Comm, "b");
        await ExpectLogAsync<Akka.Event.Warning>(logs, "cluster: cpu 0 is still up here", TimeSpan.FromSeconds(20));

        // The thread still running from the stopped entity cannot save: the new entity did not give it its state.
        Assert.NotNull(first);
        Assert.False(await first.SaveStateAsync().WaitAsync(TimeSpan.FromSeconds(5)));
        await AwaitAssertAsync(() => Assert.True(_teardowns.GetValueOrDefault(0) >= 2), TimeSpan.FromSeconds(20));
        _release.SetResult(0);
        Assert.True(await queued > 0);
        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(["a", "b"], handled.Where(h => h.Cpu == 0).Select(h => h.Item));
            Assert.Equal("2:a,b", Assert.Single((await Node1.Cluster.CpuInfoAsync(0)).Threads).State);
        }, TimeSpan.FromSeconds(20));
        Assert.Contains(0, Node1.Kthreads.Cpus.Online);
    }

    // Every cpu_down on node 1 waits until released (it times out and the CPU rolls forward); then node 2 joins, watched,
    // and the rebalance gives it half the CPUs, each hand-off outlasting sharding's handoff-timeout.
    private async Task<(OnlineSampler Sampler, ClusterNode Node2, int[] Moved)> JoinWithDownsHeldAsync()
    {
        await HoldDownsAsync(Node1, _release.Task, _teardowns);
        await AwaitSettledAsync();
        var sampler = WatchOnline();
        try
        {
            var node2 = StartNode();
            await AwaitMembersAsync(2);
            return (sampler, node2, await MovedToAsync(node2));
        }
        catch
        {
            await sampler.DisposeAsync();
            throw;
        }
    }

    // The CPUs sharding placed on node 2 (their entities started there) once the rebalance settled its count (half of them).
    private async Task<int[]> MovedToAsync(ClusterNode node)
    {
        int[] moved = [];
        await AwaitAssertAsync(async () =>
        {
            var placement = await Node1.Cluster.PlacementAsync();
            moved = placement.Where(p => p.Value.Equals(node.Cluster.SelfAddress)).Select(p => p.Key).ToArray();
            Assert.Equal(Cpus / 2, moved.Length);
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        return moved;
    }
}
