using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>set_current_state(TASK_INTERRUPTIBLE): the kernel's rule that a wake-up between a check and a sleep is never lost.</summary>
public sealed class PrepareToSleepSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task A_WakeUp_after_PrepareToSleep_makes_the_next_ScheduleAsync_return_at_once_and_replies_true()
    {
        var fnProbe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            current.PrepareToSleep();
            fnProbe.Tell("prepared");
            await gate.Task; // still running: the WakeUp lands before the sleep
            await current.ScheduleAsync();
            current.SetRunning();
            fnProbe.Tell("returned");
            return 0;
        }, null, "prepared");

        await fnProbe.ExpectMsgAsync("prepared");
        Assert.True(await thread.WakeUpAsync());
        gate.SetResult();
        await fnProbe.ExpectMsgAsync("returned");
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task SetRunning_cancels_PrepareToSleep()
    {
        var fnProbe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            current.PrepareToSleep();
            current.SetRunning();
            fnProbe.Tell("not sleeping after all");
            await gate.Task;
            await current.ScheduleAsync();
            fnProbe.Tell("woken");
            return 0;
        }, null, "setrunning");

        await fnProbe.ExpectMsgAsync("not sleeping after all");
        Assert.False(await thread.WakeUpAsync()); // running, not prepared: nothing to wake
        gate.SetResult();
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await fnProbe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.True(await thread.WakeUpAsync());
        await fnProbe.ExpectMsgAsync("woken");
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task No_round_of_a_waker_racing_a_checker_is_left_asleep_over_10000_rounds()
    {
        // The kernel idiom against a waker that sets the flag and then wakes: without the race
        // rule, a WakeUp landing between the check and the sleep is lost and the round hangs.
        const int rounds = 10_000;
        var flag = 0;
        var acks = new SemaphoreSlim(0);
        var thread = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                current.PrepareToSleep();
                if (Volatile.Read(ref flag) == 0 && !current.ShouldStop)
                {
                    await current.ScheduleAsync();
                }

                current.SetRunning();
                if (Interlocked.Exchange(ref flag, 0) == 1)
                {
                    acks.Release();
                }
            }

            return 0;
        }, null, "checker");

        for (var round = 0; round < rounds; round++)
        {
            Volatile.Write(ref flag, 1);
            thread.Ref.Tell(WakeUp.Instance, ActorRefs.NoSender);
            Assert.True(await acks.WaitAsync(TimeSpan.FromSeconds(10)), $"round {round} was left asleep");
        }

        Assert.Equal(0, await thread.StopAsync());
    }
}
