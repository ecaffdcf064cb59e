using Akka.Configuration;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>
/// kthreads.cpus.idle-poll: a CPU thread stays runnable that long before it sleeps, and holds a kthread's Sleep back
/// meanwhile. A poll far longer than any test keeps the Sleep held back for as long as the test needs it, so what the
/// actor does with a sleep it has not heard of is seen directly, where the default 50 µs would leave it to timing. Its
/// idle-poll-max (200 µs by default) is below the poll, which keeps the poll fixed.
/// </summary>
public sealed class IdlePollSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString("""
    kthreads.cpus.possible = 1
    kthreads.cpus.idle-poll = 60s
    """))
{
    // A thread that tells the probe each round, then sleeps in schedule() until woken or stopped (it returns 7); returned
    // once that sleep is in schedule() with its note still held back on the polling CPU thread: the actor has not heard of it.
    private async Task<(Akka.TestKit.TestProbe Probe, Kthread Thread, KthreadContext Context)> HeldBackSleeperAsync(bool uninterruptible = false)
    {
        var probe = CreateTestProbe();
        var started = new TaskCompletionSource<KthreadContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            started.TrySetResult(current);
            var round = 0;
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    await current.ParkMeAsync();
                    continue;
                }

                probe.Ref.Tell(++round, Akka.Actor.ActorRefs.NoSender);
                current.PrepareToSleep(uninterruptible ? TaskState.Uninterruptible : TaskState.Interruptible);
                await current.ScheduleAsync();
                current.SetRunning();
            }

            return 7;
        }, null, "held-back");
        await probe.ExpectMsgAsync(1);
        var context = await started.Task;
        await AwaitAssertAsync(() => Assert.True(context.HasHeldBackSleep, "the thread's sleep is not held back"));
        return (probe, thread, context);
    }

    [Fact]
    public async Task A_WakeUp_through_the_actor_ends_a_sleep_its_actor_has_not_heard_of_and_replies_true()
    {
        var (probe, thread, _) = await HeldBackSleeperAsync();

        // Within the poll ps still shows R, as the README says.
        Assert.Equal('R', await PsStatAsync(thread));
        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync(2);

        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task A_stop_ends_a_sleep_its_actor_has_not_heard_of()
    {
        var (_, thread, _) = await HeldBackSleeperAsync();

        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task A_park_ends_a_sleep_its_actor_has_not_heard_of_and_the_thread_parks()
    {
        var (probe, thread, _) = await HeldBackSleeperAsync();

        Assert.Equal(0, await thread.ParkAsync());
        Assert.Equal('P', await PsStatAsync(thread));

        await thread.UnparkAsync();
        await probe.ExpectMsgAsync(2);
        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task A_park_leaves_an_uninterruptible_sleep_held_back_and_a_WakeUp_then_lets_the_thread_park()
    {
        var (_, thread, context) = await HeldBackSleeperAsync(uninterruptible: true);

        var park = thread.ParkAsync();
        // Asked after the park, so answered after the actor handled it: the D sleep is still held back.
        await thread.InfoAsync();
        Assert.True(context.HasHeldBackSleep, "a park request ended a D sleep");
        Assert.False(park.IsCompleted);

        Assert.True(await thread.WakeUpAsync());
        Assert.Equal(0, await park);
        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task A_WakeUp_between_PrepareToSleep_and_ScheduleAsync_makes_that_sleep_return_at_once()
    {
        var probe = CreateTestProbe();
        var prepared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var go = new ManualResetEventSlim();
        var thread = await Kthreads.RunAsync(async current =>
        {
            current.PrepareToSleep();
            prepared.SetResult();
            // Holds the CPU between the two, as kernel code may: the wake-up comes meanwhile.
            go.Wait();
            await current.ScheduleAsync();
            current.SetRunning();
            probe.Ref.Tell("ran", Akka.Actor.ActorRefs.NoSender);
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return 7;
        }, null, "woken-on-the-way");
        await prepared.Task;

        // Replied once the actor took the prepared state: the thread's note is not out yet.
        Assert.True(await thread.WakeUpAsync());
        go.Set();

        // Held back, its note would wait out the 60 s poll before the actor saw the sleep and ended it.
        await probe.ExpectMsgAsync("ran");
        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task A_timed_sleep_times_out_at_its_timeout_though_the_poll_would_hold_its_note_back_for_a_minute()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Ref.Tell(await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(100)), Akka.Actor.ActorRefs.NoSender);
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return 7;
        }, null, "timed");

        // Nothing wakes it: only its timeout ends the sleep, and the CPU thread's spin ends there to let its actor know.
        await probe.ExpectMsgAsync(false);
        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task A_polling_cpu_thread_exits_when_the_system_terminates_without_waiting_out_its_poll()
    {
        var (_, _, context) = await HeldBackSleeperAsync();
        var cpuThread = Kthreads.Cpus.Queue(0).OsThread;
        Assert.NotNull(cpuThread);

        await Sys.Terminate();

        await AwaitAssertAsync(() => Assert.True(cpuThread.HasExited, "cpu/0 still polls after the system terminated"), TimeSpan.FromSeconds(10));
    }
}
