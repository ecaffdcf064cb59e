using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>
/// kthread_stop, kthread_park and kthread_flush_work sleep in wait_for_completion(): a kthread that calls them gives its CPU
/// up meanwhile, so a target that needs that very CPU gets there; also when it awaits them inside OffCpuAsync, or two at once.
/// Every thread below is bound to cpu 1.
/// </summary>
public sealed class WaitFromKthreadSpec(ITestOutputHelper output) : SpecBase(output)
{
    private const int Cpu = 1;

    [Fact]
    public async Task A_kthread_stops_a_thread_of_its_own_cpu_and_gets_its_exit_code()
    {
        var target = await RunBoundAsync(SleepUntilStopped(TestActor, code: 7), "target", Cpu);
        await ExpectMsgAsync<(string, int)>();
        var stopper = await RunBoundAsync(_ => target.StopAsync(), "stopper", Cpu);

        await AwaitStateAsync(stopper, KthreadState.Zombie);
        Assert.Equal(7, await stopper.StopAsync());
    }

    [Fact]
    public async Task A_kthread_stops_a_thread_of_its_own_cpu_from_inside_OffCpuAsync_too()
    {
        var target = await RunBoundAsync(SleepUntilStopped(TestActor, code: 7), "target", Cpu);
        await ExpectMsgAsync<(string, int)>();
        var stopper = await RunBoundAsync(current => current.OffCpuAsync(_ => target.StopAsync()), "stopper", Cpu);

        await AwaitStateAsync(stopper, KthreadState.Zombie);
        Assert.Equal(7, await stopper.StopAsync());
    }

    [Fact]
    public async Task A_kthread_stops_two_threads_of_its_own_cpu_at_once_and_its_cpu_stays_usable()
    {
        // The first needs the CPU once more after the second has exited: the stop that ends first must not take it back.
        var first = await RunBoundAsync(async current =>
        {
            TestActor.Tell(("first", 0), Akka.Actor.ActorRefs.NoSender);
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            // Uninterruptible, so the pending stop does not end it: the CPU is needed again 200 ms on.
            current.PrepareToSleep(TaskState.Uninterruptible);
            await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(200));
            return 3;
        }, "first", Cpu);
        var second = await RunBoundAsync(SleepUntilStopped(TestActor, code: 4), "second", Cpu);
        await ExpectMsgAsync<(string, int)>();
        await ExpectMsgAsync<(string, int)>();
        var stopper = await RunBoundAsync(async _ =>
        {
            var codes = await Task.WhenAll(first.StopAsync(), second.StopAsync());
            return codes[0] * 10 + codes[1];
        }, "stopper", Cpu);

        await AwaitStateAsync(stopper, KthreadState.Zombie);
        Assert.Equal(34, await stopper.StopAsync());
        var after = await RunBoundAsync(_ => Task.FromResult(5), "after", Cpu);
        await AwaitStateAsync(after, KthreadState.Zombie);
        Assert.Equal(5, await after.StopAsync());
    }

    [Fact]
    public async Task A_kthread_parks_a_thread_of_its_own_cpu_and_gets_0_once_it_parked()
    {
        var target = await RunBoundAsync(ParkUntilStopped(), "target", Cpu);
        var parker = await RunBoundAsync(_ => target.ParkAsync(), "parker", Cpu);

        await AwaitStateAsync(parker, KthreadState.Zombie);
        Assert.Equal(0, await parker.StopAsync());
        Assert.Equal(KthreadState.Parked, (await target.InfoAsync()).State);
        Assert.Equal(0, await target.StopAsync());
    }

    [Fact]
    public async Task A_kthread_flushes_and_destroys_a_worker_of_its_own_cpu()
    {
        var worker = await Kthreads.CreateWorkerAsync("kworker/{0}", Cpu);
        var ran = 0;
        var work = new KthreadWork(_ =>
        {
            Interlocked.Increment(ref ran);
            return Task.CompletedTask;
        });
        var flusher = await RunBoundAsync(async _ =>
        {
            worker.QueueWork(work);
            await worker.FlushAsync();
            var seen = Volatile.Read(ref ran);
            worker.QueueWork(work);
            // The flusher holds the worker's CPU until it flushes: the work is still pending then, so the flush waits (true).
            var waited = await worker.FlushWorkAsync(work);
            await worker.DestroyAsync();
            return seen * 100 + (waited ? 10 : 0) + Volatile.Read(ref ran);
        }, "flusher", Cpu);

        await AwaitStateAsync(flusher, KthreadState.Zombie);
        Assert.Equal(112, await flusher.StopAsync());
        Assert.DoesNotContain(await Kthreads.ListAsync(), t => t.Comm == worker.Thread.Comm);
    }
}
