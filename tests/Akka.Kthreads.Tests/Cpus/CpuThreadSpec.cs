using System.Diagnostics;
using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>A CPU is an OS thread: kthread code runs on its CPU's thread, never on the pool Akka's actors share.</summary>
public sealed class CpuThreadSpec(ITestOutputHelper output) : SpecBase(output)
{
    private sealed record Seen(string Where, string? ThreadName, bool PoolThread, int? Cpu, string Stack);

    private static Seen Here(string where, KthreadContext current) =>
        new(where, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, current.Cpu, Environment.StackTrace);

    private static void AssertOnItsCpu(Seen seen)
    {
        Assert.False(seen.PoolThread, $"{seen.Where}: ran on a pool thread {seen.Stack}");
        Assert.Equal($"cpu/{seen.Cpu}", seen.ThreadName);
    }

    // A thread bound to cpu that reports where its function ran, then returns.
    private async Task<(Kthread Thread, Seen Seen)> RunBoundAsync(int cpu, string name)
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(current =>
        {
            probe.Tell(Here(name, current));
            return Task.FromResult(0);
        }, null, name);
        Assert.Equal(0, await thread.BindAsync(cpu));
        await thread.WakeUpAsync();
        return (thread, await probe.ExpectMsgAsync<Seen>());
    }

    [Fact]
    public async Task The_function_and_every_continuation_run_on_the_thread_of_the_cpu_it_holds()
    {
        var probe = CreateTestProbe();
        var outside = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(Here("entry", current));
            await current.YieldAsync();
            probe.Tell(Here("after YieldAsync", current));
            await current.ScheduleAsync();
            probe.Tell(Here("after ScheduleAsync", current));
            // Not a checkpoint: the thread keeps its CPU, and its code still comes back to that CPU's thread.
            await outside.Task;
            probe.Tell(Here("after a plain await", current));
            await Task.Yield();
            probe.Tell(Here("after Task.Yield", current));
            await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(1)).ConfigureAwait(false);
            probe.Tell(Here("after ConfigureAwait(false) on a checkpoint", current));
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    await current.ParkMeAsync();
                    probe.Tell(Here("after ParkMeAsync", current));
                }
                else
                {
                    await current.ScheduleAsync();
                }
            }

            return 0;
        }, null, "where");

        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>(s => s.Where == "entry"));
        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>(s => s.Where == "after YieldAsync"));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.True(await thread.WakeUpAsync());
        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>(s => s.Where == "after ScheduleAsync"));
        outside.SetResult();
        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>(s => s.Where == "after a plain await"));
        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>(s => s.Where == "after Task.Yield"));
        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>(s => s.Where == "after ConfigureAwait(false) on a checkpoint"));
        Assert.Equal(0, await thread.ParkAsync());
        await thread.UnparkAsync();
        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>(s => s.Where == "after ParkMeAsync"));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_bound_thread_runs_on_the_thread_named_after_its_cpu()
    {
        var (thread, seen) = await RunBoundAsync(3, "bound3");
        Assert.Equal("cpu/3", seen.ThreadName);
        Assert.Equal(3, seen.Cpu);
        Assert.False(seen.PoolThread);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task OffCpuAsync_runs_its_io_on_the_pool_and_the_function_comes_back_on_a_cpu_thread()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            var io = await current.OffCpuAsync(_ => Task.FromResult(Here("io", current)));
            probe.Tell(io);
            probe.Tell(Here("after OffCpuAsync", current));
            return 0;
        }, null, "offcpu");

        var io = await probe.ExpectMsgAsync<Seen>();
        Assert.True(io.PoolThread, "the I/O ran on a CPU's thread");
        AssertOnItsCpu(await probe.ExpectMsgAsync<Seen>());
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_worker_runs_its_works_on_its_cpus_thread()
    {
        var probe = CreateTestProbe();
        var worker = await Kthreads.CreateWorkerAsync("kworker/{0}", 2);
        worker.QueueWork(new KthreadWork(async work =>
        {
            probe.Tell(Here("work", KthreadContext.Current!));
            await Task.Yield();
            probe.Tell(Here("work after an await", KthreadContext.Current!));
        }));

        var first = await probe.ExpectMsgAsync<Seen>();
        Assert.Equal("cpu/2", first.ThreadName);
        Assert.Equal("cpu/2", (await probe.ExpectMsgAsync<Seen>()).ThreadName);
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task Works_queued_after_the_worker_slept_or_parked_and_their_awaits_still_run_on_its_cpus_thread()
    {
        var probe = CreateTestProbe();
        var worker = await Kthreads.CreateWorkerAsync("kworker/{0}", 2);
        KthreadWork Work(string name) => new(async _ =>
        {
            probe.Tell(Here(name, KthreadContext.Current!));
            await Task.Yield();
            probe.Tell(Here($"{name} after an await", KthreadContext.Current!));
            await Task.Delay(1);
            probe.Tell(Here($"{name} after a timer", KthreadContext.Current!));
        });

        // Each round: the worker is asleep (flushed), then parked and unparked; the loop resumes from both.
        for (var round = 0; round < 3; round++)
        {
            await worker.FlushAsync();
            await AwaitAssertAsync(async () => Assert.Equal(KthreadState.Sleeping, (await worker.Thread.InfoAsync()).State));
            Assert.True(worker.QueueWork(Work($"after sleep {round}")));
            Assert.True(worker.QueueWork(Work($"next {round}")));
            await worker.FlushAsync();
            Assert.Equal(0, await worker.Thread.ParkAsync());
            await worker.Thread.UnparkAsync();
            Assert.True(worker.QueueWork(Work($"after park {round}")));
            await worker.FlushAsync();

            for (var i = 0; i < 9; i++)
            {
                var seen = await probe.ExpectMsgAsync<Seen>();
                Assert.True(seen.ThreadName == "cpu/2", $"{seen} ran off cpu/2");
            }
        }

        await worker.DestroyAsync();
    }

    [Fact]
    public async Task A_per_cpu_thread_runs_its_callbacks_and_their_continuations_on_its_cpus_thread()
    {
        var probe = CreateTestProbe();
        var spec = new PerCpuThread("where/{0}", td => td.State is 1, async td =>
        {
            td.State = 2;
            await Task.Yield();
            probe.Tell(("fn", td.Cpu, Thread.CurrentThread.Name));
        })
        {
            Setup = async td =>
            {
                await Task.Yield();
                probe.Tell(("setup", td.Cpu, Thread.CurrentThread.Name));
            },
        };
        Assert.Equal(0, await Kthreads.PerCpuThreads.RegisterAsync(spec));
        foreach (var seen in (await ReceiveAsync(probe, 4)).Cast<(string, int, string?)>())
        {
            Assert.Equal(("setup", seen.Item2, $"cpu/{seen.Item2}"), seen);
        }

        var td1 = Kthreads.PerCpuThreads.Get(spec, 1)!;
        td1.State = 1;
        await td1.Thread.WakeUpAsync();
        Assert.Equal(("fn", 1, "cpu/1"), await probe.ExpectMsgAsync<(string, int, string?)>());
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    [Fact]
    public async Task A_checkpoint_awaited_after_some_work_still_returns_on_the_thread_of_the_cpu_it_moved_to()
    {
        // Legal kthread code: start a checkpoint, compute, then await it. Meanwhile the CPU it gave up goes to a
        // waiter and the thread is granted another CPU; it must go on on that CPU's thread, not where it started.
        var probe = CreateTestProbe();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var mover = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(Here("start", current));
            while (!go.Task.IsCompleted)
            {
                Thread.SpinWait(100); // holds its CPU, as code between checkpoints does
            }

            var checkpoint = current.YieldAsync();
            var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5;
            while (!checkpoint.IsCompleted && Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(100);
            }

            await checkpoint;
            probe.Tell(Here("after the checkpoint", current));
            return 0;
        }, null, "mover");
        var start = await probe.ExpectMsgAsync<Seen>();
        AssertOnItsCpu(start);
        var cpu = start.Cpu!.Value;

        // A thread bound to the mover's CPU waits for it, so the checkpoint gives that CPU up.
        var waiter = await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "waiter");
        Assert.Equal(0, await waiter.BindAsync(cpu));
        await waiter.WakeUpAsync();
        await AwaitAssertAsync(() => Assert.True(Kthreads.Cpus.Queue(cpu).HasWaiters));
        go.SetResult();

        var after = await probe.ExpectMsgAsync<Seen>();
        AssertOnItsCpu(after);
        Assert.NotEqual(cpu, after.Cpu);
        Assert.Equal(0, await mover.StopAsync());
        Assert.Equal(0, await waiter.StopAsync());
    }

    [Fact]
    public async Task Stop_machine_runs_fn_on_the_thread_of_each_cpu_it_runs_on()
    {
        var names = new string?[4];
        var result = await Kthreads.StopMachine.RunAsync(cpu =>
        {
            names[cpu] = Thread.CurrentThread.Name;
            return 0;
        }, [0, 1, 2, 3]);

        Assert.Equal(0, result);
        Assert.Equal(new[] { "cpu/0", "cpu/1", "cpu/2", "cpu/3" }, names.Select(n => n ?? "(none)"));
    }

    [Fact]
    public async Task A_cpu_that_goes_down_ends_its_thread_and_one_that_comes_up_gets_a_new_one()
    {
        // Use every CPU once, so each has its thread.
        Assert.Equal(0, await Kthreads.StopMachine.RunAsync(_ => 0, [0, 1, 2, 3]));
        var before = Kthreads.Cpus.Queue(2).OsThread;
        Assert.NotNull(before);

        Assert.Equal(0, await Kthreads.Cpus.DownAsync(2));
        Assert.Null(Kthreads.Cpus.Queue(2).OsThread);
        Assert.Equal(0, await Kthreads.Cpus.UpAsync(2));

        var (thread, seen) = await RunBoundAsync(2, "onup");
        Assert.Equal("cpu/2", seen.ThreadName);
        Assert.NotSame(before, Kthreads.Cpus.Queue(2).OsThread);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Sleeping_and_parked_kthreads_hold_no_os_thread()
    {
        // 2,000 kthreads that ran, then sleep or park: the CPUs still have one thread each, no more.
        var threads = new List<Kthread>();
        for (var i = 0; i < 2_000; i++)
        {
            threads.Add(await Kthreads.RunAsync(ParkUntilStopped(), null, $"idle{i}"));
        }

        // Each has run its function to its first sleep: one parked before that would never run it (-EINTR on its stop).
        await AwaitAssertAsync(async () =>
            Assert.All(await Kthreads.ListAsync(), info => Assert.Equal(KthreadState.Sleeping, info.State)));
        foreach (var thread in threads.Where((_, i) => i % 2 == 0))
        {
            Assert.Equal(0, await thread.ParkAsync());
        }

        await AwaitAssertAsync(async () =>
            Assert.All(await Kthreads.ListAsync(), info => Assert.True(info.State is KthreadState.Sleeping or KthreadState.Parked)));
        var cpuThreads = Kthreads.Cpus.Possible.Count(cpu => Kthreads.Cpus.Queue(cpu).OsThread is not null);
        Assert.InRange(cpuThreads, 1, Kthreads.Cpus.Online.Count);

        foreach (var thread in threads)
        {
            Assert.Equal(0, await thread.StopAsync());
        }
    }

    [Fact]
    public async Task The_cpu_threads_end_when_the_system_terminates()
    {
        Assert.Equal(0, await Kthreads.StopMachine.RunAsync(_ => 0, [0, 1, 2, 3]));
        var osThreads = Kthreads.Cpus.Possible.Select(cpu => Kthreads.Cpus.Queue(cpu).OsThread).ToArray();
        Assert.All(osThreads, Assert.NotNull);

        await Sys.Terminate();

        await AwaitAssertAsync(() => Assert.All(Kthreads.Cpus.Possible, cpu => Assert.Null(Kthreads.Cpus.Queue(cpu).OsThread)));
        await AwaitAssertAsync(() => Assert.All(osThreads, t => Assert.True(t!.HasExited)));
    }

    [Fact]
    public async Task A_cpu_thread_woken_from_its_sleep_within_idle_poll_max_doubles_its_spin()
    {
        // A max far above any wait here: the wake-up below comes within it however slow the machine.
        var cpu = new CpuThread(-1, static e => throw e, new HaltPoll(TimeSpan.FromMicroseconds(50), TimeSpan.FromMinutes(1)));
        try
        {
            await AwaitAssertAsync(() => Assert.True(cpu.IsAsleep, "cpu thread still spins"));
            var poll = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);

            Assert.True(cpu.TryPost(_ => poll.SetResult(cpu.Poll), null));

            Assert.Equal(TimeSpan.FromMicroseconds(100), await poll.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            cpu.Close();
        }
    }
}
