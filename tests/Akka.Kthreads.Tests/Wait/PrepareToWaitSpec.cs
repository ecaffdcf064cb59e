using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>prepare_to_wait() ... schedule() ... finish_wait(): the open-coded wait on a wait queue, without a lost wake-up.</summary>
public sealed class PrepareToWaitSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task A_WakeUp_on_the_queue_between_PrepareToWait_and_ScheduleAsync_makes_it_return_at_once()
    {
        var wq = new WaitQueue();
        var fnProbe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            current.PrepareToWait(wq);
            fnProbe.Tell("prepared");
            await gate.Task; // still running, not yet in schedule(): the wake-up lands in between
            await current.ScheduleAsync();
            current.FinishWait(wq);
            fnProbe.Tell(("returned", wq.Count));
            return 0;
        }, null, "prepared");

        await fnProbe.ExpectMsgAsync("prepared");
        Assert.Equal(1, wq.Count);
        Assert.Equal(1, wq.WakeUp());
        Assert.Equal(0, wq.Count);
        gate.SetResult();
        await fnProbe.ExpectMsgAsync(("returned", 0));
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Preparing_again_while_queued_does_not_queue_twice_and_FinishWait_takes_the_entry_off()
    {
        var wq = new WaitQueue();
        var other = new WaitQueue();
        var fnProbe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(current =>
        {
            current.PrepareToWait(wq);
            current.PrepareToWait(wq);
            current.PrepareToWaitExclusive(other);
            current.PrepareToWaitExclusive(other);
            fnProbe.Tell(("prepared twice", wq.Count, other.Count));
            current.FinishWait(wq);
            current.FinishWait(other);
            current.FinishWait(other); // a second finish, or one never prepared, does nothing
            fnProbe.Tell(("finished", wq.Count, other.Count));
            return Task.FromResult(0);
        }, null, "twice");

        await fnProbe.ExpectMsgAsync(("prepared twice", 1, 1));
        await fnProbe.ExpectMsgAsync(("finished", 0, 0));
        Assert.Equal(0, wq.WakeUp());
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task FinishWait_after_a_wake_up_took_the_entry_off_is_fine_and_the_next_prepare_queues_again()
    {
        var wq = new WaitQueue();
        var fnProbe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            for (var sleep = 0; sleep < 2; sleep++)
            {
                current.PrepareToWait(wq);
                fnProbe.Tell(("queued", wq.Count));
                await current.ScheduleAsync();
                current.FinishWait(wq);
                fnProbe.Tell(("woken", wq.Count));
            }

            return 0;
        }, null, "again");

        for (var sleep = 0; sleep < 2; sleep++)
        {
            await fnProbe.ExpectMsgAsync(("queued", 1));
            await AwaitStateAsync(thread, KthreadState.Sleeping);
            Assert.Equal(1, wq.WakeUp());
            await fnProbe.ExpectMsgAsync(("woken", 0));
        }

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task WakeUp_wakes_every_plain_waiter_and_one_exclusive_waiter_at_the_tail()
    {
        var wq = new WaitQueue();
        var probe = CreateTestProbe();
        var threads = new List<Kthread>();
        foreach (var (name, exclusive) in new[] { ("excl0", true), ("plain", false), ("excl1", true) })
        {
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                if (exclusive)
                {
                    current.PrepareToWaitExclusive(wq);
                }
                else
                {
                    current.PrepareToWait(wq);
                }

                await current.ScheduleAsync();
                current.FinishWait(wq);
                probe.Tell(name);
                return 0;
            }, null, name));
            await AwaitAssertAsync(() => Assert.Equal(threads.Count, wq.Count));
        }

        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Sleeping);
        }

        // The plain waiter stands at the head; of the exclusive ones at the tail, the first queued is woken.
        Assert.Equal(2, wq.WakeUp());
        var woken = new[] { await probe.ExpectMsgAsync<string>(), await probe.ExpectMsgAsync<string>() };
        Assert.Equal(new[] { "excl0", "plain" }, woken.Order());
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, wq.Count);

        Assert.Equal(1, wq.WakeUpAll());
        await probe.ExpectMsgAsync("excl1");
        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Zombie);
            Assert.Equal(0, await thread.StopAsync());
        }
    }

    [Fact]
    public async Task PrepareToWait_and_FinishWait_refuse_a_null_queue()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(current =>
        {
            probe.Tell(Thrown(() => current.PrepareToWait(null!)));
            probe.Tell(Thrown(() => current.PrepareToWaitExclusive(null!)));
            probe.Tell(Thrown(() => current.FinishWait(null!)));
            return Task.FromResult(0);
        }, null, "nullq");

        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<ArgumentNullException>(await probe.ExpectMsgAsync<Exception>());
        }

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());

        static Exception Thrown(Action act) => Record.Exception(act) ?? new InvalidOperationException("no exception");
    }

    [Fact]
    public async Task No_round_of_a_waker_racing_an_open_coded_wait_is_left_asleep_over_10000_rounds()
    {
        // The kernel idiom against a waker that sets the flag and then wakes the queue: a wake-up
        // landing between the check and schedule() must make schedule() return, or the round hangs.
        const int rounds = 10_000;
        var wq = new WaitQueue();
        var flag = 0;
        var acks = new SemaphoreSlim(0);
        var thread = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                current.PrepareToWait(wq);
                if (Volatile.Read(ref flag) == 0 && !current.ShouldStop)
                {
                    await current.ScheduleAsync();
                }

                current.FinishWait(wq);
                if (Interlocked.Exchange(ref flag, 0) == 1)
                {
                    acks.Release();
                }
            }

            return 0;
        }, null, "openwait");

        for (var round = 0; round < rounds; round++)
        {
            Volatile.Write(ref flag, 1);
            wq.WakeUp();
            Assert.True(await acks.WaitAsync(TimeSpan.FromSeconds(10)), $"round {round} was left asleep");
        }

        Assert.Equal(0, await thread.StopAsync());
        Assert.Equal(0, wq.Count);
    }
}
