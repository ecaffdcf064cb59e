using System.Collections.Concurrent;
using Akka.Configuration;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Workers;

/// <summary>
/// Delayed work on Akka's scheduler, driven here by TestKit's virtual-time TestScheduler: the specs
/// move the clock instead of waiting for it.
/// </summary>
public sealed class DelayedWorkSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString(
    "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\""))
{
    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private static KthreadDelayedWork Counting(Func<int> onRun) => new(_ =>
    {
        onRun();
        return Task.CompletedTask;
    });

    [Fact]
    public async Task Delayed_work_runs_once_its_delay_has_passed_and_not_before()
    {
        var worker = await Kthreads.CreateWorkerAsync("delayed");
        var runs = 0;
        var work = Counting(() => Interlocked.Increment(ref runs));

        Assert.True(worker.QueueDelayedWork(work, TimeSpan.FromSeconds(5)));
        Assert.True(work.IsPending);
        Assert.False(worker.QueueDelayedWork(work, TimeSpan.FromSeconds(1))); // pending: refused

        Clock.Advance(TimeSpan.FromSeconds(4));
        await worker.FlushAsync();
        Assert.Equal(0, Volatile.Read(ref runs));

        Clock.Advance(TimeSpan.FromSeconds(1.1));
        await AwaitAssertAsync(() => Assert.Equal(1, Volatile.Read(ref runs)));
        Assert.False(work.IsPending);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task A_zero_delay_queues_at_once()
    {
        var worker = await Kthreads.CreateWorkerAsync("nodelay");
        var runs = 0;

        Assert.True(worker.QueueDelayedWork(Counting(() => Interlocked.Increment(ref runs)), TimeSpan.Zero));
        await worker.FlushAsync();
        Assert.Equal(1, Volatile.Read(ref runs));
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Flush_of_the_worker_includes_delayed_work_whose_timer_has_fired()
    {
        var worker = await Kthreads.CreateWorkerAsync("flushfired");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new ConcurrentQueue<string>();
        worker.QueueWork(new KthreadWork(_ => gate.Task));
        worker.QueueDelayedWork(new KthreadDelayedWork(_ =>
        {
            log.Enqueue("fired");
            return Task.CompletedTask;
        }), TimeSpan.FromSeconds(1));
        worker.QueueDelayedWork(new KthreadDelayedWork(_ =>
        {
            log.Enqueue("not yet");
            return Task.CompletedTask;
        }), TimeSpan.FromMinutes(1));

        Clock.Advance(TimeSpan.FromSeconds(2)); // the first timer fires: its work is queued behind the gate
        var flush = worker.FlushAsync();
        gate.SetResult();
        await flush;

        Assert.Equal(["fired"], log);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task ModDelayedWork_rearms_a_pending_work_and_says_it_was_pending()
    {
        var worker = await Kthreads.CreateWorkerAsync("mod");
        var runs = 0;
        var work = Counting(() => Interlocked.Increment(ref runs));

        Assert.False(worker.ModDelayedWork(work, TimeSpan.FromSeconds(5))); // not pending before: armed now
        Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.True(worker.ModDelayedWork(work, TimeSpan.FromSeconds(5))); // re-armed from now: t = 8 s

        Clock.Advance(TimeSpan.FromSeconds(3)); // t = 6 s: the first arming would have fired
        await worker.FlushAsync();
        Assert.Equal(0, Volatile.Read(ref runs));

        Clock.Advance(TimeSpan.FromSeconds(2.1));
        await AwaitAssertAsync(() => Assert.Equal(1, Volatile.Read(ref runs)));
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task ModDelayedWork_of_a_queued_work_takes_it_off_the_queue_and_arms_it()
    {
        var worker = await Kthreads.CreateWorkerAsync("modq");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var work = Counting(() => Interlocked.Increment(ref runs));
        worker.QueueWork(new KthreadWork(_ => gate.Task));
        worker.QueueWork(work);

        Assert.True(worker.ModDelayedWork(work, TimeSpan.FromSeconds(10)));
        gate.SetResult();
        await worker.FlushAsync();
        Assert.Equal(0, Volatile.Read(ref runs));

        Clock.Advance(TimeSpan.FromSeconds(11));
        await AwaitAssertAsync(() => Assert.Equal(1, Volatile.Read(ref runs)));
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Cancel_of_a_delayed_work_before_it_fires_means_it_never_runs()
    {
        var worker = await Kthreads.CreateWorkerAsync("canceld");
        var runs = 0;
        var work = Counting(() => Interlocked.Increment(ref runs));
        worker.QueueDelayedWork(work, TimeSpan.FromSeconds(5));

        Assert.True(await work.CancelSyncAsync());
        Assert.False(work.IsPending);
        Clock.Advance(TimeSpan.FromSeconds(10));
        await worker.FlushAsync();

        Assert.Equal(0, Volatile.Read(ref runs));
        Assert.True(worker.QueueDelayedWork(work, TimeSpan.FromSeconds(1))); // usable again
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Destroy_disarms_pending_timers_so_their_works_never_run()
    {
        var worker = await Kthreads.CreateWorkerAsync("destroyd");
        var runs = 0;
        var work = Counting(() => Interlocked.Increment(ref runs));
        worker.QueueDelayedWork(work, TimeSpan.FromSeconds(5));

        await worker.DestroyAsync();
        Clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(0, Volatile.Read(ref runs));
        Assert.False(work.IsPending);
        Assert.False(worker.QueueDelayedWork(work, TimeSpan.FromSeconds(1)));
    }
}
