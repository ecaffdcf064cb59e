using System.Collections.Concurrent;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Workers;

/// <summary>DESIGN §6: kthread_worker queues, flush, cancel and destroy (delayed work: DelayedWorkSpec).</summary>
public sealed class WorkerSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static KthreadWork Record(ConcurrentQueue<string> log, string name) => new(_ =>
    {
        log.Enqueue(name);
        return Task.CompletedTask;
    });

    [Fact]
    public async Task A_worker_is_a_kthread_shown_in_ps_under_its_name()
    {
        var worker = await Kthreads.CreateWorkerAsync("kworker/u8:1");

        var row = Assert.Single(await Kthreads.ListAsync());
        Assert.Equal(worker.Thread.Pid, row.Pid);
        Assert.Equal("kworker/u8:1", row.Comm);
        await AwaitStateAsync(worker.Thread, KthreadState.Sleeping);
        await worker.DestroyAsync();
        Assert.Empty(await Kthreads.ListAsync());
    }

    [Fact]
    public async Task Works_run_in_FIFO_order()
    {
        var worker = await Kthreads.CreateWorkerAsync("fifo");
        var log = new ConcurrentQueue<string>();

        for (var i = 0; i < 100; i++)
        {
            Assert.True(worker.QueueWork(Record(log, $"w{i}")));
        }

        await worker.FlushAsync();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"w{i}"), log);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Queueing_a_pending_work_returns_false_and_it_runs_once()
    {
        var worker = await Kthreads.CreateWorkerAsync("once");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var blocker = new KthreadWork(_ => gate.Task);
        var work = new KthreadWork(_ =>
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        });

        Assert.True(worker.QueueWork(blocker));
        Assert.True(worker.QueueWork(work));
        Assert.True(work.IsPending);
        Assert.False(worker.QueueWork(work));
        Assert.False(worker.QueueWork(work));

        gate.SetResult();
        await worker.FlushAsync();
        Assert.Equal(1, Volatile.Read(ref runs));
        Assert.False(work.IsPending);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task A_work_queued_again_while_it_runs_runs_again_after_it_finishes()
    {
        var worker = await Kthreads.CreateWorkerAsync("again");
        var probe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var work = new KthreadWork(async _ =>
        {
            var run = Interlocked.Increment(ref runs);
            probe.Tell(("start", run));
            if (run == 1)
            {
                await gate.Task;
            }

            probe.Tell(("end", run));
        });

        worker.QueueWork(work);
        await probe.ExpectMsgAsync(("start", 1));
        Assert.False(work.IsPending);
        Assert.True(worker.QueueWork(work)); // running, not pending: it may be queued again

        gate.SetResult();
        await probe.ExpectMsgAsync(("end", 1));
        await probe.ExpectMsgAsync(("start", 2));
        await probe.ExpectMsgAsync(("end", 2));
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task A_work_never_runs_twice_at_once_however_it_is_queued()
    {
        var worker = await Kthreads.CreateWorkerAsync("serial");
        var inside = 0;
        var overlaps = 0;
        var runs = 0;
        var work = new KthreadWork(async _ =>
        {
            if (Interlocked.Increment(ref inside) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Interlocked.Increment(ref runs);
            await Task.Yield();
            Interlocked.Decrement(ref inside);
        });

        // Four queuers on the pool hammer QueueWork while it runs.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                worker.QueueWork(work);
            }
        })));
        await worker.FlushAsync();

        Assert.Equal(0, Volatile.Read(ref overlaps));
        Assert.InRange(Volatile.Read(ref runs), 1, 8_000);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Flush_of_a_work_waits_for_the_instance_queued_before_it_not_later_requeues()
    {
        var worker = await Kthreads.CreateWorkerAsync("flushone");
        var probe = CreateTestProbe();
        var gates = new[] { NewGate(), NewGate() };
        var runs = 0;
        var work = new KthreadWork(async _ =>
        {
            var run = Interlocked.Increment(ref runs);
            probe.Tell(("start", run));
            await gates[run - 1].Task;
        });

        worker.QueueWork(work);
        await probe.ExpectMsgAsync(("start", 1));
        var flush = worker.FlushWorkAsync(work);
        worker.QueueWork(work); // a later instance the flush must not wait for
        Assert.False(flush.IsCompleted);

        gates[0].SetResult();
        Assert.True(await flush);
        // The flush returned while the re-queued instance was about to start, or running.
        await probe.ExpectMsgAsync(("start", 2));

        gates[1].SetResult();
        await worker.FlushAsync();
        Assert.False(await worker.FlushWorkAsync(work)); // neither queued nor running: no wait
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Flush_of_the_worker_waits_for_everything_queued_before_it()
    {
        var worker = await Kthreads.CreateWorkerAsync("flushall");
        var gate = NewGate();
        var done = 0;
        worker.QueueWork(new KthreadWork(_ => gate.Task));
        for (var i = 0; i < 10; i++)
        {
            worker.QueueWork(new KthreadWork(_ =>
            {
                Interlocked.Increment(ref done);
                return Task.CompletedTask;
            }));
        }

        var flush = worker.FlushAsync();
        Assert.False(flush.IsCompleted);
        gate.SetResult();
        await flush;
        Assert.Equal(10, Volatile.Read(ref done));
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Flushes_and_a_cancel_waiting_on_the_last_work_before_a_park_are_answered_when_the_worker_parks()
    {
        var worker = await Kthreads.CreateWorkerAsync("flushpark");
        var probe = CreateTestProbe();
        var gate = NewGate();
        var work = new KthreadWork(async _ =>
        {
            probe.Tell("running");
            await gate.Task;
        });
        worker.QueueWork(work);
        await probe.ExpectMsgAsync("running");

        // A park requested while the work runs; three waits behind that work, and nothing queued after it.
        var park = worker.Thread.ParkAsync();
        var flush = worker.FlushAsync();
        var flushWork = worker.FlushWorkAsync(work);
        var cancel = work.CancelSyncAsync();
        Assert.False(flush.IsCompleted || flushWork.IsCompleted || cancel.IsCompleted);
        gate.SetResult();

        // The work is done and the worker parks: the waits end now, not at the unpark (flush-timeout would end them).
        Assert.Equal(0, await park);
        await flush.WaitAsync(TimeSpan.FromSeconds(3));
        Assert.True(await flushWork.WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.False(await cancel.WaitAsync(TimeSpan.FromSeconds(3)));
        Assert.Equal(KthreadState.Parked, (await worker.Thread.InfoAsync()).State);

        await worker.Thread.UnparkAsync();
        Assert.True(worker.QueueWork(work));
        await worker.FlushAsync();
        Assert.Equal("running", await probe.ExpectMsgAsync<string>());
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Cancel_takes_a_pending_work_off_the_queue_and_it_never_runs()
    {
        var worker = await Kthreads.CreateWorkerAsync("cancelq");
        var gate = NewGate();
        var ran = false;
        worker.QueueWork(new KthreadWork(_ => gate.Task));
        var work = new KthreadWork(_ =>
        {
            ran = true;
            return Task.CompletedTask;
        });
        worker.QueueWork(work);

        Assert.True(await work.CancelSyncAsync());
        Assert.False(work.IsPending);
        gate.SetResult();
        await worker.FlushAsync();
        Assert.False(ran);
        Assert.False(await work.CancelSyncAsync());
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Cancel_waits_for_the_running_instance_to_finish()
    {
        var worker = await Kthreads.CreateWorkerAsync("cancelrun");
        var probe = CreateTestProbe();
        var gate = NewGate();
        var finished = false;
        var work = new KthreadWork(async _ =>
        {
            probe.Tell("running");
            await gate.Task;
            Volatile.Write(ref finished, true);
        });
        worker.QueueWork(work);
        await probe.ExpectMsgAsync("running");

        var cancel = work.CancelSyncAsync();
        Assert.False(worker.QueueWork(work)); // kernel: queueing is blocked while a cancel waits
        Assert.False(cancel.IsCompleted);
        gate.SetResult();

        Assert.False(await cancel); // it was running, not pending
        Assert.True(Volatile.Read(ref finished));
        Assert.True(worker.QueueWork(work));
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Destroy_flushes_then_stops_and_later_queueing_returns_false_with_nothing_run()
    {
        var worker = await Kthreads.CreateWorkerAsync("destroy");
        var gate = NewGate();
        var done = 0;
        worker.QueueWork(new KthreadWork(_ => gate.Task));
        worker.QueueWork(new KthreadWork(_ =>
        {
            Interlocked.Increment(ref done);
            return Task.CompletedTask;
        }));

        var destroy = worker.DestroyAsync();
        var late = new KthreadWork(_ =>
        {
            Interlocked.Increment(ref done);
            return Task.CompletedTask;
        });
        Assert.False(worker.QueueWork(late));
        gate.SetResult();
        await destroy;

        Assert.Equal(1, Volatile.Read(ref done));
        Assert.True(worker.IsDestroyed);
        Assert.False(worker.QueueWork(late));
        Assert.False(late.IsPending);
        Assert.Equal(KthreadState.Dead, (await worker.Thread.InfoAsync()).State);
        Assert.Empty(await Kthreads.ListAsync());
        await worker.FlushAsync(); // nothing to wait for: returns
    }

    [Fact]
    public async Task A_worker_bound_to_a_cpu_runs_its_works_only_on_that_cpu()
    {
        var worker = await Kthreads.CreateWorkerAsync("kworker/{0}", cpu: 2);
        var cpus = new ConcurrentBag<int?>();
        for (var i = 0; i < 50; i++)
        {
            worker.QueueWork(new KthreadWork(async _ =>
            {
                cpus.Add(KthreadContext.Current?.Cpu);
                await KthreadContext.Current!.YieldAsync();
                cpus.Add(KthreadContext.Current?.Cpu);
            }));
        }

        await worker.FlushAsync();
        Assert.Equal("kworker/2", worker.Thread.Comm);
        Assert.Equal(100, cpus.Count);
        Assert.All(cpus, cpu => Assert.Equal(2, cpu));
        Assert.Equal(2, (await worker.Thread.InfoAsync()).Cpu);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task A_work_that_throws_is_logged_with_the_workers_name_and_the_next_work_runs()
    {
        var worker = await Kthreads.CreateWorkerAsync("oopsy");
        var ran = false;

        await EventFilter.Exception<InvalidOperationException>(contains: "kthread_worker oopsy").ExpectOneAsync(async () =>
        {
            worker.QueueWork(new KthreadWork(_ => throw new InvalidOperationException("bad work")));
            worker.QueueWork(new KthreadWork(_ =>
            {
                ran = true;
                return Task.CompletedTask;
            }));
            await worker.FlushAsync();
        });

        Assert.True(ran);
        Assert.NotEqual(KthreadState.Zombie, (await worker.Thread.InfoAsync()).State);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task No_queueing_is_lost_against_an_idle_worker_going_to_sleep()
    {
        // The worker checks its list and sleeps; QueueWork lands in between thousands of times.
        var worker = await Kthreads.CreateWorkerAsync("nolost");
        var done = 0;
        for (var round = 0; round < 2_000; round++)
        {
            var finished = NewGate();
            worker.QueueWork(new KthreadWork(_ =>
            {
                Interlocked.Increment(ref done);
                finished.SetResult();
                return Task.CompletedTask;
            }));
            await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(2_000, Volatile.Read(ref done));
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task No_queueing_is_lost_when_producers_race_each_other_and_parks_of_the_worker()
    {
        // Only the first work queued while the worker is idle wakes it (kthread_insert_work); the others count on the
        // loop finding them. Producers that each wait for their own work pass it through every idle spell: first alone
        // (a lost wake-up leaves a work unrun), then while parks end some spells without a sleep.
        var worker = await Kthreads.CreateWorkerAsync("racers");
        var done = 0;
        var progress = NewGate();

        async Task ProduceAsync()
        {
            for (var i = 0; i < 150; i++)
            {
                var finished = NewGate();
                Assert.True(worker.QueueWork(new KthreadWork(_ =>
                {
                    Interlocked.Increment(ref done);
                    Volatile.Read(ref progress).TrySetResult();
                    finished.SetResult();
                    return Task.CompletedTask;
                })));
                await finished.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ProduceAsync)));
        Assert.Equal(600, Volatile.Read(ref done));

        var producers = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ProduceAsync)));
        var parks = 0;
        while (!producers.IsCompleted)
        {
            // A park asked again before the unparked worker runs keeps it parked (__kthread_parkme's loop), so each
            // round waits for a work to run first: otherwise the parks alone could hold the worker.
            var ran = NewGate();
            Volatile.Write(ref progress, ran);
            Assert.Equal(0, await worker.Thread.ParkAsync());
            await worker.Thread.UnparkAsync();
            parks++;
            await Task.WhenAny(ran.Task, producers);
        }

        await producers;
        Assert.Equal(1_200, Volatile.Read(ref done));
        Assert.True(parks > 0);
        await worker.FlushAsync();
        await worker.DestroyAsync();
    }

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
