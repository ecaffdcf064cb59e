using Akka.Actor;
using Akka.Actor.Dsl;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>wait_event() and wait_event_timeout() from code that is not a kthread, woken by the same WakeUp as kthreads.</summary>
public sealed class PlainWaitEventSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_plain_waiter_is_queued_until_the_condition_holds_and_WakeUp_counts_it()
    {
        var wq = new WaitQueue();
        var flag = false;
        var wait = wq.WaitEventAsync(() => Volatile.Read(ref flag));
        Assert.False(wait.IsCompleted);
        Assert.Equal(1, wq.Count);

        Assert.Equal(1, wq.WakeUp()); // condition still false: woken, checks, queues again
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        Assert.False(wait.IsCompleted);

        Volatile.Write(ref flag, true);
        Assert.Equal(1, wq.WakeUp());
        await wait.WaitAsync(Long);
        Assert.Equal(0, wq.Count);
    }

    [Fact]
    public async Task A_condition_that_already_holds_returns_without_queueing()
    {
        var wq = new WaitQueue();
        Assert.True(wq.WaitEventAsync(() => true).IsCompletedSuccessfully);
        var left = wq.WaitEventTimeoutAsync(() => true, TimeSpan.FromSeconds(5));
        Assert.True(left.IsCompletedSuccessfully);
        Assert.Equal(TimeSpan.FromSeconds(5), await left);
        Assert.Equal(TimeSpan.FromTicks(1), await wq.WaitEventTimeoutAsync(() => true, TimeSpan.Zero));
        Assert.Equal(0, wq.Count);
    }

    [Fact]
    public async Task WaitEventTimeout_gives_zero_when_the_time_runs_out_and_leaves_the_queue()
    {
        var wq = new WaitQueue();
        Assert.Equal(TimeSpan.Zero, await wq.WaitEventTimeoutAsync(() => false, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(TimeSpan.Zero, await wq.WaitEventTimeoutAsync(() => false, TimeSpan.Zero));
        Assert.Equal(0, wq.Count);
    }

    [Fact]
    public async Task WaitEventTimeout_gives_the_time_left_when_woken_with_the_condition_true()
    {
        var wq = new WaitQueue();
        var flag = false;
        var wait = wq.WaitEventTimeoutAsync(() => Volatile.Read(ref flag), Long);
        Assert.Equal(1, wq.Count);
        Volatile.Write(ref flag, true);
        Assert.Equal(1, wq.WakeUp());
        var left = await wait.WaitAsync(Long);
        Assert.InRange(left, TimeSpan.FromTicks(1), Long);
        Assert.Equal(0, wq.Count);

        // No limit: the time left is MAX_SCHEDULE_TIMEOUT, more than zero, at once and after a sleep.
        Assert.Equal(TimeSpan.MaxValue, await wq.WaitEventTimeoutAsync(() => true, Timeout.InfiniteTimeSpan));
        Volatile.Write(ref flag, false);
        var forever = wq.WaitEventTimeoutAsync(() => Volatile.Read(ref flag), Timeout.InfiniteTimeSpan);
        Volatile.Write(ref flag, true);
        wq.WakeUp();
        Assert.Equal(TimeSpan.MaxValue, await forever.WaitAsync(Long));

        var infinite = wq.WaitEventTimeoutAsync(() => Volatile.Read(ref flag) && false, Timeout.InfiniteTimeSpan);
        Assert.Equal(1, wq.Count);
        Assert.Equal(1, wq.WakeUpAll());
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        Assert.False(infinite.IsCompleted);
        using var cts = new CancellationTokenSource();
        var cancelled = wq.WaitEventTimeoutAsync(() => false, Timeout.InfiniteTimeSpan, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
    }

    [Fact]
    public async Task Cancelling_a_wait_takes_the_waiter_off_the_queue_and_throws_OperationCanceledException()
    {
        var wq = new WaitQueue();
        using var cts = new CancellationTokenSource();
        var wait = wq.WaitEventAsync(() => false, cts.Token);
        var timed = wq.WaitEventTimeoutAsync(() => false, Long, cts.Token);
        Assert.Equal(2, wq.Count);

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => timed);
        Assert.Equal(0, wq.Count);
        Assert.Equal(0, wq.WakeUp());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wq.WaitEventAsync(() => false, cts.Token));
        Assert.Equal(0, wq.Count);
    }

    [Fact]
    public void Bad_arguments_throw_at_the_door_before_queueing()
    {
        var wq = new WaitQueue();
        Assert.Throws<ArgumentNullException>(() => { _ = wq.WaitEventAsync(null!); });
        Assert.Throws<ArgumentNullException>(() => { _ = wq.WaitEventTimeoutAsync(null!, Long); });
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = wq.WaitEventTimeoutAsync(() => false, TimeSpan.FromMilliseconds(-2)); });
        Assert.Equal("timeout", negative.ParamName);
        Assert.Equal(0, wq.Count);
    }

    [Fact]
    public async Task A_plain_waiter_is_non_exclusive_so_WakeUp_wakes_it_beside_one_exclusive_kthread()
    {
        var wq = new WaitQueue();
        var open = false;
        var probe = CreateTestProbe();
        var threads = new List<Kthread>();
        for (var i = 0; i < 2; i++)
        {
            var name = $"excl{i}";
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                probe.Ref.Tell(name, ActorRefs.NoSender);
                return await current.WaitEventExclusiveAsync(wq, () => Volatile.Read(ref open));
            }, null, name));
        }

        await AwaitAssertAsync(() => Assert.Equal(2, wq.Count));
        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Sleeping);
        }

        var plain = wq.WaitEventAsync(() => Volatile.Read(ref open));
        Assert.Equal(3, wq.Count);
        Volatile.Write(ref open, true);
        Assert.Equal(2, wq.WakeUp()); // the plain waiter and one exclusive kthread
        await plain.WaitAsync(Long);
        Assert.Equal(1, wq.Count);
        Assert.Equal(1, wq.WakeUp());
        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Zombie);
            Assert.Equal(0, await thread.StopAsync());
        }
    }

    // True only on a thread while it is inside a waker's WakeUp call: a continuation run inline there sees it.
    [ThreadStatic]
    private static bool t_insideWakeUp;

    [Fact]
    public async Task A_waker_in_an_actor_or_a_kthread_never_runs_the_plain_waiters_code_inside_its_WakeUp()
    {
        var wq = new WaitQueue();
        var open = false;
        var actor = Sys.ActorOf(dsl => dsl.Receive<string>((_, context) =>
        {
            Volatile.Write(ref open, true);
            t_insideWakeUp = true;
            context.Sender.Tell(wq.WakeUp()); // kernel: wake_up() from an actor
            t_insideWakeUp = false;
        }), "waker-actor");
        var fromActor = WaitAndSeeWhereItContinuesAsync(wq, () => Volatile.Read(ref open));
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        actor.Tell("wake", TestActor);
        await ExpectMsgAsync(1);
        Assert.False(await fromActor.WaitAsync(Long), "the plain waiter ran inside the actor's WakeUp");

        Volatile.Write(ref open, false);
        var fromKthread = WaitAndSeeWhereItContinuesAsync(wq, () => Volatile.Read(ref open));
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        var thread = await Kthreads.RunAsync(current =>
        {
            Volatile.Write(ref open, true);
            t_insideWakeUp = true;
            wq.WakeUp(); // kernel: wake_up() from a kthread, on its CPU thread
            t_insideWakeUp = false;
            return Task.FromResult(0);
        }, null, "waker");
        Assert.False(await fromKthread.WaitAsync(Long), "the plain waiter ran inside the kthread's WakeUp");
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());

        static async Task<bool> WaitAndSeeWhereItContinuesAsync(WaitQueue wq, Func<bool> condition)
        {
            await wq.WaitEventAsync(condition).ConfigureAwait(false); // no context to hop to: only the library keeps it off the waker
            return t_insideWakeUp;
        }
    }

    [Fact]
    public async Task No_round_of_a_waker_racing_a_plain_waiter_is_lost_over_10000_rounds()
    {
        // Two waiters on their own flows, each with its own flag, against one waker: every WakeUp wakes
        // both (non-exclusive); a wake-up between a waiter's check and its sleep must not be lost.
        const int rounds = 10_000;
        const int waiters = 2;
        var wq = new WaitQueue();
        var flags = new int[waiters];
        var acks = new SemaphoreSlim(0);
        var loops = Enumerable.Range(0, waiters).Select(w => Task.Run(async () =>
        {
            for (var round = 0; round < rounds / waiters; round++)
            {
                await wq.WaitEventAsync(() =>
                {
                    // Read, then take a moment before answering: it widens the window between a
                    // check and the sleep that a waker must not fall into.
                    var set = Volatile.Read(ref flags[w]) == 1;
                    Thread.SpinWait(100);
                    return set;
                });
                Volatile.Write(ref flags[w], 0);
                acks.Release();
            }
        })).ToArray();

        for (var round = 0; round < rounds / waiters; round++)
        {
            for (var w = 0; w < waiters; w++)
            {
                Volatile.Write(ref flags[w], 1);
            }

            wq.WakeUp();
            for (var w = 0; w < waiters; w++)
            {
                Assert.True(await acks.WaitAsync(Long), $"round {round} was lost");
            }
        }

        await Task.WhenAll(loops).WaitAsync(Long);
        Assert.Equal(0, wq.Count);
    }
    [Fact]
    public async Task Called_from_a_kthread_the_plain_wait_sleeps_off_its_cpu_so_a_waker_bound_to_that_cpu_runs()
    {
        var wq = new WaitQueue();
        var done = 0;
        var waiter = await Kthreads.CreateAsync(async _ =>
        {
            await wq.WaitEventAsync(() => Volatile.Read(ref done) == 1);
            return 7;
        }, null, "plainwait");
        Assert.Equal(0, await waiter.BindAsync(1));
        await waiter.WakeUpAsync();
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        await AwaitStateAsync(waiter, KthreadState.Sleeping); // off its CPU meanwhile, as ps shows

        // The waker needs cpu 1 itself: it runs only because the waiter gave that CPU up.
        var waker = await Kthreads.CreateAsync(_ =>
        {
            Volatile.Write(ref done, 1);
            wq.WakeUp();
            return Task.FromResult(0);
        }, null, "waker");
        Assert.Equal(0, await waker.BindAsync(1));
        await waker.WakeUpAsync();

        await AwaitStateAsync(waiter, KthreadState.Zombie);
        Assert.Equal(7, await waiter.StopAsync());
        Assert.Equal(0, await waker.StopAsync());
    }
}
