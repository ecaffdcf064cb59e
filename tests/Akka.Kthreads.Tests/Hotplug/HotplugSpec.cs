using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Hotplug;

/// <summary>DESIGN §5 hotplug: cpu_up / cpu_down, the cpuhp states, rollback, and the events they publish.</summary>
public sealed class HotplugSpec(ITestOutputHelper output) : SpecBase(output)
{
    private Akka.Kthreads.Cpus Cpus => Kthreads.Cpus;

    [Fact]
    public async Task The_last_online_cpu_cannot_go_down()
    {
        Assert.Equal(0, await Cpus.DownAsync(1));
        Assert.Equal(0, await Cpus.DownAsync(2));
        Assert.Equal(0, await Cpus.DownAsync(0));

        Assert.Equal(-Errno.EBUSY, await Cpus.DownAsync(3));
        Assert.Equal([3], Cpus.Online);
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 4)]
    [InlineData(true, -1)]
    [InlineData(false, 9)]
    [InlineData(false, -2)]
    public async Task A_cpu_already_in_that_state_or_outside_Possible_is_EINVAL(bool up, int cpu)
    {
        Assert.Equal(-Errno.EINVAL, up ? await Cpus.UpAsync(cpu) : await Cpus.DownAsync(cpu));
        Assert.Equal([0, 1, 2, 3], Cpus.Online);
    }

    [Fact]
    public async Task Down_of_an_offline_cpu_is_EINVAL()
    {
        Assert.Equal(0, await Cpus.DownAsync(2));

        Assert.Equal(-Errno.EINVAL, await Cpus.DownAsync(2));
        Assert.Equal([0, 1, 3], Cpus.Online);
    }

    [Fact]
    public async Task Startup_runs_on_every_online_cpu_at_setup_then_on_each_cpu_as_it_comes_up_in_state_order()
    {
        var ran = new List<string>();
        Assert.Equal(0, await Cpus.DownAsync(3));
        var first = await Cpus.SetupStateAsync("test/first:online", Record(ran, "first up"), Record(ran, "first down"));
        var second = await Cpus.SetupStateAsync("test/second:online", Record(ran, "second up"), Record(ran, "second down"));

        Assert.True(first > 0 && second > first);
        Assert.Equal(["first up 0", "first up 1", "first up 2", "second up 0", "second up 1", "second up 2"], Locked(ran));
        Assert.Contains(new HotplugState(first, "test/first:online"), Cpus.States);

        ran.Clear();
        var events = Subscribe();
        Assert.Equal(0, await Cpus.UpAsync(3));
        Assert.Equal(["first up 3", "second up 3"], Locked(ran));
        // The built-in smpboot state first, then the dynamic ones; CpuOnline after all of them.
        Assert.Equal(0, (await events.ExpectMsgAsync<HotplugStep>()).State);
        Assert.Equal(first, (await events.ExpectMsgAsync<HotplugStep>(s => s.Cpu == 3 && s.Startup && s.Result == 0)).State);
        Assert.Equal(second, (await events.ExpectMsgAsync<HotplugStep>()).State);
        await events.ExpectMsgAsync(new CpuOnline(3));
    }

    [Fact]
    public async Task Teardown_runs_in_reverse_state_order_and_CpuOffline_comes_after_it()
    {
        var ran = new List<string>();
        await Cpus.SetupStateAsync("test/a:online", Ok, Record(ran, "a down"));
        await Cpus.SetupStateAsync("test/b:online", Ok, Record(ran, "b down"));
        var events = Subscribe();

        Assert.Equal(0, await Cpus.DownAsync(2));

        Assert.Equal(["b down 2", "a down 2"], Locked(ran));
        Assert.False((await events.ExpectMsgAsync<HotplugStep>()).Startup);
        Assert.Equal("test/a:online", (await events.ExpectMsgAsync<HotplugStep>()).Name);
        Assert.Equal(0, (await events.ExpectMsgAsync<HotplugStep>()).State); // smpboot parks last
        await events.ExpectMsgAsync(new CpuOffline(2));
        Assert.Equal([0, 1, 3], Cpus.Online);
    }

    [Fact]
    public async Task A_startup_failing_on_the_third_of_four_states_rolls_back_the_first_two_in_reverse_and_the_cpu_stays_down()
    {
        var ran = new List<string>();
        var fail = false;
        await Cpus.SetupStateAsync("test/1", Record(ran, "1 up"), Record(ran, "1 down"));
        await Cpus.SetupStateAsync("test/2", Record(ran, "2 up"), Record(ran, "2 down"));
        await Cpus.SetupStateAsync("test/3", cpu => Task.FromResult(Volatile.Read(ref fail) ? -Errno.ENOMEM : 0), Record(ran, "3 down"));
        await Cpus.SetupStateAsync("test/4", Record(ran, "4 up"), Record(ran, "4 down"));
        Assert.Equal(0, await Cpus.DownAsync(1));
        Volatile.Write(ref fail, true);
        lock (ran)
        {
            ran.Clear();
        }

        var events = Subscribe();
        Assert.Equal(-Errno.ENOMEM, await Cpus.UpAsync(1));

        Assert.Equal(["1 up 1", "2 up 1", "2 down 1", "1 down 1"], Locked(ran));
        Assert.Equal([0, 2, 3], Cpus.Online);
        await events.FishForMessageAsync<HotplugStep>(s => s is { Name: "test/3", Startup: true, Result: -Errno.ENOMEM });
        Assert.DoesNotContain(events.ReceiveWhile<object>(TimeSpan.FromMilliseconds(100), o => o), o => o is CpuOnline);
    }

    [Fact]
    public async Task A_startup_that_throws_fails_with_EFAULT_and_rolls_back()
    {
        var ran = new List<string>();
        var throwNow = false;
        await Cpus.SetupStateAsync("test/ok", Record(ran, "ok up"), Record(ran, "ok down"));
        await Cpus.SetupStateAsync("test/throws", _ => Volatile.Read(ref throwNow) ? throw new InvalidOperationException("boom") : Task.FromResult(0), null);
        Assert.Equal(0, await Cpus.DownAsync(3));
        Volatile.Write(ref throwNow, true);

        Assert.Equal(-Errno.EFAULT, await Cpus.UpAsync(3));
        Assert.DoesNotContain(3, Cpus.Online);
        Assert.Equal("ok down 3", Locked(ran)[^1]);
    }

    [Fact]
    public async Task A_failing_teardown_rolls_forward_and_the_cpu_stays_up()
    {
        var ran = new List<string>();
        await Cpus.SetupStateAsync("test/early", Record(ran, "early up"), Record(ran, "early down"));
        await Cpus.SetupStateAsync("test/refuses", Ok, _ => Task.FromResult(-Errno.EBUSY));
        await Cpus.SetupStateAsync("test/late", Record(ran, "late up"), Record(ran, "late down"));
        lock (ran)
        {
            ran.Clear();
        }

        Assert.Equal(-Errno.EBUSY, await Cpus.DownAsync(1));

        Assert.Equal(["late down 1", "late up 1"], Locked(ran));
        Assert.Equal([0, 1, 2, 3], Cpus.Online);
    }

    [Fact]
    public async Task A_state_whose_startup_fails_on_one_cpu_is_undone_on_the_cpus_done_and_not_installed()
    {
        var ran = new List<string>();
        var statesBefore = Cpus.States.Count;

        var result = await Cpus.SetupStateAsync("test/picky", cpu => cpu == 2 ? Task.FromResult(-Errno.ENODEV) : Record(ran, "up")(cpu), Record(ran, "down"));

        Assert.Equal(-Errno.ENODEV, result);
        Assert.Equal(["up 0", "up 1", "down 1", "down 0"], Locked(ran));
        Assert.Equal(statesBefore, Cpus.States.Count);
    }

    [Fact]
    public async Task RemoveState_tears_down_on_every_online_cpu_and_unknown_or_builtin_states_are_EINVAL()
    {
        var ran = new List<string>();
        var id = await Cpus.SetupStateAsync("test/removed", Ok, Record(ran, "down"));
        Assert.Equal(0, await Cpus.DownAsync(0));
        lock (ran)
        {
            ran.Clear();
        }

        Assert.Equal(0, await Cpus.RemoveStateAsync(id));
        Assert.Equal(["down 1", "down 2", "down 3"], Locked(ran));
        Assert.DoesNotContain(Cpus.States, s => s.Id == id);
        Assert.Equal(-Errno.EINVAL, await Cpus.RemoveStateAsync(id));
        Assert.Equal(-Errno.EINVAL, await Cpus.RemoveStateAsync(0));

        Assert.Equal(0, await Cpus.UpAsync(0));
        Assert.Equal(3, Locked(ran).Length); // removed: its callbacks never run again
    }

    [Fact]
    public async Task A_kthread_bound_to_a_cpu_going_down_loses_its_binding_and_moves_to_an_online_cpu()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(SleepUntilStopped(probe), null, "bound");
        await thread.BindAsync(2);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("started", thread.Pid));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(2, (await thread.InfoAsync()).Cpu);

        await EventFilter.Info(contains: $"process {thread.Pid} (bound) no longer affine to cpu2").ExpectOneAsync(async () =>
            Assert.Equal(0, await Cpus.DownAsync(2)));

        var info = await thread.InfoAsync();
        Assert.NotEqual(2, info.Cpu);
        Assert.Contains(info.Cpu!.Value, Cpus.Online);
        Assert.Equal(-Errno.EINVAL, await thread.BindAsync(2)); // woken: the binding is gone for good
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Nothing_runs_on_an_offline_cpu()
    {
        var seen = new int[4];
        var stop = false;
        var spinners = new List<Kthread>();
        for (var i = 0; i < 6; i++)
        {
            var spinner = await Kthreads.CreateAsync(async current =>
            {
                while (!current.ShouldStop && !Volatile.Read(ref stop))
                {
                    Interlocked.Increment(ref seen[current.Cpu!.Value]);
                    await current.YieldAsync();
                    await Task.Yield(); // lets the OS thread go: 2 cores run every spec at once
                }

                return 0;
            }, null, $"spin{i}");
            if (i < 2)
            {
                await spinner.BindAsync(1); // these two must move when cpu 1 goes; the others go anywhere
            }

            await spinner.WakeUpAsync();
            spinners.Add(spinner);
        }

        await AwaitConditionAsync(() => Task.FromResult(Volatile.Read(ref seen[1]) > 0));
        Assert.Equal(0, await Cpus.DownAsync(1));
        var frozen = Volatile.Read(ref seen[1]);
        var others = seen.Sum();
        await AwaitConditionAsync(() => Task.FromResult(seen.Sum() > others + 1000)); // the spinners go on elsewhere

        Assert.Equal(frozen, Volatile.Read(ref seen[1]));
        Volatile.Write(ref stop, true);
        foreach (var spinner in spinners)
        {
            Assert.Equal(0, await spinner.StopAsync());
        }
    }

    [Fact]
    public async Task A_running_per_cpu_thread_parks_when_its_cpu_goes_down_and_resumes_when_it_comes_up()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateOnCpuAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                await current.ParkMeAsync();
                probe.Tell(("on", current.Cpu));
                await current.ScheduleAsync();
            }

            return 0;
        }, null, 3, "percpu/{0}");
        await thread.UnparkAsync();
        await probe.ExpectMsgAsync(("on", (int?)3));

        Assert.Equal(0, await Cpus.DownAsync(3));
        Assert.Equal(KthreadState.Parked, (await thread.InfoAsync()).State);
        Assert.Equal(3, (await thread.InfoAsync()).Cpu);

        Assert.Equal(0, await Cpus.UpAsync(3));
        await probe.ExpectMsgAsync(("on", (int?)3));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_hotplug_call_from_inside_a_hotplug_callback_is_EDEADLK_not_a_hang()
    {
        var inner = 0;
        await Cpus.SetupStateAsync("test/reentrant", Ok, async cpu =>
        {
            inner = await Cpus.DownAsync(cpu == 1 ? 2 : 1);
            return 0;
        });

        Assert.Equal(0, await Cpus.DownAsync(1));
        Assert.Equal(-Errno.EDEADLK, inner);
    }

    [Fact]
    public async Task A_kthread_may_take_a_cpu_down_from_its_own_function()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(async current =>
        {
            var down = await Cpus.DownAsync(current.Cpu!.Value);
            probe.Tell(("down", down, current.Cpu));
            return 0;
        }, null, "downer");
        await thread.BindAsync(1);
        await thread.WakeUpAsync();

        // The caller sleeps off cpu 1 while it is taken down, then runs on another CPU.
        var (_, result, cpu) = await probe.ExpectMsgAsync<(string, int, int?)>();
        Assert.Equal(0, result);
        Assert.NotEqual(1, cpu);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_request_cancelled_before_its_turn_never_runs()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = Cpus.SetupStateAsync("test/slow", _ =>
        {
            entered.TrySetResult();
            return gate.Task;
        }, null);
        await entered.Task;
        using var cts = new CancellationTokenSource();
        var down = Cpus.DownAsync(2, cts.Token);

        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => down);
        gate.SetResult(0);
        Assert.True(await blocker >= 0);

        // The queue behind the blocker is served in order: this Up is answered after the abandoned Down was skipped.
        Assert.Equal(-Errno.EINVAL, await Cpus.UpAsync(2));
        Assert.Equal([0, 1, 2, 3], Cpus.Online);
    }

    [Fact]
    public async Task Argument_errors_throw_at_the_door()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Cpus.SetupStateAsync(" ", Ok, null));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Cpus.SetupStateAsync("test/x", null!, null));
    }

    private static Task<int> Ok(int cpu) => Task.FromResult(0);

    private static Func<int, Task<int>> Record(List<string> ran, string what) => cpu =>
    {
        lock (ran)
        {
            ran.Add($"{what} {cpu}");
        }

        return Task.FromResult(0);
    };

    private static string[] Locked(List<string> ran)
    {
        lock (ran)
        {
            return [.. ran];
        }
    }

    private Akka.TestKit.TestProbe Subscribe()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(HotplugStep));
        Sys.EventStream.Subscribe(probe.Ref, typeof(CpuOnline));
        Sys.EventStream.Subscribe(probe.Ref, typeof(CpuOffline));
        return probe;
    }
}
