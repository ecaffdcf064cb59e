using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>DESIGN §4 behaviours 14 and 15: kthread_bind and kthread_create_on_cpu.</summary>
public sealed class BindSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static ThreadFn ReportCpu(IActorRef probe) => async current =>
    {
        probe.Tell(("cpu", current.Cpu));
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                await current.ParkMeAsync();
                continue;
            }

            await current.ScheduleAsync();
            probe.Tell(("cpu", current.Cpu));
        }

        return 0;
    };

    [Fact]
    public async Task Bind_before_the_first_WakeUp_pins_the_thread_to_the_cpu()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "bound");

        probe.Send(thread.Ref, new Bind(3));
        await probe.ExpectMsgAsync(new BindResult(0));
        Assert.Equal(3, (await thread.InfoAsync()).Cpu);

        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync(("cpu", (int?)3));
        for (var i = 0; i < 3; i++)
        {
            await AwaitStateAsync(thread, KthreadState.Sleeping);
            await thread.WakeUpAsync();
            await probe.ExpectMsgAsync(("cpu", (int?)3));
        }

        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Bind_of_a_woken_thread_replies_EINVAL_and_changes_nothing()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "woken");
        Assert.Equal(0, await thread.BindAsync(1));
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)1));

        // The kernel only WARNs here (wait_task_inactive fails); we refuse with -EINVAL.
        Assert.Equal(-Errno.EINVAL, await thread.BindAsync(2));
        Assert.Equal(1, (await thread.InfoAsync()).Cpu);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Bind_by_hand_to_a_cpu_outside_Possible_replies_EINVAL()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "nocpu");

        probe.Send(thread.Ref, new Bind(Kthreads.Cpus.Possible.Count));
        await probe.ExpectMsgAsync(new BindResult(-Errno.EINVAL));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => thread.BindAsync(-1));
        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
    }

    [Fact]
    public async Task CreateOnCpu_makes_a_parked_bound_per_cpu_thread_named_from_the_format()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateOnCpuAsync(ReportCpu(probe.Ref), null, 3, "ksoftirqd/{0}");

        Assert.Equal("ksoftirqd/3", thread.Comm);
        var info = await thread.InfoAsync();
        Assert.Equal(KthreadState.Parked, info.State);
        Assert.Equal(3, info.Cpu);
        Assert.True(info.PerCpu);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        await thread.UnparkAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)3));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Per_cpu_threads_on_every_cpu_show_in_ps_with_their_names()
    {
        var probe = CreateTestProbe();
        foreach (var cpu in Kthreads.Cpus.Possible)
        {
            await Kthreads.CreateOnCpuAsync(ReportCpu(probe.Ref), null, cpu, "migration/{0}");
        }

        var rows = await Kthreads.ListAsync();
        Assert.Equal(Kthreads.Cpus.Possible.Select(c => $"migration/{c}"), rows.Select(r => r.Comm));
        Assert.All(rows, r => Assert.Equal(KthreadState.Parked, r.State));
        Assert.Equal(Kthreads.Cpus.Possible.Select(c => (int?)c), rows.Select(r => r.Cpu));
    }
}
