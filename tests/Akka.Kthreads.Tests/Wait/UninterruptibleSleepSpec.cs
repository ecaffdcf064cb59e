using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>TASK_UNINTERRUPTIBLE (ps D) beside TASK_INTERRUPTIBLE (S), and the nvcsw / nivcsw counts ps shows.</summary>
public sealed class UninterruptibleSleepSpec(ITestOutputHelper output) : SpecBase(output)
{
    private async Task<KthreadInfo> RowAsync(Kthread thread) => (await Kthreads.ListAsync()).Single(r => r.Pid == thread.Pid);

    private Task AwaitStatAsync(Kthread thread, char stat) =>
        AwaitAssertAsync(async () => Assert.Equal(stat, (await RowAsync(thread)).Stat));

    [Fact]
    public async Task Ps_shows_D_for_an_uninterruptible_wait_and_S_for_an_interruptible_one()
    {
        var wq = new WaitQueue();
        var go = 0;
        var d = await Kthreads.RunAsync(async current =>
        {
            var r = await current.WaitEventUninterruptibleAsync(wq, () => Volatile.Read(ref go) != 0);
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return r;
        }, null, "in-d");
        var s = await Kthreads.RunAsync(async current => await current.WaitEventAsync(wq, () => false), null, "in-s");

        await AwaitStatAsync(d, 'D');
        await AwaitStatAsync(s, 'S');
        var row = await RowAsync(d);
        Assert.Equal(KthreadState.Sleeping, row.State);
        Assert.True(row.Uninterruptible);
        Assert.False((await s.InfoAsync()).Uninterruptible);
        Assert.Equal('D', (await d.InfoAsync()).Stat);

        Volatile.Write(ref go, 1);
        wq.WakeUpAll();
        await AwaitStatAsync(d, 'S'); // back in a plain ScheduleAsync: interruptible
        Assert.Equal(0, await d.StopAsync());
        Assert.Equal(-Errno.EINTR, await s.StopAsync());
    }

    [Fact]
    public async Task A_never_woken_thread_is_still_D()
    {
        var thread = await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "new");
        var row = await RowAsync(thread);
        Assert.Equal(KthreadState.New, row.State);
        Assert.Equal('D', row.Stat);
        Assert.False(row.Uninterruptible);
        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
    }

    [Fact]
    public async Task A_stop_request_does_not_end_an_uninterruptible_wait_the_condition_does_and_then_the_stop_proceeds()
    {
        var probe = CreateTestProbe();
        var wq = new WaitQueue();
        var go = 0;
        var thread = await Kthreads.RunAsync(async current =>
        {
            var r = await current.WaitEventUninterruptibleAsync(wq, () =>
            {
                probe.Tell(("checked", current.ShouldStop));
                return Volatile.Read(ref go) != 0;
            });
            probe.Tell(("returned", r, current.ShouldStop));
            return 42;
        }, null, "dstop");

        await probe.ExpectMsgAsync(("checked", false)); // the first look, before queueing
        await probe.ExpectMsgAsync(("checked", false)); // the look after queueing
        await AwaitStatAsync(thread, 'D');

        var stop = thread.StopAsync();
        // A WakeUp with the condition still false: the thread looks, sees the stop request, and sleeps on in D.
        await AwaitAssertAsync(async () =>
        {
            wq.WakeUp();
            await probe.ExpectMsgAsync(("checked", true), TimeSpan.FromMilliseconds(500));
        });
        await AwaitStatAsync(thread, 'D');
        Assert.False(stop.IsCompleted);

        Volatile.Write(ref go, 1);
        wq.WakeUp();
        await probe.FishForMessageAsync(m => m is ValueTuple<string, int, bool> t && t == ("returned", 0, true));
        Assert.Equal(42, await stop);
    }

    [Fact]
    public async Task An_interruptible_wait_still_ends_with_EINTR_on_a_stop_request()
    {
        var wq = new WaitQueue();
        var thread = await Kthreads.RunAsync(async current => await current.WaitEventAsync(wq, () => false), null, "sstop");
        await AwaitStatAsync(thread, 'S');
        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
    }

    [Fact]
    public async Task A_park_request_waits_for_an_uninterruptible_wait_to_end()
    {
        var probe = CreateTestProbe();
        var wq = new WaitQueue();
        var go = 0;
        var thread = await Kthreads.RunAsync(async current =>
        {
            await current.WaitEventUninterruptibleAsync(wq, () => Volatile.Read(ref go) != 0);
            probe.Tell("through");
            while (!current.ShouldStop)
            {
                await current.ParkMeAsync();
                if (!current.ShouldStop && !current.ShouldPark)
                {
                    await current.ScheduleAsync();
                }
            }

            return 0;
        }, null, "dpark");

        await AwaitStatAsync(thread, 'D');
        var park = thread.ParkAsync();
        await AwaitAssertAsync(async () => Assert.True((await thread.InfoAsync()).Uninterruptible));
        Assert.False(park.IsCompleted);

        Volatile.Write(ref go, 1);
        wq.WakeUp();
        await probe.ExpectMsgAsync("through");
        Assert.Equal(0, await park);
        await AwaitStatAsync(thread, 'P');
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task PrepareToSleep_Uninterruptible_makes_ScheduleAsync_a_D_sleep_that_only_WakeUp_ends()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            current.PrepareToSleep(TaskState.Uninterruptible);
            await current.ScheduleAsync();
            current.SetRunning();
            probe.Tell(("woken", current.ShouldStop));
            current.PrepareToSleep(); // the old overload: interruptible
            await current.ScheduleAsync();
            current.SetRunning();
            return 7;
        }, null, "sched-d");

        await AwaitStatAsync(thread, 'D');
        var stop = thread.StopAsync();
        await AwaitAssertAsync(async () => Assert.True((await thread.InfoAsync()).Uninterruptible));
        Assert.False(stop.IsCompleted);
        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync(("woken", true));
        // The second sleep is interruptible: the pending stop ends it at once.
        Assert.Equal(7, await stop);
    }

    [Fact]
    public async Task PrepareToSleep_rejects_an_undefined_state()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(current =>
        {
            var thrown = Record.Exception(() => current.PrepareToSleep((TaskState)9));
            probe.Tell(thrown?.GetType() ?? typeof(object));
            return Task.FromResult(0);
        }, null, "badstate");
        await probe.ExpectMsgAsync(typeof(ArgumentOutOfRangeException));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Each_sleep_counts_one_voluntary_switch()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            for (var i = 0; i < 3; i++)
            {
                probe.Tell(i);
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "nvcsw");

        for (var i = 0; i < 3; i++)
        {
            await probe.ExpectMsgAsync(i);
            await AwaitStateAsync(thread, KthreadState.Sleeping);
            var row = await RowAsync(thread);
            Assert.Equal(i + 1, row.Nvcsw);
            Assert.Equal(0, row.Nivcsw);
            Assert.True(await thread.WakeUpAsync());
        }

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(3, (await thread.InfoAsync()).Nvcsw);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_yield_that_gives_the_CPU_to_a_waiter_counts_one_involuntary_switch()
    {
        var probe = CreateTestProbe();
        var taken = 0;
        var hog = await Kthreads.CreateAsync(async current =>
        {
            probe.Tell("hogging");
            while (Volatile.Read(ref taken) == 0)
            {
                await current.YieldAsync(); // nobody waits: returns at once, still on the CPU
            }

            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "hog");
        Assert.Equal(0, await hog.BindAsync(0));
        Assert.True(await hog.WakeUpAsync());
        await probe.ExpectMsgAsync("hogging");
        Assert.Equal(0, (await hog.InfoAsync()).Nivcsw);

        var other = await Kthreads.CreateAsync(_ =>
        {
            Volatile.Write(ref taken, 1);
            return Task.FromResult(0);
        }, null, "other");
        Assert.Equal(0, await other.BindAsync(0));
        Assert.True(await other.WakeUpAsync());

        await AwaitStateAsync(hog, KthreadState.Sleeping);
        var row = await hog.InfoAsync();
        Assert.Equal(1, row.Nivcsw);
        Assert.Equal(1, row.Nvcsw);
        Assert.Equal(0, await other.StopAsync());
        Assert.Equal(0, await hog.StopAsync());
    }
}
