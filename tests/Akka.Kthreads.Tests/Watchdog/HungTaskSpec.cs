using Akka.Actor;
using Akka.Configuration;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Watchdog;

/// <summary>khungtaskd: a thread in D whose switch count stands still past hung-task-timeout is reported once.</summary>
public sealed class HungTaskSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString("""
    kthreads.watchdog {
      hung-task-timeout = 1s
      hung-task-check-interval = 200ms
    }
    """))
{
    private static ThreadFn StuckInD(WaitQueue wq) => async current =>
    {
        await current.WaitEventUninterruptibleAsync(wq, () => current.ShouldStop);
        return 0;
    };

    /// <summary>Stops a thread whose D wait ends on ShouldStop: the stop does not wake it, so wake its queue until the stop is through.</summary>
    internal static async Task<int> StopFromDAsync(TestKit.Xunit2.TestKit kit, Kthread thread, WaitQueue wq)
    {
        var stop = thread.StopAsync();
        await kit.AwaitAssertAsync(() =>
        {
            wq.WakeUp();
            Assert.True(stop.IsCompleted);
        });
        return await stop;
    }

    [Fact]
    public async Task A_thread_stuck_in_D_is_reported_once_with_its_name_pid_and_wait_site()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(HungTaskDetected));
        var notes = new WatchdogNotes(Sys, Kthreads.Settings); // what kps ps prints under its table
        var wq = new WaitQueue();
        var go = 0;
        var thread = await Kthreads.CreateAsync(async current =>
        {
            await current.WaitEventUninterruptibleAsync(wq, () => Volatile.Read(ref go) != 0);
            return 0;
        }, null, "stuck");

        var hung = await EventFilter.Error(start: $"INFO: task stuck:{thread.Pid} blocked for more than 1 seconds.")
            .ExpectOneAsync(async () =>
            {
                Assert.True(await thread.WakeUpAsync());
                return await events.ExpectMsgAsync<HungTaskDetected>(TimeSpan.FromSeconds(10));
            });

        Assert.Equal(thread.Pid, hung.Pid);
        Assert.Equal("stuck", hung.Comm);
        Assert.True(hung.BlockedFor >= TimeSpan.FromSeconds(1), $"{hung.BlockedFor}");
        Assert.Equal($"WaitEventUninterruptibleAsync in {nameof(A_thread_stuck_in_D_is_reported_once_with_its_name_pid_and_wait_site)}", hung.WaitSite);
        Assert.Equal('D', (await thread.InfoAsync()).Stat);
        await AwaitAssertAsync(() => Assert.Equal(
            $"INFO: task stuck:{thread.Pid} blocked for more than 1 seconds. Waiting in {hung.WaitSite}.", Assert.Single(notes.Lines())));

        // Once per hang: several more checks go by without a second report.
        await events.ExpectNoMsgAsync(TimeSpan.FromSeconds(1.5));
        Volatile.Write(ref go, 1);
        wq.WakeUp();
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_thread_in_S_and_a_thread_in_D_that_keeps_being_woken_are_never_reported()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(HungTaskDetected));
        var sq = new WaitQueue();
        var dq = new WaitQueue();
        var stuckq = new WaitQueue();
        var s = await Kthreads.RunAsync(async current => await current.WaitEventAsync(sq, () => false), null, "in-s");
        var d = await Kthreads.RunAsync(async current =>
        {
            await current.WaitEventUninterruptibleAsync(dq, () => current.ShouldStop);
            return 0;
        }, null, "woken-d");
        // The waker paces itself with the library's own timed sleep: dq's sleeper switches every 100 ms.
        var waker = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(100));
                dq.WakeUp();
            }

            dq.WakeUp();
            return 0;
        }, null, "waker");
        // A control: the one thread that does hang.
        var stuck = await Kthreads.RunAsync(StuckInD(stuckq), null, "control");

        var hung = await events.ExpectMsgAsync<HungTaskDetected>(TimeSpan.FromSeconds(10));
        Assert.Equal(stuck.Pid, hung.Pid);
        await events.ExpectNoMsgAsync(TimeSpan.FromSeconds(1.5));
        Assert.True((await d.InfoAsync()).Nvcsw > 5);

        Assert.Equal(0, await d.StopAsync()); // the waker's next WakeUp lets it see ShouldStop
        Assert.Equal(0, await waker.StopAsync());
        Assert.Equal(-Errno.EINTR, await s.StopAsync());
        Assert.Equal(0, await StopFromDAsync(this, stuck, stuckq));
    }

    [Fact]
    public void Check_hung_task_in_its_kernel_shape()
    {
        const long hz = 1000;
        var timeout = TimeSpan.FromSeconds(120);
        var t = new HungTaskCheck();

        // A task that never switched out (switch_count 0) is not checked.
        Assert.Null(t.Check(0, 500_000, hz, timeout));
        // switch_count != last_switch_count: remember it and the time; no report.
        Assert.Null(t.Check(3, 1_000, hz, timeout));
        // Not yet timeout * HZ since the last switch.
        Assert.Null(t.Check(3, 1_000 + 119_999, hz, timeout));
        // time_is_after_jiffies(last_switch_time + timeout * HZ) is false: reported, blocked (jiffies - last_switch_time) / HZ.
        Assert.Equal(TimeSpan.FromSeconds(121), t.Check(3, 1_000 + 121_000, hz, timeout));
        // Once per hang.
        Assert.Null(t.Check(3, 1_000 + 500_000, hz, timeout));
        // The count moved: a new hang starts from here and can be reported again.
        Assert.Null(t.Check(4, 600_000, hz, timeout));
        Assert.Null(t.Check(4, 600_000 + 60_000, hz, timeout));
        Assert.Equal(TimeSpan.FromSeconds(120), t.Check(4, 600_000 + 120_000, hz, timeout));
    }
}

/// <summary>kthreads.watchdog.hung-task-timeout = 0: khungtaskd is not started, as hung_task_timeout_secs=0 disables it.</summary>
public sealed class HungTaskOffSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString("""
    kthreads.watchdog.hung-task-timeout = 0
    kthreads.watchdog.hung-task-check-interval = 100ms
    """))
{
    [Fact]
    public async Task Zero_turns_khungtaskd_off()
    {
        Assert.Equal(TimeSpan.Zero, Kthreads.Settings.HungTaskTimeout);
        var wq = new WaitQueue();
        var thread = await Kthreads.RunAsync(async current => await current.WaitEventUninterruptibleAsync(wq, () => current.ShouldStop), null, "d-off");
        await AwaitAssertAsync(async () => Assert.Equal('D', (await thread.InfoAsync()).Stat));

        var khungtaskd = await Sys.ActorSelection($"/system/{Kthreads.Settings.KthreaddName}-khungtaskd").ResolveOne(TimeSpan.FromSeconds(3))
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default);
        Assert.Null(khungtaskd);
        Assert.NotNull(await Sys.ActorSelection($"/system/{Kthreads.Settings.KthreaddName}").ResolveOne(TimeSpan.FromSeconds(3)));

        Assert.Equal(0, await HungTaskSpec.StopFromDAsync(this, thread, wq));
    }
}
