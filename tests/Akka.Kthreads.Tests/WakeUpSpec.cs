using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>DESIGN §4 behaviour 5: wake_up_process.</summary>
public sealed class WakeUpSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task WakeUp_starts_the_function_once()
    {
        var probe = CreateTestProbe();
        var calls = 0;
        var thread = await Kthreads.CreateAsync(async current =>
        {
            Interlocked.Increment(ref calls);
            probe.Tell("started");
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "once");

        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync("started");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        // Woken again while running (not sleeping): false, and the function is not entered again.
        Assert.Equal(0, await thread.StopAsync());
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task A_second_WakeUp_of_a_running_thread_returns_false_and_does_not_start_it_again()
    {
        var probe = CreateTestProbe();
        var fnProbe = CreateTestProbe(); // the function's own messages race with the replies
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var thread = await Kthreads.CreateAsync(async _ =>
        {
            Interlocked.Increment(ref calls);
            fnProbe.Tell("running");
            await release.Task; // running, not asleep: not a checkpoint
            return 3;
        }, null, "busy");

        probe.Send(thread.Ref, WakeUp.Instance);
        await probe.ExpectMsgAsync(new Woken(true));
        await fnProbe.ExpectMsgAsync("running");
        probe.Send(thread.Ref, WakeUp.Instance);
        await probe.ExpectMsgAsync(new Woken(false));
        Assert.False(await thread.WakeUpAsync());

        release.SetResult();
        Assert.Equal(3, await thread.StopAsync());
        Assert.Equal(1, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task WakeUp_of_a_sleeping_thread_makes_ScheduleAsync_return()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            for (var round = 0; !current.ShouldStop; round++)
            {
                probe.Tell(round);
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "sleeper");

        await probe.ExpectMsgAsync(0);
        for (var round = 1; round <= 3; round++)
        {
            await AwaitStateAsync(thread, KthreadState.Sleeping);
            Assert.True(await thread.WakeUpAsync());
            await probe.ExpectMsgAsync(round);
        }

        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task WakeUp_of_a_ScheduleTimeout_sleeper_returns_true_and_the_timeout_returns_false()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(("long", await current.ScheduleTimeoutAsync(TimeSpan.FromMinutes(5))));
            probe.Tell(("short", await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(50))));
            return 0;
        }, null, "timeouts");

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync(("long", true));
        await probe.ExpectMsgAsync(("short", false));
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task WakeUp_of_a_parked_or_exited_thread_returns_false()
    {
        var parked = await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "parked");
        Assert.Equal(0, await parked.ParkAsync());
        Assert.False(await parked.WakeUpAsync());
        Assert.Equal(KthreadState.Parked, (await parked.InfoAsync()).State);

        var exited = await Kthreads.RunAsync(_ => Task.FromResult(5), null, "exited");
        await AwaitStateAsync(exited, KthreadState.Zombie);
        Assert.False(await exited.WakeUpAsync());
        Assert.Equal(5, await exited.StopAsync());
    }
}
