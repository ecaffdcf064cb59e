using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadWorkerProtocol;

namespace Akka.Kthreads.Tests.Workers;

/// <summary>Bad input at the worker's door, and the worker protocol driven by hand from a probe.</summary>
public sealed class WorkerDoorSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static KthreadWork Noop() => new(_ => Task.CompletedTask);

    [Fact]
    public async Task Bad_arguments_throw_at_the_door()
    {
        var worker = await Kthreads.CreateWorkerAsync("door");

        Assert.Throws<ArgumentNullException>(() => worker.QueueWork(null!));
        Assert.Throws<ArgumentNullException>(() => worker.QueueDelayedWork(null!, TimeSpan.Zero));
        Assert.Throws<ArgumentNullException>(() => worker.ModDelayedWork(null!, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => worker.QueueDelayedWork(new KthreadDelayedWork(_ => Task.CompletedTask), TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => worker.ModDelayedWork(new KthreadDelayedWork(_ => Task.CompletedTask), TimeSpan.FromTicks(-1)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => worker.FlushWorkAsync(null!));
        Assert.Throws<ArgumentNullException>(() => new KthreadWork(null!));
        Assert.Throws<ArgumentNullException>(() => new KthreadDelayedWork(null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Kthreads.CreateWorkerAsync(" "));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Kthreads.CreateWorkerAsync("w", cpu: Kthreads.Cpus.Possible.Count));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Kthreads.CreateWorkerAsync("w/{1}", cpu: 0));

        // Only the first worker was made.
        Assert.Single(await Kthreads.ListAsync());
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task A_work_already_attached_to_another_worker_is_refused_with_InvalidOperationException()
    {
        var first = await Kthreads.CreateWorkerAsync("first");
        var second = await Kthreads.CreateWorkerAsync("second");
        var work = Noop();
        first.QueueWork(work);
        await first.FlushAsync();

        var e = Assert.Throws<InvalidOperationException>(() => second.QueueWork(work));
        Assert.Contains("first", e.Message);
        Assert.Same(first, work.Worker);
        var attached = Attached(first);
        Assert.Throws<InvalidOperationException>(() => second.QueueDelayedWork(attached, TimeSpan.Zero));
        Assert.Throws<InvalidOperationException>(() => second.ModDelayedWork(attached, TimeSpan.Zero));
        await first.DestroyAsync();
        await second.DestroyAsync();
    }

    [Fact]
    public async Task Queueing_on_a_destroyed_worker_returns_false_and_runs_nothing()
    {
        var worker = await Kthreads.CreateWorkerAsync("gone");
        await worker.DestroyAsync();
        var ran = false;
        var work = new KthreadWork(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        Assert.False(worker.QueueWork(work));
        Assert.False(worker.QueueDelayedWork(new KthreadDelayedWork(_ => Task.CompletedTask), TimeSpan.Zero));
        Assert.False(worker.ModDelayedWork(new KthreadDelayedWork(_ => Task.CompletedTask), TimeSpan.Zero));
        Assert.False(ran);
        Assert.Null(work.Worker);
    }

    [Fact]
    public async Task Every_worker_message_sent_by_hand_gets_its_reply_record()
    {
        var worker = await Kthreads.CreateWorkerAsync("byhand");
        var probe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var work = new KthreadWork(_ => gate.Task);
        var delayed = new KthreadDelayedWork(_ => Task.CompletedTask);

        probe.Send(worker.Ref, new QueueWork(work));
        await probe.ExpectMsgAsync(new WorkQueued(true));
        probe.Send(worker.Ref, new QueueWork(Noop()));
        await probe.ExpectMsgAsync(new WorkQueued(true));
        probe.Send(worker.Ref, new QueueDelayedWork(delayed, TimeSpan.FromMinutes(5)));
        await probe.ExpectMsgAsync(new WorkQueued(true));
        probe.Send(worker.Ref, new ModDelayedWork(delayed, TimeSpan.FromMinutes(10)));
        await probe.ExpectMsgAsync(new DelayedWorkModified(true));
        probe.Send(worker.Ref, new CancelWork(delayed));
        await probe.ExpectMsgAsync(new WorkCancelled(true));

        probe.Send(worker.Ref, new FlushWork(work));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // the work is still running
        gate.SetResult();
        await probe.ExpectMsgAsync(new WorkFlushed(true));
        probe.Send(worker.Ref, Flush.Instance);
        await probe.ExpectMsgAsync(Flushed.Instance);

        probe.Send(worker.Ref, new QueueDelayedWork(delayed, TimeSpan.FromSeconds(-1)));
        var failure = await probe.ExpectMsgAsync<Status.Failure>();
        Assert.IsType<ArgumentOutOfRangeException>(failure.Cause);

        probe.Send(worker.Ref, Destroy.Instance);
        await probe.ExpectMsgAsync(Destroyed.Instance);
        Assert.True(worker.IsDestroyed);
        Assert.Empty(await Kthreads.ListAsync());
    }

    private static KthreadDelayedWork Attached(KthreadWorker owner)
    {
        var work = new KthreadDelayedWork(_ => Task.CompletedTask);
        owner.QueueDelayedWork(work, TimeSpan.FromMinutes(5));
        return work;
    }
}
