using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>set_cpus_allowed of a thread on another node moves it between the CPUs that node hosts.</summary>
public sealed class RemoteAffinitySpec(ITestOutputHelper output)
    : ClusterSpecBase(output, cpus: 4, extraConfig: "kthreads.cluster.ask-timeout = 3s")
{
    [Fact]
    public async Task A_mask_set_from_here_moves_a_thread_of_another_node_to_the_other_cpu_it_hosts_and_back()
    {
        var node2 = await StartSettledAsync();
        var hosted = node2.Kthreads.Cpus.Online.Order().ToArray();
        Assert.Equal(2, hosted.Length);
        var probe = CreateTestProbe();
        var thread = await node2.Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                probe.Tell(current.Cpu);
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "mover");
        var first = await probe.ExpectMsgAsync<int>();
        var other = hosted.Single(cpu => cpu != first);
        var id = new ClusterKthreadId(node2.Cluster.SelfAddress, thread.Pid);

        // Asleep: it resumes on the one CPU the mask allows, each time it is woken.
        Assert.Equal(0, await Node1.Cluster.SetCpusAllowedAsync(id, [other]));
        Assert.Equal(1, await Node1.Cluster.WakeUpAsync(id));
        Assert.Equal(other, await probe.ExpectMsgAsync<int>());
        Assert.Equal(0, await Node1.Cluster.SetCpusAllowedAsync(id, [first]));
        Assert.Equal(1, await Node1.Cluster.WakeUpAsync(id));
        Assert.Equal(first, await probe.ExpectMsgAsync<int>());

        Assert.Equal(0, await Node1.Cluster.StopAsync(id));
    }
}
