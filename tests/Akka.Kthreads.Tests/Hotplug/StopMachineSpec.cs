using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Hotplug;

/// <summary>DESIGN §5 stop_machine: every CPU held in lockstep while fn runs; the result; errors; hotplug waits.</summary>
public sealed class StopMachineSpec(ITestOutputHelper output) : SpecBase(output)
{
    private StopMachine Machine => Kthreads.StopMachine;

    [Fact]
    public async Task Fn_runs_once_on_the_first_online_cpu_by_default_and_its_return_is_the_result()
    {
        var ran = new List<int>();
        Assert.Equal(0, await Kthreads.Cpus.DownAsync(0));

        var result = await Machine.RunAsync(cpu =>
        {
            ran.Add(cpu);
            return 7;
        });

        Assert.Equal(7, result);
        Assert.Equal([1], ran);
        Assert.Equal(MultiStopState.None, Machine.State);
    }

    [Fact]
    public async Task Fn_runs_on_each_given_online_cpu_and_the_result_is_the_first_non_zero_in_cpu_order()
    {
        var ran = new System.Collections.Concurrent.ConcurrentBag<int>();
        Assert.Equal(0, await Kthreads.Cpus.DownAsync(2));

        var result = await Machine.RunAsync(cpu =>
        {
            ran.Add(cpu);
            return cpu == 1 ? 0 : -cpu - 100;
        }, [3, 2, 1, 0]);

        Assert.Equal(-100, result); // cpu 0 is first; cpu 2 is offline and skipped
        Assert.Equal([0, 1, 3], ran.Order());
        Assert.Equal(0, await Machine.RunAsync(_ => 0, [0, 1, 3]));
    }

    [Fact]
    public async Task While_fn_runs_every_online_cpu_is_held_by_its_stopper_in_the_Run_state()
    {
        var workers = await StartHammersAsync(8, new int[1]);
        var seen = new List<string>();

        await Machine.RunAsync(cpu =>
        {
            seen.Add(Machine.State.ToString());
            foreach (var online in Kthreads.Cpus.Online)
            {
                var holder = Kthreads.Cpus.Queue(online).Holder;
                seen.Add(holder is MultiStop ? "stopper" : holder?.GetType().Name ?? "idle");
            }

            return 0;
        });

        Assert.Equal(["Run", "stopper", "stopper", "stopper", "stopper"], seen);
        await StopAllAsync(workers);
    }

    [Fact]
    public async Task A_refcount_that_kthreads_move_between_checkpoints_cannot_move_while_fn_reads_it()
    {
        var refcount = new int[1];
        var moved = 0;
        var hammers = await StartHammersAsync(8, refcount);

        for (var round = 0; round < 50; round++)
        {
            var result = await Machine.RunAsync(_ =>
            {
                var first = Volatile.Read(ref refcount[0]);
                for (var i = 0; i < 2000; i++)
                {
                    if (Volatile.Read(ref refcount[0]) != first)
                    {
                        Interlocked.Increment(ref moved);
                    }

                    Thread.SpinWait(10);
                }

                return first;
            });
            Assert.InRange(result, 0, 8); // each hammer holds at most one reference at a checkpoint
        }

        Assert.Equal(0, moved);
        await StopAllAsync(hammers);
        Assert.Equal(0, refcount[0]);
    }

    [Fact]
    public async Task A_throwing_fn_gives_EFAULT_and_every_cpu_is_released()
    {
        var hammers = await StartHammersAsync(4, new int[1]);

        Assert.Equal(-Errno.EFAULT, await Machine.RunAsync(_ => throw new InvalidOperationException("fn oops"), [0, 1, 2, 3]));

        // A kthread bound to each CPU gets to run there: no stopper kept one.
        var probe = CreateTestProbe();
        foreach (var cpu in Kthreads.Cpus.Possible)
        {
            var runner = await Kthreads.CreateAsync(current =>
            {
                probe.Ref.Tell(("ran on", current.Cpu));
                return Task.FromResult(0);
            }, null, $"after{cpu}");
            await runner.BindAsync(cpu);
            await runner.WakeUpAsync();
            await probe.ExpectMsgAsync(("ran on", (int?)cpu));
        }

        Assert.Equal(0, await Machine.RunAsync(_ => 0));
        await StopAllAsync(hammers);
    }

    [Fact]
    public async Task A_stop_machine_during_another_waits_its_turn()
    {
        var inside = 0;
        var overlapped = 0;
        // Each call runs fn on a different CPU, so two calls could only overlap if they held the machine at once.
        var calls = Enumerable.Range(0, 20).Select(call => Task.Run(() => Machine.RunAsync(_ =>
        {
            if (Interlocked.Increment(ref inside) > 1)
            {
                Interlocked.Increment(ref overlapped);
            }

            Thread.SpinWait(1000);
            Interlocked.Decrement(ref inside);
            return 0;
        }, [call % 4])));

        Assert.All(await Task.WhenAll(calls), r => Assert.Equal(0, r));
        Assert.Equal(0, overlapped);
    }

    [Fact]
    public async Task Hotplug_waits_for_a_running_stop_machine()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new ManualResetEventSlim();
        var fnDone = false;
        bool? teardownSawFnDone = null;
        await Kthreads.Cpus.SetupStateAsync("test/after-fn", _ => Task.FromResult(0), _ =>
        {
            teardownSawFnDone = Volatile.Read(ref fnDone);
            return Task.FromResult(0);
        });

        var machine = Task.Run(() => Machine.RunAsync(_ =>
        {
            entered.SetResult();
            gate.Wait(TimeSpan.FromSeconds(10)); // test only: fn holds the machine until the Down is queued
            Volatile.Write(ref fnDone, true);
            return 0;
        }));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var down = Kthreads.Cpus.DownAsync(3);
        Assert.False(down.IsCompleted);
        gate.Set();

        Assert.Equal(0, await machine);
        Assert.Equal(0, await down);
        Assert.True(teardownSawFnDone);
    }

    [Fact]
    public async Task A_stop_machine_called_after_a_DownAsync_that_is_not_done_sees_that_cpu_down()
    {
        var ranOnGoingCpu = 0;
        for (var round = 0; round < 20; round++)
        {
            // Neither awaited first: the stop_machine must not take the hotplug lock ahead of the Down sent before it.
            var down = Kthreads.Cpus.DownAsync(3);
            var machine = Machine.RunAsync(cpu =>
            {
                Interlocked.Increment(ref ranOnGoingCpu);
                return cpu;
            }, [3]);

            Assert.Equal(0, await machine);
            Assert.Equal(0, await down);
            Assert.Equal(0, await Kthreads.Cpus.UpAsync(3));
        }

        Assert.Equal(0, ranOnGoingCpu);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a request told by hand counts once the actor takes it
    public async Task A_stop_machine_called_while_hotplug_serves_a_request_queues_behind_it(bool byHand)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startupsDone = 0;
        var fnRan = false;
        Func<int, Task<int>> startup = async _ =>
        {
            entered.TrySetResult();
            await gate.Task;
            Interlocked.Increment(ref startupsDone);
            return 0;
        };
        Task<int>? setup = null;
        if (byHand)
        {
            Kthreads.Hotplug.Tell(new CpuHotplugProtocol.SetupState("test/slow-startup", startup, null), TestActor);
        }
        else
        {
            setup = Kthreads.Cpus.SetupStateAsync("test/slow-startup", startup, null);
        }

        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var seen = Machine.RunAsync(_ =>
        {
            Volatile.Write(ref fnRan, true);
            return Volatile.Read(ref startupsDone);
        });

        // It waits in the hotplug actor's mailbox, not on the CPUs: fn cannot have run.
        var hotplug = ((ActorRefWithCell)Kthreads.Hotplug).Underlying;
        await AwaitAssertAsync(() => Assert.Equal(1, hotplug.NumberOfMessages));
        Assert.False(Volatile.Read(ref fnRan));
        gate.SetResult();

        var id = byHand ? (await ExpectMsgAsync<CpuHotplugProtocol.Result>()).Value : await setup!;
        Assert.True(id >= 0);
        Assert.Equal(4, await seen);
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_fn_runs_leaves_the_hotplug_lock_free_once_fn_returns()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        var machine = Machine.RunAsync(_ =>
        {
            entered.SetResult();
            gate.Wait(TimeSpan.FromSeconds(10)); // test only: fn holds every CPU until the caller has given up
            return 0;
        }, null, cts.Token);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var down = Kthreads.Cpus.DownAsync(3);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => machine);
        Assert.False(down.IsCompleted);
        gate.Set();

        Assert.Equal(0, await down);
        Assert.Equal(7, await Machine.RunAsync(_ => 7));
        Assert.Equal(0, await Kthreads.Cpus.UpAsync(3));
    }

    [Fact]
    public async Task A_fn_that_runs_past_ask_timeout_gives_its_caller_a_TimeoutException_and_the_call_still_ends()
    {
        using var sys = CreateSystem(
            "kthreads.ask-timeout = 500ms\nkthreads.worker.flush-timeout = 100ms\nkthreads.kthread.stop-timeout = 100ms\nkthreads.kthread.park-timeout = 100ms");
        var kthreads = Kthreads.Get(sys);
        var gate = new ManualResetEventSlim();
        var machine = kthreads.StopMachine.RunAsync(_ =>
        {
            gate.Wait(TimeSpan.FromSeconds(10)); // test only: fn holds every CPU until its caller has given up
            return 0;
        });

        await Assert.ThrowsAsync<TimeoutException>(() => machine);
        Assert.Equal(MultiStopState.Run, kthreads.StopMachine.State);
        gate.Set();

        await AwaitAssertAsync(() => Assert.Equal(MultiStopState.None, kthreads.StopMachine.State));
        Assert.Equal(3, await kthreads.StopMachine.RunAsync(_ => 3));
    }

    [Fact]
    public async Task Concurrent_DownAsync_and_RunAsync_do_not_deadlock()
    {
        var hammers = await StartHammersAsync(6, new int[1]);
        for (var round = 0; round < 20; round++)
        {
            var cpu = 1 + (round % 3);
            var down = Task.Run(() => Kthreads.Cpus.DownAsync(cpu));
            var machine = Task.Run(() => Machine.RunAsync(c => c == cpu ? -1 : 0, [0, cpu]));
            var up = down.ContinueWith(_ => Kthreads.Cpus.UpAsync(cpu)).Unwrap();

            Assert.Equal(0, await down);
            Assert.Contains(await machine, new[] { 0, -1 });
            Assert.Equal(0, await up);
        }

        Assert.Equal([0, 1, 2, 3], Kthreads.Cpus.Online);
        await StopAllAsync(hammers);
    }

    [Fact]
    public async Task A_kthread_may_call_stop_machine_from_its_own_function()
    {
        var probe = CreateTestProbe();
        var caller = await Kthreads.RunAsync(async current =>
        {
            probe.Ref.Tell(await Machine.RunAsync(_ => 5, [current.Cpu!.Value]));
            return 0;
        }, null, "krmmod");

        await probe.ExpectMsgAsync(5);
        Assert.Equal(0, await caller.StopAsync());
    }

    [Fact]
    public async Task A_kthread_may_call_stop_one_cpu_on_the_cpu_it_runs_on_and_fn_runs_on_that_cpus_thread()
    {
        var probe = CreateTestProbe();
        var caller = await Kthreads.CreateAsync(async current =>
        {
            // The stopper's work is queued from this CPU's own thread: it must still take the CPU this flow gives up.
            probe.Ref.Tell(await Machine.RunOnCpuAsync(current.Cpu!.Value, c => Thread.CurrentThread.Name == $"cpu/{c}" ? c + 40 : -1));
            return 0;
        }, null, "kstopself");
        Assert.Equal(0, await caller.BindAsync(1));
        await caller.WakeUpAsync();

        await probe.ExpectMsgAsync(41);
        Assert.Equal(0, await caller.StopAsync());
    }

    [Fact]
    public async Task Stopper_works_queued_on_one_cpu_at_once_run_one_at_a_time_and_all_of_them_run()
    {
        // migration/N runs its works in turn: fn of one never overlaps fn of another on the same CPU.
        var inside = 0;
        var overlaps = 0;
        var calls = Enumerable.Range(0, 20).Select(i => Task.Run(() => Machine.RunOnCpuAsync(1, _ =>
        {
            if (Interlocked.Increment(ref inside) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Thread.SpinWait(2000);
            Interlocked.Decrement(ref inside);
            return i + 100;
        }))).ToArray();

        Assert.Equal(Enumerable.Range(100, 20), await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, overlaps);
    }

    [Fact]
    public async Task RunOnCpu_holds_only_that_cpu_and_is_ENOENT_when_it_is_offline()
    {
        var holders = new List<string>();
        var result = await Machine.RunOnCpuAsync(2, cpu =>
        {
            foreach (var online in Kthreads.Cpus.Online)
            {
                holders.Add(Kthreads.Cpus.Queue(online).Holder is MultiStop ? $"{online} held" : $"{online} free");
            }

            return cpu * 10;
        });

        Assert.Equal(20, result);
        Assert.Equal(["0 free", "1 free", "2 held", "3 free"], holders);
        Assert.Equal(0, await Kthreads.Cpus.DownAsync(2));
        Assert.Equal(-Errno.ENOENT, await Machine.RunOnCpuAsync(2, _ => 1));
    }

    [Fact]
    public async Task A_cpu_that_never_reaches_a_checkpoint_makes_stop_machine_give_up_with_ETIMEDOUT_and_fn_never_runs()
    {
        using var sys = CreateSystem("kthreads.stop-machine.timeout = 300ms");
        var kthreads = Kthreads.Get(sys);
        var release = new ManualResetEventSlim();
        var hog = await HogAsync(kthreads, 1, release);
        var ran = 0;

        Assert.Equal(-Errno.ETIMEDOUT, await kthreads.StopMachine.RunAsync(_ => ++ran));
        Assert.Equal(MultiStopState.None, kthreads.StopMachine.State); // a call that gave up is over once it returned
        Assert.Equal(-Errno.ETIMEDOUT, await kthreads.StopMachine.RunOnCpuAsync(1, _ => ++ran));

        Assert.Equal(0, ran);
        Assert.Equal(2, await kthreads.StopMachine.RunOnCpuAsync(0, c => c + 2)); // the other CPUs were released
        release.Set();
        Assert.Equal(0, await hog.StopAsync());
        Assert.Equal(1, await kthreads.StopMachine.RunAsync(_ => 1, [1]));
    }

    [Fact]
    public async Task A_stopper_work_cancelled_while_queued_behind_another_does_not_stall_that_cpus_stopper()
    {
        var release = new ManualResetEventSlim();
        var hog = await HogAsync(Kthreads, 1, release);

        // The first work waits for cpu 1's holder; the second waits behind it and is given up before it starts.
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var running = Machine.RunOnCpuAsync(1, _ => 1, first.Token);
        var queued = Machine.RunOnCpuAsync(1, _ => 2, second.Token);
        await second.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(TimeSpan.FromSeconds(10)));
        await first.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(10)));
        release.Set();
        Assert.Equal(0, await hog.StopAsync());

        Assert.Equal(3, await Machine.RunOnCpuAsync(1, _ => 3).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Argument_errors_throw_at_the_door()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => Machine.RunAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => Machine.RunAsync(_ => 0, []));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Machine.RunAsync(_ => 0, [0, 4]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Machine.RunOnCpuAsync(-1, _ => 0));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Machine.RunOnCpuAsync(0, null!));
    }

    // Kthreads that take a reference, hold it across a checkpoint, and drop it at the next one.
    private async Task<List<Kthread>> StartHammersAsync(int count, int[] refcount)
    {
        var threads = new List<Kthread>();
        for (var i = 0; i < count; i++)
        {
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                while (!current.ShouldStop)
                {
                    Interlocked.Increment(ref refcount[0]);
                    await current.YieldAsync();
                    Interlocked.Decrement(ref refcount[0]);
                    await current.YieldAsync();
                    await Task.Yield(); // lets the OS thread go: 2 cores run every spec at once
                }

                return 0;
            }, null, $"hammer{i}"));
        }

        return threads;
    }

    private static async Task StopAllAsync(IEnumerable<Kthread> threads)
    {
        foreach (var thread in threads)
        {
            Assert.Equal(0, await thread.StopAsync());
        }
    }

    private Akka.Actor.ActorSystem CreateSystem(string hocon) =>
        Akka.Actor.ActorSystem.Create("other-" + Guid.NewGuid().ToString("N")[..8],
            Akka.Configuration.ConfigurationFactory.ParseString(hocon).WithFallback(SpecConfig));
}
