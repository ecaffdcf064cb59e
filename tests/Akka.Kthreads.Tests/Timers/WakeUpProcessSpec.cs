using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Timers;

/// <summary>wake_up_process() without a reply (Kthread.WakeUpProcess), as a timer callback calls it.</summary>
public sealed class WakeUpProcessSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task WakeUpProcess_wakes_a_sleeping_thread_and_starts_a_new_one()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(async current =>
        {
            for (var round = 0; !current.ShouldStop; round++)
            {
                probe.Tell(round);
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "sleeper");

        thread.WakeUpProcess(); // New: wake_up_process starts it, as WakeUpAsync does
        await probe.ExpectMsgAsync(0);
        for (var round = 1; round <= 3; round++)
        {
            await AwaitStateAsync(thread, KthreadState.Sleeping);
            thread.WakeUpProcess();
            await probe.ExpectMsgAsync(round);
        }

        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_WakeUpProcess_between_PrepareToSleep_and_ScheduleAsync_is_not_lost()
    {
        var fnProbe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            current.PrepareToSleep();
            fnProbe.Tell("prepared");
            await gate.Task; // still running: the wake-up lands before the sleep
            await current.ScheduleAsync();
            current.SetRunning();
            fnProbe.Tell("returned");
            return 0;
        }, null, "prepared");

        await fnProbe.ExpectMsgAsync("prepared");
        thread.WakeUpProcess();
        // The thread's mailbox is FIFO: once this reply comes, the wake-up was handled, and the thread had not slept.
        Assert.Equal(KthreadState.Running, (await thread.InfoAsync()).State);
        gate.SetResult();
        await fnProbe.ExpectMsgAsync("returned");
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_timer_callback_that_calls_WakeUpProcess_wakes_a_thread_asleep_until_its_condition()
    {
        var probe = CreateTestProbe();
        var expired = 0;
        var thread = await Kthreads.CreateAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                current.PrepareToSleep();
                if (Volatile.Read(ref expired) == 0 && !current.ShouldStop)
                {
                    await current.ScheduleAsync();
                }

                current.SetRunning();
                if (Interlocked.Exchange(ref expired, 0) == 1)
                {
                    probe.Tell("timer woke me");
                }
            }

            return 0;
        }, null, "timed");
        using var timer = Kthreads.TimerSetup(_ =>
        {
            Volatile.Write(ref expired, 1);
            thread.WakeUpProcess();
        });
        Assert.True(await thread.WakeUpAsync());
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(0, timer.ModTimer(TimeSpan.FromMilliseconds(50)));
        await probe.ExpectMsgAsync("timer woke me");
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(0, timer.ModTimer(TimeSpan.Zero));
        await probe.ExpectMsgAsync("timer woke me");
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task No_round_of_a_timer_callback_waking_a_checker_is_left_asleep_over_10000_rounds()
    {
        // Each round: a timer fires at once and its callback sets the flag and calls WakeUpProcess, racing a
        // thread that prepares, checks the flag and sleeps. A wake-up lost between the check and the sleep
        // leaves that round asleep. Threads run their rounds in parallel, one timer each.
        const int threads = 8;
        const int rounds = 10_000 / threads;
        var checkers = await Task.WhenAll(Enumerable.Range(0, threads).Select(i => StartCheckerAsync($"checker/{i}")));
        try
        {
            await Task.WhenAll(checkers.Select(async checker =>
            {
                for (var round = 0; round < rounds; round++)
                {
                    Assert.Equal(0, checker.Timer.ModTimer(TimeSpan.Zero));
                    Assert.True(await checker.Acks.WaitAsync(TimeSpan.FromSeconds(10)), $"{checker.Thread}: round {round} was left asleep");
                }
            }));
        }
        finally
        {
            foreach (var checker in checkers)
            {
                Assert.Equal(0, await checker.Thread.StopAsync());
                checker.Timer.Dispose();
            }
        }

        Assert.All(checkers, c => Assert.Equal(rounds, c.Woken));
    }

    private async Task<Checker> StartCheckerAsync(string name)
    {
        var checker = new Checker();
        checker.Thread = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                current.PrepareToSleep();
                if (Volatile.Read(ref checker.Flag) == 0 && !current.ShouldStop)
                {
                    await current.ScheduleAsync();
                }

                current.SetRunning();
                if (Interlocked.Exchange(ref checker.Flag, 0) == 1)
                {
                    checker.Woken++;
                    checker.Acks.Release();
                }
            }

            return 0;
        }, null, name);
        checker.Timer = Kthreads.TimerSetup(_ =>
        {
            Volatile.Write(ref checker.Flag, 1);
            checker.Thread.WakeUpProcess();
        });
        return checker;
    }

    private sealed class Checker
    {
        public int Flag;
        public int Woken;

        public SemaphoreSlim Acks { get; } = new(0);

        public Kthread Thread { get; set; } = null!;

        public KernelTimer Timer { get; set; } = null!;
    }
}
