using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>DESIGN §4 behaviours 6, 7, 8 and 13: kthread_stop, zombies and reaping.</summary>
public sealed class StopSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task Stop_before_WakeUp_returns_EINTR_and_the_function_never_runs()
    {
        var ran = false;
        var thread = await Kthreads.CreateAsync(_ =>
        {
            ran = true;
            return Task.FromResult(0);
        }, null, "never");

        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
        Assert.False(ran);
        Assert.Empty(await Kthreads.ListAsync());
    }

    [Fact]
    public async Task Stop_sets_ShouldStop_wakes_ScheduleAsync_and_replies_the_return_value()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell("asleep");
            await current.ScheduleAsync();
            probe.Tell(("woke", current.ShouldStop));
            return 17;
        }, null, "sched");

        await probe.ExpectMsgAsync("asleep");
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(17, await thread.StopAsync());
        await probe.ExpectMsgAsync(("woke", true));
    }

    [Fact]
    public async Task Stop_wakes_ScheduleTimeoutAsync_early_as_a_wake_up()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            var woken = await current.ScheduleTimeoutAsync(TimeSpan.FromMinutes(5));
            probe.Tell(("woken", woken, current.ShouldStop));
            return 2;
        }, null, "timed");

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(2, await thread.StopAsync());
        await probe.ExpectMsgAsync(("woken", true, true));
    }

    [Fact]
    public async Task Stop_cancels_the_StopToken()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell("waiting");
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, current.StopToken);
                return 1;
            }
            catch (OperationCanceledException)
            {
                return 9;
            }
        }, null, "token");

        await probe.ExpectMsgAsync("waiting");
        Assert.Equal(9, await thread.StopAsync());
    }

    [Fact]
    public async Task Stop_waits_until_the_function_returns()
    {
        var probe = CreateTestProbe();
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var returned = false;
        var thread = await Kthreads.RunAsync(async current =>
        {
            await current.ScheduleAsync();
            probe.Tell("cleaning up");
            await finish.Task;
            Volatile.Write(ref returned, true);
            return 4;
        }, null, "slow");

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        var stop = thread.StopAsync();
        await probe.ExpectMsgAsync("cleaning up");
        Assert.False(stop.IsCompleted);

        finish.SetResult();
        Assert.Equal(4, await stop);
        Assert.True(Volatile.Read(ref returned));
    }

    [Fact]
    public async Task Several_concurrent_Stops_all_get_the_exit_code()
    {
        var probe = CreateTestProbe();
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            await current.ScheduleAsync();
            probe.Tell("stopping");
            await finish.Task;
            return 21;
        }, null, "many");

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        var stops = new[] { thread.StopAsync(), thread.StopAsync() };
        await probe.ExpectMsgAsync("stopping");
        probe.Send(thread.Ref, Stop.Instance);
        probe.Send(thread.Ref, Stop.Instance);
        // The thread answers its mailbox in order: once GetInfo is answered, both Stops are queued as waiters.
        probe.Send(thread.Ref, GetInfo.Instance);
        await probe.ExpectMsgAsync<KthreadInfo>();

        finish.SetResult();
        await probe.ExpectMsgAsync(new Stopped(21));
        await probe.ExpectMsgAsync(new Stopped(21));
        var codes = await Task.WhenAll(stops);
        Assert.Equal(new[] { 21, 21 }, codes);
    }

    [Fact]
    public async Task A_function_that_returns_on_its_own_leaves_a_zombie_until_Stop_reaps_it()
    {
        var thread = await Kthreads.RunAsync(_ => Task.FromResult(42), null, "oneshot");

        await AwaitAssertAsync(async () =>
        {
            var row = Assert.Single(await Kthreads.ListAsync());
            Assert.Equal(KthreadState.Zombie, row.State);
            Assert.Equal(42, row.ExitCode);
        });

        Assert.Equal(42, await thread.StopAsync());
        Assert.Empty(await Kthreads.ListAsync());
        Assert.Equal(KthreadState.Dead, (await thread.InfoAsync()).State);
    }

    [Fact]
    public async Task Stop_of_a_parked_thread_unparks_it_then_stops_it()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell("entered");
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    probe.Tell("parking");
                    await current.ParkMeAsync();
                    probe.Tell(("unparked", current.ShouldPark, current.ShouldStop));
                    continue;
                }

                await current.ScheduleAsync();
            }

            return 11;
        }, null, "parkstop");

        await probe.ExpectMsgAsync("entered");
        Assert.Equal(0, await thread.ParkAsync());
        await probe.ExpectMsgAsync("parking");
        Assert.Equal(11, await thread.StopAsync());
        await probe.ExpectMsgAsync(("unparked", false, true));
        Assert.Empty(await Kthreads.ListAsync());
    }

    [Fact]
    public async Task Stop_of_a_thread_parked_before_it_ever_ran_returns_EINTR_without_running_it()
    {
        var ran = false;
        var thread = await Kthreads.CreateAsync(_ =>
        {
            ran = true;
            return Task.FromResult(0);
        }, null, "parkednew");
        Assert.Equal(0, await thread.ParkAsync());

        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
        Assert.False(ran);
        Assert.Empty(await Kthreads.ListAsync());
    }
}
