using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Kthreads.Cli;
using Akka.Kthreads.Cli.Modules;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.Cli.Modules.DeleteFlags;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// Seed 003: sys_delete_module() with try_stop_module() under stop_machine, a refcount moved by
/// kthreads, and <c>kps modules</c>, which runs it end to end. Each spec has its own ActorSystem (4 CPUs).
/// </summary>
public sealed class ModulesSpec(ITestOutputHelper output) : SpecBase(output)
{
    private const string Name = "dummy";
    private readonly ITestOutputHelper _log = output;

    [Fact]
    public async Task Delete_with_O_NONBLOCK_while_in_use_returns_EWOULDBLOCK_and_the_module_stays_live_and_usable()
    {
        var (registry, module) = Load();
        var probe = CreateTestProbe();
        var holder = await HoldAsync(module, probe, "holder");

        Assert.Equal(-Errno.EWOULDBLOCK, await registry.DeleteModuleAsync(Name, O_NONBLOCK));

        Assert.Equal(ModuleState.Live, module.State);
        Assert.Same(module, registry.Find(Name));
        Assert.Equal(1, module.Refcount);
        Assert.False(registry.Tainted);
        Assert.False(module.MarkedGoing.IsCompleted);
        await TryGetAsync(registry, module, probe, expected: true);
        Assert.Equal(0, await holder.StopAsync());
        await probe.ExpectMsgAsync<Putting>();
        Assert.Equal(0, await registry.DeleteModuleAsync(Name, O_NONBLOCK)); // unused now: nothing to wait for
        Assert.Equal(ModuleState.Gone, module.State);
    }

    [Fact]
    public async Task Forced_unload_with_references_held_frees_the_module_at_once_and_taints()
    {
        var (registry, module) = Load();
        var probe = CreateTestProbe();
        var holder = await HoldAsync(module, probe, "holder");

        // "Never wait if forced": this returns while the holder still sleeps with its reference.
        Assert.Equal(0, await registry.DeleteModuleAsync(Name, O_NONBLOCK | O_TRUNC));

        Assert.True(registry.Tainted);
        Assert.Equal(ModuleRegistry.TAINT_FORCED_MODULE, registry.Taint & ModuleRegistry.TAINT_FORCED_MODULE);
        Assert.Equal(ModuleState.Gone, module.State);
        Assert.Null(registry.Find(Name));
        Assert.Equal(1, module.Refcount);
        Assert.Equal(0, await holder.StopAsync());
        await probe.ExpectMsgAsync<Putting>();
        Assert.Equal(0, module.Refcount); // its put landed on the freed module: why forcing taints
        Assert.True(registry.Tainted);
    }

    [Fact]
    public async Task Without_CONFIG_MODULE_FORCE_UNLOAD_O_TRUNC_does_not_force_and_does_not_taint()
    {
        var registry = new ModuleRegistry(Kthreads.StopMachine, forceUnload: false);
        var module = registry.Load(Name);
        var probe = CreateTestProbe();
        var holder = await HoldAsync(module, probe, "holder");

        Assert.Equal(-Errno.EWOULDBLOCK, await registry.DeleteModuleAsync(Name, O_NONBLOCK | O_TRUNC));

        Assert.False(registry.Tainted);
        Assert.Equal(ModuleState.Live, module.State);
        Assert.Equal(0, await holder.StopAsync());
    }

    [Fact]
    public async Task Blocking_delete_waits_for_the_last_put_and_then_returns_0()
    {
        var (registry, module) = Load();
        var probe = CreateTestProbe();
        var first = await HoldAsync(module, probe, "holder/1");
        var second = await HoldAsync(module, probe, "holder/2");

        var delete = registry.DeleteModuleAsync(Name, 0);
        _ = delete.PipeTo(probe.Ref);
        await module.MarkedGoing.WaitAsync(RemainingOrDefault);
        Assert.Equal(ModuleState.Going, module.State);
        Assert.False(delete.IsCompleted);

        Assert.Equal(0, await first.StopAsync());
        Assert.Equal("holder/1", (await probe.ExpectMsgAsync<Putting>()).Comm);
        Assert.Equal(1, module.Refcount);
        Assert.False(delete.IsCompleted); // one reference left: the waiter was not woken for good

        // Putting is told before module_put, the result after the delete returned: one mailbox keeps the order.
        var stopped = second.StopAsync();
        Assert.Equal("holder/2", (await probe.ExpectMsgAsync<Putting>()).Comm);
        await probe.ExpectMsgAsync(0);
        Assert.Equal(0, await stopped);
        Assert.Equal(ModuleState.Gone, module.State);
        Assert.Null(registry.Find(Name));
        Assert.False(registry.Tainted);
    }

    [Fact]
    public async Task TryGet_on_a_going_module_fails()
    {
        var (registry, module) = Load();
        var probe = CreateTestProbe();
        var holder = await HoldAsync(module, probe, "holder");
        var delete = registry.DeleteModuleAsync(Name, 0);
        await module.MarkedGoing.WaitAsync(RemainingOrDefault);

        await TryGetAsync(registry, module, probe, expected: false);

        Assert.Equal(1, module.Refcount); // the refused gets took nothing
        Assert.False(delete.IsCompleted);
        Assert.Equal(0, await holder.StopAsync());
        await probe.ExpectMsgAsync<Putting>();
        Assert.Equal(0, await delete.WaitAsync(RemainingOrDefault));
        await TryGetAsync(registry, module, probe, expected: false); // and once it is gone
    }

    [Fact]
    public async Task A_second_delete_of_a_going_module_returns_EBUSY_without_waiting()
    {
        var (registry, module) = Load();
        var probe = CreateTestProbe();
        var holder = await HoldAsync(module, probe, "holder");
        var delete = registry.DeleteModuleAsync(Name, 0);
        await module.MarkedGoing.WaitAsync(RemainingOrDefault);

        // wait_for_zero_refcount() sleeps without module_mutex, so this is answered while the first waits.
        Assert.Equal(-Errno.EBUSY, await registry.DeleteModuleAsync(Name, 0).WaitAsync(RemainingOrDefault));

        Assert.False(delete.IsCompleted);
        Assert.Equal(0, await holder.StopAsync());
        Assert.Equal(0, await delete.WaitAsync(RemainingOrDefault));
    }

    [Fact]
    public async Task Delete_of_an_unknown_module_returns_ENOENT()
    {
        var (registry, _) = Load();

        Assert.Equal(-Errno.ENOENT, await registry.DeleteModuleAsync("nosuchmodule", O_NONBLOCK));
        Assert.Equal(0, await registry.DeleteModuleAsync(Name, O_NONBLOCK));
        Assert.Equal(-Errno.ENOENT, await registry.DeleteModuleAsync(Name, 0)); // deleted: unknown again
        Assert.False(registry.TryGet(Name));
        Assert.False(registry.Put(Name));
    }

    [Fact]
    public async Task The_refcount_cannot_move_while_stop_machine_fn_runs()
    {
        const int Hammers = 8, Rounds = 50, Reads = 5_000;
        var (_, module) = Load();
        var hammer = new Hammer(module);

        // The first stop_machine makes the CPU actors: do that before the hammers load the thread pool.
        Assert.Equal(0, await Kthreads.StopMachine.RunAsync(_ => 0));
        var threads = new List<Kthread>();
        for (var i = 0; i < Hammers; i++)
        {
            var thread = await Kthreads.CreateAsync(hammer.RunAsync, null, $"hammer/{i}");
            // Two per CPU: every YieldAsync hands the CPU to the other one, so all of them keep moving.
            Assert.Equal(0, await thread.BindAsync(i % Kthreads.Cpus.Possible.Count));
            threads.Add(thread);
        }

        foreach (var thread in threads)
        {
            await thread.WakeUpAsync();
        }

        hammer.Go();
        var seen = new SortedSet<int>();
        var (ran, moved, running, notInRun) = (0, 0, 0, 0);
        for (var round = 0; round < Rounds; round++)
        {
            // Each round stops the machine right after some hammer took a reference: they are at it.
            await hammer.NextGetAsync().WaitAsync(RemainingOrDefault);
            var ret = await Kthreads.StopMachine.RunAsync(_ =>
            {
                ran++;
                notInRun += Kthreads.StopMachine.State == MultiStopState.Run ? 0 : 1;
                var first = module.Refcount;
                seen.Add(first);
                for (var read = 0; read < Reads; read++)
                {
                    moved += module.Refcount == first ? 0 : 1;
                    running += hammer.Between == 0 ? 0 : 1;
                    Thread.SpinWait(20);
                }

                return 0;
            });
            Assert.Equal(0, ret);
        }

        hammer.Stop();
        foreach (var thread in threads)
        {
            Assert.Equal(0, await thread.StopAsync());
        }

        _log.WriteLine($"refcounts seen inside fn: {string.Join(", ", seen)}; {hammer.Pairs} get/put pairs");
        Assert.Equal(Rounds, ran);
        Assert.Equal(0, notInRun);
        Assert.Equal(0, running); // no hammer was between two checkpoints while fn ran
        Assert.Equal(0, moved);
        Assert.Equal(0, module.Refcount);
        Assert.True(hammer.Pairs >= Rounds, $"only {hammer.Pairs} get/put pairs in {Rounds} rounds");
    }

    [Fact]
    public async Task Kps_modules_runs_seed_003_and_exits_0()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await Program.RunAsync(["modules", "--cpus", "4"], stdout, rich: false, error: stderr);

        var text = stdout.ToString();
        _log.WriteLine(text);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr.ToString());
        var users = Regex.Matches(text, @"^\s*\d+\s+2\s+(\d)\s+[RS]\s+(dummy|loop|nbd)-user/[01]$", RegexOptions.Multiline);
        Assert.Equal(6, users.Count);
        Assert.Matches(@"(?m)^3\. StopMachine\.RunAsync 20 times, .*never moved\.$", text);
        Assert.Contains("4. DeleteModuleAsync(\"dummy\", O_NONBLOCK) while its 2 users hold it: -11 (-EWOULDBLOCK).", text);
        Assert.Matches(@"(?m)^\s*Its users go on taking references: dummy-user/0 \d+ get/put pairs, dummy-user/1 \d+ get/put pairs so far\.$", text);
        Assert.Contains("5. DeleteModuleAsync(\"loop\", O_NONBLOCK | O_TRUNC) while its 2 users hold it: 0.", text);
        Assert.Contains("Tainted: F (TAINT_FORCED_MODULE, taint mask 2)", text);
        Assert.Contains("still hold 2 references to the freed module", text);
        Assert.Contains("6. DeleteModuleAsync(\"nbd\", 0) blocks", text);
        Assert.Matches(@"(?m)^\s*nbd\s+2\s+Going$", text);
        Assert.Contains("Meanwhile DeleteModuleAsync(\"nbd\", O_NONBLOCK): -16 (-EBUSY), already dying.", text);
        Assert.Matches(@"(?m)^\s*StopAsync\(nbd-user/0 \(pid \d+\)\): -19 \(-ENODEV\); refcount 1, the delete still waits\.$", text);
        Assert.Matches(@"(?m)^\s*StopAsync\(nbd-user/1 \(pid \d+\)\): -19 \(-ENODEV\); its module_put was the last one and woke the deleter: DeleteModuleAsync returned 0\.$", text);
        Assert.Contains("(dummy-user/0 0, dummy-user/1 0, loop-user/0 -19 (-ENODEV), loop-user/1 -19 (-ENODEV))", text);
        Assert.Contains("now unused: 0; once more: -2 (-ENOENT).", text);
        Assert.Matches(@"8\. After the stops only kthreadd is left; the registry stays tainted\.\r?\n\s*PID\s+PPID\s+CPU\s+STAT\s+COMMAND\r?\n\s*2\s+0\s+-\s+S\s+kthreadd\r?\n\r?\n", text);
    }

    private (ModuleRegistry Registry, Module Module) Load()
    {
        var registry = new ModuleRegistry(Kthreads.StopMachine);
        return (registry, registry.Load(Name));
    }

    /// <summary>A kthread that takes a reference, sleeps until stopped, then tells <see cref="Putting"/> and puts it.</summary>
    private async Task<Kthread> HoldAsync(Module module, TestProbe probe, string name)
    {
        var thread = await Kthreads.RunAsync(async current =>
        {
            var got = module.TryGet();
            probe.Tell(new Got(current.Comm, got));
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            if (got)
            {
                probe.Tell(new Putting(current.Comm));
                module.Put();
            }

            return 0;
        }, null, name);
        Assert.True((await probe.ExpectMsgAsync<Got>()).Taken);
        return thread;
    }

    /// <summary>try_module_get from a kthread, by handle and by name; both must give <paramref name="expected"/>.</summary>
    private async Task TryGetAsync(ModuleRegistry registry, Module module, TestProbe probe, bool expected)
    {
        var thread = await Kthreads.RunAsync(async current =>
        {
            var byHandle = module.TryGet();
            var byName = registry.TryGet(Name);
            probe.Tell((byHandle, byName));
            await current.YieldAsync();
            if (byHandle)
            {
                module.Put();
            }

            if (byName)
            {
                registry.Put(Name);
            }

            return 0;
        }, null, "tryget");
        Assert.Equal((expected, expected), await probe.ExpectMsgAsync<(bool, bool)>());
        Assert.Equal(0, await thread.StopAsync());
    }

    private sealed record Got(string Comm, bool Taken);

    /// <summary>
    /// The hammers' shared loop: get, checkpoint, put, checkpoint. <see cref="Between"/> counts hammers
    /// between two checkpoints, which stop_machine says is none while fn runs.
    /// </summary>
    private sealed class Hammer(Module module)
    {
        private const int HopEvery = 64;
        private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _nextGet;
        private volatile bool _stopping;
        private int _between;
        private int _pairs;

        public int Between => Volatile.Read(ref _between);

        public int Pairs => Volatile.Read(ref _pairs);

        public void Go() => _go.SetResult();

        public void Stop() => _stopping = true;

        /// <summary>Completes at some hammer's next successful TryGet.</summary>
        public Task NextGetAsync()
        {
            var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _nextGet, next);
            return next.Task;
        }

        public async Task<int> RunAsync(KthreadContext current)
        {
            await _go.Task; // not a checkpoint: the first of each pair keeps its CPU until all are awake
            var turns = 0;
            while (!_stopping && !current.ShouldStop)
            {
                Interlocked.Increment(ref _between);
                var got = module.TryGet();
                if (got && Volatile.Read(ref _nextGet) is not null)
                {
                    Interlocked.Exchange(ref _nextGet, null)?.TrySetResult();
                }

                // Now and then a real hop through the pool's global queue, still holding the CPU (not a
                // checkpoint): fn must not run meanwhile either, and the actors get their turn on the pool.
                if (++turns % HopEvery == 0)
                {
                    await Task.Yield();
                }

                Interlocked.Decrement(ref _between);
                await current.YieldAsync();
                Interlocked.Increment(ref _between);
                if (got)
                {
                    module.Put();
                    Interlocked.Increment(ref _pairs);
                }

                Interlocked.Decrement(ref _between);
                await current.YieldAsync();
            }

            return 0;
        }
    }

    private sealed record Putting(string Comm);
}
