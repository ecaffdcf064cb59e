using Akka.Actor;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Hotplug;

/// <summary>DESIGN §5 smpboot: one thread per online CPU, following hotplug, keeping its per-CPU state.</summary>
public sealed class PerCpuThreadSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task Register_makes_one_per_cpu_thread_per_online_cpu_named_from_Comm()
    {
        Assert.Equal(0, await Kthreads.Cpus.DownAsync(2));
        var probe = CreateTestProbe();
        var spec = Counting(probe);

        Assert.Equal(0, await Kthreads.PerCpuThreads.RegisterAsync(spec));

        var rows = (await Kthreads.ListAsync()).Where(r => r.Comm.StartsWith("ksoftirqd/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["ksoftirqd/0", "ksoftirqd/1", "ksoftirqd/3"], rows.Select(r => r.Comm));
        Assert.All(rows, r => Assert.True(r.PerCpu));
        Assert.Equal([0, 1, 3], rows.Select(r => r.Cpu!.Value));
        Assert.Null(Kthreads.PerCpuThreads.Get(spec, 2));
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    [Fact]
    public async Task Setup_runs_once_on_its_cpu_then_ThreadFn_runs_there_whenever_ThreadShouldRun_holds()
    {
        var probe = CreateTestProbe();
        var spec = Counting(probe);
        await Kthreads.PerCpuThreads.RegisterAsync(spec);
        var setups = (await ReceiveAsync(probe, 4)).Cast<(string, int, int?)>().ToList();
        Assert.All(setups, s => Assert.Equal(("setup", s.Item2, (int?)s.Item2), s));

        var td = Kthreads.PerCpuThreads.Get(spec, 1)!;
        ((Counter)td.State!).Pending = 2;
        await td.Thread.WakeUpAsync();

        await probe.ExpectMsgAsync(("run", 1, (int?)1));
        await probe.ExpectMsgAsync(("run", 1, (int?)1));
        await AwaitStateAsync(td.Thread, KthreadState.Sleeping);
        Assert.Equal(2, ((Counter)td.State!).Done);
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    [Fact]
    public async Task Its_cpu_going_down_parks_it_and_coming_up_unparks_it_with_the_same_state()
    {
        var probe = CreateTestProbe();
        var spec = Counting(probe);
        await Kthreads.PerCpuThreads.RegisterAsync(spec);
        await ReceiveAsync(probe, 4);
        var td = Kthreads.PerCpuThreads.Get(spec, 3)!;
        var state = (Counter)td.State!;
        state.Pending = 1;
        await td.Thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("run", 3, (int?)3));

        Assert.Equal(0, await Kthreads.Cpus.DownAsync(3));
        await probe.ExpectMsgAsync(("park", 3, (int?)3));
        var row = (await Kthreads.ListAsync()).Single(r => r.Pid == td.Thread.Pid);
        Assert.Equal((KthreadState.Parked, (int?)3), (row.State, row.Cpu));

        Assert.Equal(0, await Kthreads.Cpus.UpAsync(3));
        await probe.ExpectMsgAsync(("unpark", 3, (int?)3));
        Assert.Same(td, Kthreads.PerCpuThreads.Get(spec, 3));
        Assert.Same(state, td.State);
        state.Pending = 1;
        await td.Thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("run", 3, (int?)3));
        Assert.Equal(2, state.Done); // counted on across down and up
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    [Fact]
    public async Task Unpark_answers_a_Park_so_a_spec_without_Park_gets_no_Unpark_after_its_cpu_comes_back()
    {
        var probe = CreateTestProbe();
        var spec = Counting(probe) with { Park = null };
        await Kthreads.PerCpuThreads.RegisterAsync(spec);
        await ReceiveAsync(probe, 4);
        Assert.Equal(0, await Kthreads.Cpus.DownAsync(3));
        Assert.Equal(0, await Kthreads.Cpus.UpAsync(3));

        var td = Kthreads.PerCpuThreads.Get(spec, 3)!;
        ((Counter)td.State!).Pending = 1;
        await td.Thread.WakeUpAsync();

        // kernel: HP_THREAD_PARKED only after ht->park ran; otherwise the thread stays ACTIVE and unpark is not called.
        await probe.ExpectMsgAsync(("run", 3, (int?)3));
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    [Fact]
    public async Task A_cpu_that_comes_up_after_register_gets_its_thread_then()
    {
        var probe = CreateTestProbe();
        var spec = Counting(probe);
        Assert.Equal(0, await Kthreads.Cpus.DownAsync(1));
        await Kthreads.PerCpuThreads.RegisterAsync(spec);
        await ReceiveAsync(probe, 3);

        Assert.Equal(0, await Kthreads.Cpus.UpAsync(1));

        await probe.ExpectMsgAsync(("setup", 1, (int?)1));
        var td = Kthreads.PerCpuThreads.Get(spec, 1)!;
        Assert.Equal("ksoftirqd/1", td.Thread.Comm);
        Assert.Equal(1, ((Counter)td.State!).Cpu);
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    [Fact]
    public async Task Unregister_stops_every_thread_and_each_runs_Cleanup_saying_whether_its_cpu_is_online()
    {
        var probe = CreateTestProbe();
        var spec = Counting(probe);
        await Kthreads.PerCpuThreads.RegisterAsync(spec);
        await ReceiveAsync(probe, 4);
        Assert.Equal(0, await Kthreads.Cpus.DownAsync(0));
        await probe.ExpectMsgAsync(("park", 0, (int?)0));
        var pids = Enumerable.Range(0, 4).Select(c => Kthreads.PerCpuThreads.Get(spec, c)!.Thread.Pid).ToList();

        await Kthreads.PerCpuThreads.UnregisterAsync(spec);

        var cleanups = (await ReceiveAsync(probe, 4)).Cast<(string, int, bool)>().OrderBy(c => c.Item2).ToList();
        Assert.Equal([("cleanup", 0, false), ("cleanup", 1, true), ("cleanup", 2, true), ("cleanup", 3, true)], cleanups);
        Assert.DoesNotContain(await Kthreads.ListAsync(), r => pids.Contains(r.Pid));
        Assert.Null(Kthreads.PerCpuThreads.Get(spec, 1));
    }

    [Fact]
    public async Task A_self_parking_thread_is_left_to_its_owner_by_hotplug()
    {
        var probe = CreateTestProbe();
        var spec = Counting(probe) with { SelfParking = true };
        await Kthreads.PerCpuThreads.RegisterAsync(spec);
        var td = Kthreads.PerCpuThreads.Get(spec, 2)!;
        Assert.Equal(KthreadState.Parked, (await td.Thread.InfoAsync()).State); // created parked, not unparked

        await td.Thread.UnparkAsync();
        await probe.ExpectMsgAsync(("setup", 2, (int?)2));
        await AwaitStateAsync(td.Thread, KthreadState.Sleeping);
        await Kthreads.Cpus.SetupStateAsync("test/noop", _ => Task.FromResult(0), null);

        Assert.Equal(0, await Kthreads.Cpus.DownAsync(1));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nobody asked it to park
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    [Fact]
    public async Task The_same_spec_registered_twice_is_EEXIST_and_bad_specs_throw_at_the_door()
    {
        var spec = Counting(CreateTestProbe());
        Assert.Equal(0, await Kthreads.PerCpuThreads.RegisterAsync(spec));

        Assert.Equal(-Errno.EEXIST, await Kthreads.PerCpuThreads.RegisterAsync(spec));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Kthreads.PerCpuThreads.RegisterAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => Kthreads.PerCpuThreads.RegisterAsync(spec with { Comm = "bad/{1}" }));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Kthreads.PerCpuThreads.RegisterAsync(spec with { ThreadFn = null! }));
        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
        await Kthreads.PerCpuThreads.UnregisterAsync(spec); // unknown now: nothing happens
    }

    [Fact]
    public async Task A_wake_up_between_ThreadShouldRun_and_the_sleep_is_never_lost()
    {
        var done = CreateTestProbe();
        var spec = new PerCpuThread("race/{0}", td => Volatile.Read(ref ((Counter)td.State!).Pending) > 0, td =>
        {
            var state = (Counter)td.State!;
            Interlocked.Decrement(ref state.Pending);
            done.Ref.Tell(Interlocked.Increment(ref state.Done));
            return Task.CompletedTask;
        })
        { CreateState = cpu => new Counter(cpu) };
        await Kthreads.PerCpuThreads.RegisterAsync(spec);
        var td = Kthreads.PerCpuThreads.Get(spec, 0)!;
        var state = (Counter)td.State!;

        // Each round raises work and wakes the thread while it may be between its check and its sleep.
        for (var round = 1; round <= 2000; round++)
        {
            Interlocked.Increment(ref state.Pending);
            td.Thread.Ref.Tell(KthreadProtocol.WakeUp.Instance, ActorRefs.NoSender);
            await done.ExpectMsgAsync(round);
        }

        await Kthreads.PerCpuThreads.UnregisterAsync(spec);
    }

    private static PerCpuThread Counting(TestProbe probe) => new(
        "ksoftirqd/{0}",
        td => ((Counter)td.State!).Pending > 0,
        td =>
        {
            var state = (Counter)td.State!;
            state.Pending--;
            state.Done++;
            probe.Ref.Tell(("run", td.Cpu, td.Current.Cpu));
            return Task.CompletedTask;
        })
    {
        CreateState = cpu => new Counter(cpu),
        Setup = td => Say(probe, "setup", td),
        Park = td => Say(probe, "park", td),
        Unpark = td => Say(probe, "unpark", td),
        Cleanup = (td, online) =>
        {
            probe.Ref.Tell(("cleanup", td.Cpu, online));
            return Task.CompletedTask;
        },
    };

    private static Task Say(TestProbe probe, string what, PerCpu td)
    {
        probe.Ref.Tell((what, td.Cpu, td.Current.Cpu));
        return Task.CompletedTask;
    }

    private sealed class Counter(int cpu)
    {
        public int Cpu { get; } = cpu;

        public int Pending;

        public int Done;
    }
}
