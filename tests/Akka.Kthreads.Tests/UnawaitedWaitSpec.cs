using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>
/// A library wait that sleeps off the CPU (a WaitQueue wait, a hotplug call, SaveStateAsync) called from a kthread
/// and not awaited at once: fired and forgotten, or two of them under Task.WhenAll. The kthread goes on, its CPU
/// stays usable by the others, and it exits. Every thread below is bound to cpu 1.
/// </summary>
public sealed class UnawaitedWaitSpec(ITestOutputHelper output) : SpecBase(output)
{
    private const int Cpu = 1;

    [Fact]
    public async Task A_wait_fired_and_forgotten_leaves_the_kthread_running_and_its_cpu_free_once_it_ends()
    {
        var wq = new WaitQueue();
        var ready = false;
        var probe = CreateTestProbe();
        var thread = await RunBoundAsync(async current =>
        {
            _ = wq.WaitEventAsync(() => Volatile.Read(ref ready));
            for (var i = 0; i < 3; i++)
            {
                await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(20));
                probe.Tell(i);
            }

            // The forgotten wait ends while the thread sleeps here; its end must not take the CPU for nobody.
            await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(300));
            for (var i = 3; i < 6; i++)
            {
                await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(20));
                probe.Tell(i);
            }

            return 5;
        }, "forgetter", Cpu);

        foreach (var i in Enumerable.Range(0, 3))
        {
            await probe.ExpectMsgAsync(i);
        }

        Volatile.Write(ref ready, true);
        wq.WakeUpAll();
        foreach (var i in Enumerable.Range(3, 3))
        {
            await probe.ExpectMsgAsync(i);
        }

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(5, await thread.StopAsync());
        await ExpectCpuRunsAnotherAsync();
    }

    [Fact]
    public async Task Two_waits_under_WhenAll_resume_the_kthread_once_both_ended_and_leave_its_cpu_free()
    {
        var first = new WaitQueue();
        var second = new WaitQueue();
        var (a, b) = (false, false);
        var thread = await RunBoundAsync(async current =>
        {
            await Task.WhenAll(first.WaitEventAsync(() => Volatile.Read(ref a)), second.WaitEventAsync(() => Volatile.Read(ref b)));
            await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(10));
            return 3;
        }, "both", Cpu);

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Volatile.Write(ref b, true);
        second.WakeUpAll();
        Volatile.Write(ref a, true);
        first.WakeUpAll();

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(3, await thread.StopAsync());
        await ExpectCpuRunsAnotherAsync();
    }

    [Fact]
    public async Task A_wake_up_sent_after_prepare_to_sleep_while_a_forgotten_wait_is_off_still_ends_that_sleep()
    {
        var never = new WaitQueue();
        Kthread? self = null;
        var thread = await RunBoundAsync(async current =>
        {
            // Task.Yield lets the forgotten wait go off the CPU first (ps: S) while this flow goes on.
            _ = never.WaitEventAsync(() => false);
            await Task.Yield();

            // The kernel's pattern: set the state, then a wake-up (here its own), then schedule(), which returns at once.
            current.PrepareToSleep();
            self!.WakeUpProcess();
            await current.ScheduleAsync();
            return 4;
        }, "self-waker", Cpu, start: false);
        self = thread;
        Assert.True(await thread.WakeUpAsync());

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(4, await thread.StopAsync());
    }

    [Fact]
    public async Task A_kthread_parks_while_a_forgotten_wait_is_off_and_runs_on_after_its_unpark()
    {
        var never = new WaitQueue();
        var probe = CreateTestProbe();
        var thread = await RunBoundAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    _ = never.WaitEventAsync(() => false);
                    await current.ParkMeAsync();
                    probe.Tell("unparked");
                }
                else
                {
                    await current.ScheduleAsync();
                }
            }

            return 6;
        }, "parker", Cpu);
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(0, await thread.ParkAsync());
        Assert.Equal(KthreadState.Parked, (await thread.InfoAsync()).State);
        await thread.UnparkAsync();
        await probe.ExpectMsgAsync("unparked");
        Assert.Equal(6, await thread.StopAsync());
    }

    [Fact]
    public async Task A_forgotten_wait_that_ends_while_the_kthread_sleeps_in_a_later_wait_leaves_the_cpu_to_its_waker()
    {
        var (first, second) = (new WaitQueue(), new WaitQueue());
        var (firstDone, secondDone) = (false, false);
        var thread = await RunBoundAsync(async current =>
        {
            _ = first.WaitEventAsync(() => Volatile.Read(ref firstDone));
            await Task.Yield();
            await second.WaitEventAsync(() => Volatile.Read(ref secondDone));
            return 8;
        }, "sleeper", Cpu);
        var waker = await RunBoundAsync(async current =>
        {
            await current.ScheduleAsync();
            Volatile.Write(ref secondDone, true);
            second.WakeUpAll();
            return 0;
        }, "waker", Cpu);
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await AwaitStateAsync(waker, KthreadState.Sleeping);

        // The forgotten wait ends first; the thread still sleeps in the second one, whose waker needs the CPU.
        Volatile.Write(ref firstDone, true);
        first.WakeUpAll();
        await AwaitAssertAsync(() => Assert.Equal(0, first.Count));
        Assert.True(await waker.WakeUpAsync());

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(8, await thread.StopAsync());
        Assert.Equal(0, await waker.StopAsync());
    }

    [Fact]
    public async Task A_forgotten_wait_whose_end_waits_for_the_cpu_yields_it_to_a_later_wait_the_kthread_awaits()
    {
        Kthread? holder = null;
        var thread = await RunBoundAsync(async current =>
        {
            // The holder takes the CPU as soon as the forgotten wait gives it up, and keeps it across a plain await.
            holder!.WakeUpProcess();
            _ = current.OffCpuAsync(_ => Task.Delay(10));
            await Task.Delay(50);
            return await current.OffCpuAsync(_ => Task.FromResult(7));
        }, "forgetter", Cpu, start: false);
        holder = await RunBoundAsync(async _ =>
        {
            await Task.Delay(300);
            return 0;
        }, "holder", Cpu, start: false);
        Assert.True(await thread.WakeUpAsync());

        await AwaitStateAsync(holder, KthreadState.Zombie);
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(7, await thread.StopAsync());
        Assert.Equal(0, await holder.StopAsync());
        await ExpectCpuRunsAnotherAsync();
    }

    [Fact]
    public async Task After_ConfigureAwait_false_a_kthread_that_went_on_still_stops_a_thread_of_its_cpu_while_a_forgotten_wait_ends()
    {
        var (first, second) = (new WaitQueue(), new WaitQueue());
        var (firstDone, secondDone) = (false, false);
        var probe = CreateTestProbe();

        // On its stop it needs the CPU once more, 200 ms on (uninterruptible, so the stop does not end that sleep).
        var target = await RunBoundAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            probe.Tell("stopping");
            current.PrepareToSleep(TaskState.Uninterruptible);
            await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(200));
            return 3;
        }, "target", Cpu);
        var thread = await RunBoundAsync(async current =>
        {
            _ = first.WaitEventAsync(() => Volatile.Read(ref firstDone));
            await second.WaitEventAsync(() => Volatile.Read(ref secondDone)).ConfigureAwait(false);
            return await target.StopAsync();
        }, "stopper", Cpu);
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Volatile.Write(ref secondDone, true);
        second.WakeUpAll();
        await probe.ExpectMsgAsync("stopping");

        // The forgotten wait ends while the stop is still waiting for the target, which needs the CPU.
        Volatile.Write(ref firstDone, true);
        first.WakeUpAll();

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(3, await thread.StopAsync());
        await ExpectCpuRunsAnotherAsync();
    }

    [Fact]
    public async Task A_wait_that_ends_on_a_cpu_a_yielding_loop_holds_still_completes_there()
    {
        var (a, b) = (new TaskCompletionSource<int>(), new TaskCompletionSource<int>());
        var done = false;
        var probe = CreateTestProbe();

        // Starts on cpu 1, may then run on 1 or 2: its waits give cpu 1 up, and the last to end may take cpu 2.
        var thread = await Kthreads.CreateAsync(async current =>
        {
            probe.Tell(current.Cpu);
            await current.ScheduleAsync();
            await Task.WhenAll(current.OffCpuAsync(_ => a.Task), current.OffCpuAsync(_ => b.Task));
            Volatile.Write(ref done, true);
            return 0;
        }, null, "waiter");
        Assert.Equal(0, await thread.SetCpusAllowedAsync([Cpu]));
        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync((int?)Cpu);
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(0, await thread.SetCpusAllowedAsync([Cpu, Cpu + 1]));
        Assert.True(await thread.WakeUpAsync());

        // Holds cpu 1 in a cond_resched loop (bounded, so a failure does not spin on).
        var spinner = await RunBoundAsync(async current =>
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!Volatile.Read(ref done) && DateTime.UtcNow < until)
            {
                await current.YieldAsync();
            }

            return Volatile.Read(ref done) ? 0 : -1;
        }, "spinner", Cpu);
        await AwaitStateAsync(spinner, KthreadState.Running);

        a.SetResult(1);
        b.SetResult(2);

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
        await AwaitStateAsync(spinner, KthreadState.Zombie);
        Assert.Equal(0, await spinner.StopAsync());
    }

    [Fact]
    public async Task A_wait_end_queued_behind_its_own_kthread_gives_way_once_that_kthread_is_granted_the_cpu()
    {
        // A holder, then the kthread's own entry, then its wait's end behind it. Granting the kthread sends the end back:
        // left queued, it would wait for the kthread.
        var (queue, holder, kthread) = await HeldRunQueueAsync();
        var flow = queue.AcquireAsync(kthread).AsTask();
        var waitEnd = queue.AcquireUnlessHeldByAsync(kthread).AsTask();

        queue.Release(holder);

        Assert.True(await flow.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(await waitEnd.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(queue.IsHeldBy(kthread));
        queue.Release(kthread);
    }

    [Fact]
    public async Task Of_two_wait_ends_of_one_kthread_queued_for_a_cpu_the_second_keeps_its_place_behind_the_first()
    {
        // An end granted the CPU may give it back (its group is stale); the end after it must then get it, not be sent away.
        var (queue, holder, kthread) = await HeldRunQueueAsync();
        var stale = queue.AcquireUnlessHeldByAsync(kthread).AsTask();
        var current = queue.AcquireUnlessHeldByAsync(kthread).AsTask();

        queue.Release(holder);
        Assert.True(await stale.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(current.IsCompleted);
        queue.Release(kthread);

        Assert.True(await current.WaitAsync(TimeSpan.FromSeconds(10)));
        queue.Release(kthread);
    }

    // cpu 3's run queue alone (nothing else of this spec runs there), held by a stand-in, and a stand-in kthread.
    private async Task<(Akka.Kthreads.Internal.RunQueue Queue, object Holder, object Kthread)> HeldRunQueueAsync()
    {
        var queue = Kthreads.Cpus.Queue(3);
        var holder = new object();
        Assert.True(await queue.AcquireAsync(holder));
        return (queue, holder, new object());
    }

    // Another kthread bound to the same CPU gets it and exits.
    private async Task ExpectCpuRunsAnotherAsync()
    {
        var other = await RunBoundAsync(_ => Task.FromResult(9), "other", Cpu);
        await AwaitStateAsync(other, KthreadState.Zombie);
        Assert.Equal(9, await other.StopAsync());
        Assert.DoesNotContain(await Kthreads.ListAsync(), t => t.Cpu == Cpu && t.State == KthreadState.Running && t.Comm != "ksoftirqd/1" && !t.Comm.StartsWith("migration", StringComparison.Ordinal));
    }
}
