using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// The core in cluster mode (kthreads.cluster.cpus set), on one plain ActorSystem: no CPU is online at
/// start, kthreads wait runnable on no CPU (ps: R, CPU -) until one comes, and the last CPU may go down.
/// </summary>
public sealed class NoCpuSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(
    ConfigurationFactory.ParseString("kthreads { cluster.cpus = 2, ask-timeout = 10s, kthread.stop-timeout = 5s, kthread.park-timeout = 5s, worker.flush-timeout = 5s }"),
    "nocpu", output)
{
    private Kthreads Kthreads => Kthreads.Get(Sys);

    [Fact]
    public async Task A_node_hosting_no_cpu_creates_kthreads_and_runs_them_once_a_cpu_comes()
    {
        Assert.Equal([0, 1], Kthreads.Cpus.Possible);
        Assert.Empty(Kthreads.Cpus.Online);
        var probe = CreateTestProbe();

        var thread = await Kthreads.RunAsync(current =>
        {
            probe.Tell(("ran", current.Cpu));
            return Task.FromResult(7);
        }, null, "waits");
        var info = await thread.InfoAsync();
        Assert.Equal(KthreadState.Running, info.State);
        Assert.Null(info.Cpu);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        Assert.Equal(0, await Kthreads.Cpus.UpAsync(1));
        await probe.ExpectMsgAsync(("ran", (int?)1));
        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task The_last_cpu_may_go_down_and_its_threads_wait_for_the_next()
    {
        Assert.Equal(0, await Kthreads.Cpus.UpAsync(0));
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                probe.Tell(current.Cpu);
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "mover");
        await probe.ExpectMsgAsync((int?)0);

        Assert.Equal(0, await Kthreads.Cpus.DownAsync(0));
        Assert.Empty(Kthreads.Cpus.Online);
        Assert.Equal(-Errno.ENOENT, await Kthreads.StopMachine.RunAsync(_ => 0));
        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        Assert.Equal(0, await Kthreads.Cpus.UpAsync(1));
        await probe.ExpectMsgAsync((int?)1);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Saving_per_cpu_state_on_a_node_without_a_store_reports_false()
    {
        var saved = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var spec = new PerCpuThread("saver/{0}", td => td.State is 0, async td =>
        {
            td.State = 1;
            saved.TrySetResult(await td.SaveStateAsync());
        })
        {
            CreateState = _ => 0,
        };
        Assert.Equal(0, await Kthreads.Cpus.UpAsync(0));
        Assert.Equal(0, await Kthreads.PerCpuThreads.RegisterAsync(spec));

        Assert.False(await saved.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(Kthreads.PerCpuThreads.Get(spec, 0)!.TryTakeItem(out _));
    }
}
