using System.Diagnostics;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>wait_queue_head_t and wait_event*(): sleeping on a condition, woken from any code.</summary>
public sealed class WaitQueueSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task WaitEvent_returns_0_once_the_condition_holds_and_the_waker_calls_WakeUp()
    {
        var wq = new WaitQueue();
        var flag = false;
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(await current.WaitEventAsync(wq, () => Volatile.Read(ref flag)));
            return 0;
        }, null, "waiter");

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(1, wq.Count);
        Volatile.Write(ref flag, true);
        Assert.Equal(1, wq.WakeUp());
        await probe.ExpectMsgAsync(0);
        Assert.Equal(0, wq.Count);
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task No_round_is_lost_against_a_waiter_on_a_wait_queue_over_10000_rounds()
    {
        const int rounds = 10_000;
        var wq = new WaitQueue();
        var flag = 0;
        var acks = new SemaphoreSlim(0);
        var thread = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                if (await current.WaitEventAsync(wq, () => Volatile.Read(ref flag) == 1) == 0)
                {
                    Volatile.Write(ref flag, 0);
                    acks.Release();
                }
            }

            return 0;
        }, null, "md_thread");

        for (var round = 0; round < rounds; round++)
        {
            Volatile.Write(ref flag, 1); // md_wakeup_thread(): set_bit(), then wake_up()
            wq.WakeUp();
            Assert.True(await acks.WaitAsync(TimeSpan.FromSeconds(10)), $"round {round} was left asleep");
        }

        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_woken_waiter_whose_condition_is_false_goes_back_to_sleep()
    {
        var wq = new WaitQueue();
        var flag = false;
        var checks = 0;
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(await current.WaitEventAsync(wq, () =>
            {
                Interlocked.Increment(ref checks);
                return Volatile.Read(ref flag);
            }));
            return 0;
        }, null, "spurious");
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        var before = Volatile.Read(ref checks);

        Assert.Equal(1, wq.WakeUp()); // condition still false
        await AwaitAssertAsync(() => Assert.True(Volatile.Read(ref checks) > before));
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        Volatile.Write(ref flag, true);
        wq.WakeUp();
        await probe.ExpectMsgAsync(0);
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task WakeUp_wakes_every_plain_waiter_but_only_one_exclusive_waiter()
    {
        var wq = new WaitQueue();
        var tokens = 0;
        var probe = CreateTestProbe();
        bool Take()
        {
            // Retry a lost race: two woken waiters on two CPUs may both see the count at once.
            while (true)
            {
                var seen = Volatile.Read(ref tokens);
                if (seen <= 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref tokens, seen - 1, seen) == seen)
                {
                    return true;
                }
            }
        }

        var threads = new List<Kthread>();
        for (var i = 0; i < 3; i++)
        {
            var name = $"excl{i}";
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                probe.Tell((name, await current.WaitEventExclusiveAsync(wq, Take)));
                return 0;
            }, null, name));
        }

        await AwaitAssertAsync(() => Assert.Equal(3, wq.Count));
        Interlocked.Increment(ref tokens);
        Assert.Equal(1, wq.WakeUp());
        var first = await probe.ExpectMsgAsync<(string, int)>();
        Assert.Equal(0, first.Item2);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(2, wq.Count);

        Interlocked.Add(ref tokens, 2);
        Assert.Equal(2, wq.WakeUpAll());
        await probe.ExpectMsgAsync<(string, int)>();
        await probe.ExpectMsgAsync<(string, int)>();
        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Zombie);
            Assert.Equal(0, await thread.StopAsync());
        }
    }

    [Fact]
    public async Task WakeUp_wakes_all_plain_waiters()
    {
        var wq = new WaitQueue();
        var open = false;
        var probe = CreateTestProbe();
        for (var i = 0; i < 3; i++)
        {
            await Kthreads.RunAsync(async current =>
            {
                probe.Tell(await current.WaitEventAsync(wq, () => Volatile.Read(ref open)));
                return 0;
            }, null, $"plain{i}");
        }

        await AwaitAssertAsync(() => Assert.Equal(3, wq.Count));
        Volatile.Write(ref open, true);
        Assert.Equal(3, wq.WakeUp());
        await probe.ExpectMsgAsync(0);
        await probe.ExpectMsgAsync(0);
        await probe.ExpectMsgAsync(0);
    }

    [Fact]
    public async Task Stop_of_a_thread_inside_WaitEvent_ends_the_wait_with_EINTR_and_the_kernel_loop_returns()
    {
        var wq = new WaitQueue();
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                probe.Tell(await current.WaitEventAsync(wq, () => false));
            }

            return 8;
        }, null, "stopme");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(8, await thread.StopAsync());
        await probe.ExpectMsgAsync(-Errno.EINTR);
        Assert.Equal(0, wq.Count);
    }

    [Fact]
    public async Task Park_of_a_thread_inside_WaitEvent_ends_the_wait_with_EINTR_so_the_loop_can_park()
    {
        var wq = new WaitQueue();
        var flag = false;
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    await current.ParkMeAsync();
                    continue;
                }

                probe.Tell(await current.WaitEventAsync(wq, () => Volatile.Read(ref flag)));
            }

            return 0;
        }, null, "parkme");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(0, await thread.ParkAsync());
        await probe.ExpectMsgAsync(-Errno.EINTR);
        await thread.UnparkAsync();
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Volatile.Write(ref flag, true);
        wq.WakeUp();
        await probe.ExpectMsgAsync(0);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task WaitEventTimeout_gives_the_time_left_or_zero_on_timeout()
    {
        var wq = new WaitQueue();
        var flag = false;
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(("short", await current.WaitEventTimeoutAsync(wq, () => false, TimeSpan.FromMilliseconds(50))));
            probe.Tell(("true at once, no time given", await current.WaitEventTimeoutAsync(wq, () => true, TimeSpan.Zero) > TimeSpan.Zero));
            probe.Tell(("long", await current.WaitEventTimeoutAsync(wq, () => Volatile.Read(ref flag), TimeSpan.FromMinutes(5))));
            return 0;
        }, null, "timeout");

        Assert.Equal(("short", TimeSpan.Zero), await probe.ExpectMsgAsync<(string, TimeSpan)>());
        Assert.Equal(("true at once, no time given", true), await probe.ExpectMsgAsync<(string, bool)>());
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        Volatile.Write(ref flag, true);
        wq.WakeUp();
        var (label, left) = await probe.ExpectMsgAsync<(string, TimeSpan)>();
        Assert.Equal("long", label);
        Assert.InRange(left, TimeSpan.FromTicks(1), TimeSpan.FromMinutes(5));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task WaitEventTimeout_with_an_infinite_timeout_waits_without_one_and_another_negative_is_refused()
    {
        var wq = new WaitQueue();
        var flag = false;
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            var refused = await Record.ExceptionAsync(() => current.WaitEventTimeoutAsync(wq, () => true, TimeSpan.FromMilliseconds(-2)));
            probe.Tell(refused?.GetType().Name ?? "accepted");
            probe.Tell(await current.WaitEventTimeoutAsync(wq, () => Volatile.Read(ref flag), Timeout.InfiniteTimeSpan));
            return 0;
        }, null, "forever");

        await probe.ExpectMsgAsync(nameof(ArgumentOutOfRangeException));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(1, wq.Count);
        Volatile.Write(ref flag, true);
        wq.WakeUp();
        await probe.ExpectMsgAsync(TimeSpan.MaxValue); // MAX_SCHEDULE_TIMEOUT: more than zero, so not read as a timeout
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_waiter_holds_no_cpu_so_another_kthread_bound_there_runs()
    {
        var wq = new WaitQueue();
        var flag = false;
        var probe = CreateTestProbe();
        var waiter = await Kthreads.CreateAsync(async current =>
        {
            probe.Tell(("waited", await current.WaitEventAsync(wq, () => Volatile.Read(ref flag))));
            return 0;
        }, null, "waiter");
        var other = await Kthreads.CreateAsync(_ =>
        {
            probe.Tell("other ran");
            return Task.FromResult(0);
        }, null, "other");
        await waiter.BindAsync(3);
        await other.BindAsync(3);

        await waiter.WakeUpAsync();
        await AwaitAssertAsync(() => Assert.Equal(1, wq.Count));
        await other.WakeUpAsync();
        await probe.ExpectMsgAsync("other ran"); // CPU 3 is free while the waiter sleeps

        Volatile.Write(ref flag, true);
        wq.WakeUp();
        await probe.ExpectMsgAsync(("waited", 0));
        await AwaitStateAsync(waiter, KthreadState.Zombie);
        Assert.Equal(0, await waiter.StopAsync());
        Assert.Equal(0, await other.StopAsync());
    }

    [Fact]
    public async Task Sleeping_waiters_hold_no_os_thread()
    {
        var wq = new WaitQueue();
        var open = false;
        var osThreadsBefore = Process.GetCurrentProcess().Threads.Count;
        var threads = new List<Kthread>();
        for (var i = 0; i < 500; i++)
        {
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                await current.WaitEventAsync(wq, () => Volatile.Read(ref open));
                return 0;
            }, null, $"w{i}"));
        }

        await AwaitAssertAsync(() => Assert.Equal(500, wq.Count), TimeSpan.FromSeconds(10));
        // 500 sleepers: one OS thread each would show here; the pool may grow a little, no more.
        Assert.InRange(Process.GetCurrentProcess().Threads.Count, 1, osThreadsBefore + 50);

        Volatile.Write(ref open, true);
        Assert.Equal(500, wq.WakeUp());
        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Zombie);
            Assert.Equal(0, await thread.StopAsync());
        }
    }
}
