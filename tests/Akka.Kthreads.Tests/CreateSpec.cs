using System.Globalization;
using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreaddProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>DESIGN §4 behaviours 1-4: create, arrival order, clean environment, kill-safe creation.</summary>
public sealed class CreateSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static readonly AsyncLocal<string?> CreatorsSecret = new();

    [Fact]
    public async Task Create_returns_a_New_thread_whose_function_has_not_run()
    {
        var ran = 0;
        var thread = await Kthreads.CreateAsync(_ =>
        {
            Interlocked.Increment(ref ran);
            return Task.FromResult(0);
        }, null, "fresh");

        var info = await thread.InfoAsync();
        Assert.Equal(KthreadState.New, info.State);
        Assert.Equal(0, Volatile.Read(ref ran));
        Assert.Contains(await Kthreads.ListAsync(), row => row.Pid == thread.Pid && row.State == KthreadState.New);
    }

    [Fact]
    public async Task Names_are_cut_to_15_characters()
    {
        var thread = await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "a_name_longer_than_fifteen");

        Assert.Equal("a_name_longer_t", thread.Comm);
        Assert.Equal("a_name_longer_t", (await thread.InfoAsync()).Comm);
    }

    [Fact]
    public async Task Pids_are_unique_increasing_and_children_of_kthreadd_pid_2()
    {
        var threads = new List<Kthread>();
        for (var i = 0; i < 5; i++)
        {
            threads.Add(await Kthreads.CreateAsync(_ => Task.FromResult(0), null, $"p{i}"));
        }

        // kthreadd is pid 2, so a fresh system's first kthread is 3.
        Assert.Equal([3, 4, 5, 6, 7], threads.Select(t => t.Pid));
        Assert.All(await Kthreads.ListAsync(), row => Assert.Equal(2, row.PPid));

        // A reaped pid is never handed out again.
        await threads[^1].StopAsync();
        var next = await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "next");
        Assert.Equal(8, next.Pid);
    }

    [Fact]
    public async Task Ps_lists_threads_in_pid_order_after_reaps_free_slots_that_newer_threads_take()
    {
        var threads = new List<Kthread>();
        for (var i = 0; i < 6; i++)
        {
            threads.Add(await Kthreads.CreateAsync(_ => Task.FromResult(0), null, $"old{i}"));
        }

        // Reaped from the middle, then newer threads: they take the freed places of kthreadd's table.
        await threads[1].StopAsync();
        await threads[3].StopAsync();
        for (var i = 0; i < 3; i++)
        {
            threads.Add(await Kthreads.CreateAsync(_ => Task.FromResult(0), null, $"new{i}"));
        }

        var pids = (await Kthreads.ListAsync()).Select(r => r.Pid).ToArray();
        Assert.Equal(pids.Order(), pids);
        Assert.Equal(threads.Where((_, i) => i is not (1 or 3)).Select(t => t.Pid), pids.Where(p => p > 2));
    }

    [Fact]
    public async Task Creation_requests_are_served_in_arrival_order_one_at_a_time()
    {
        var probe = CreateTestProbe();
        for (var i = 0; i < 20; i++)
        {
            Kthreads.Kthreadd.Tell(new Create(_ => Task.FromResult(0), null, $"order{i}"), probe.Ref);
        }

        for (var i = 0; i < 20; i++)
        {
            var created = await probe.ExpectMsgAsync<Created>();
            Assert.Equal($"order{i}", created.Thread.Comm);
            Assert.Equal(3 + i, created.Thread.Pid);
        }
    }

    [Fact]
    public async Task Concurrent_creators_all_get_distinct_pids()
    {
        var made = await Task.WhenAll(Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => Kthreads.CreateAsync(_ => Task.FromResult(0), null, $"c{i}"))));

        Assert.Equal(50, made.Select(t => t.Pid).Distinct().Count());
        Assert.Equal(Enumerable.Range(3, 50), made.Select(t => t.Pid).Order());
    }

    [Fact]
    public async Task The_function_runs_in_a_clean_environment()
    {
        var probe = CreateTestProbe();
        var previousCulture = CultureInfo.CurrentCulture;
        var previousContext = SynchronizationContext.Current;
        Kthread thread;
        try
        {
            // The creator's own environment: an AsyncLocal, a culture, a SynchronizationContext.
            CreatorsSecret.Value = "creator's";
            CultureInfo.CurrentCulture = new CultureInfo("fr-FR");
            SynchronizationContext.SetSynchronizationContext(new SynchronizationContext());
            thread = await Kthreads.RunAsync(current =>
            {
                probe.Tell(new Environment(CreatorsSecret.Value, CultureInfo.CurrentCulture.Name,
                    SynchronizationContext.Current is null, current.Cpu));
                return Task.FromResult(0);
            }, null, "clean");
        }
        finally
        {
            CreatorsSecret.Value = null;
            CultureInfo.CurrentCulture = previousCulture;
            SynchronizationContext.SetSynchronizationContext(previousContext);
        }

        var seen = await probe.ExpectMsgAsync<Environment>();
        Assert.Null(seen.Secret);
        Assert.Equal(CultureInfo.InvariantCulture.Name, seen.Culture);
        Assert.True(seen.NoSynchronizationContext);
        Assert.Contains(seen.Cpu!.Value, Kthreads.Cpus.Online);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Unbound_threads_are_placed_on_idle_online_cpus()
    {
        // Each thread holds its CPU (it awaits something that is not a checkpoint), so the next
        // one must be placed on another online CPU.
        var probe = CreateTestProbe();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var threads = new List<Kthread>();
        var cpus = new List<int>();
        foreach (var i in Kthreads.Cpus.Online)
        {
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                probe.Tell(current.Cpu!.Value);
                await release.Task;
                return 0;
            }, null, $"hog{i}"));
            cpus.Add(await probe.ExpectMsgAsync<int>());
        }

        Assert.Equal(Kthreads.Cpus.Online.Order(), cpus.Order());
        release.SetResult();
        foreach (var thread in threads)
        {
            Assert.Equal(0, await thread.StopAsync());
        }
    }

    [Fact]
    public async Task A_creator_that_cancels_first_gets_OperationCanceledException_and_nothing_is_made()
    {
        var ran = false;
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Kthreads.CreateAsync(_ =>
            {
                ran = true;
                return Task.FromResult(0);
            }, null, "gave-up", cts.Token));

        Assert.Empty(await Kthreads.ListAsync());
        Assert.False(ran);
        Assert.Equal(3, (await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "after")).Pid);
    }

    [Fact]
    public async Task A_request_abandoned_before_kthreadd_reaches_it_makes_no_thread_and_uses_no_pid()
    {
        var probe = CreateTestProbe();
        var handshake = new CreateHandshake();
        Assert.True(handshake.TryAbandon());

        Kthreads.Kthreadd.Tell(new Create(_ => Task.FromResult(0), null, "abandoned") { Handshake = handshake }, probe.Ref);
        Kthreads.Kthreadd.Tell(List.Instance, probe.Ref);

        // kthreadd answers in order: had it made (and answered) the thread, Created would come first.
        Assert.Empty((await probe.ExpectMsgAsync<KthreadList>()).Threads);
        Assert.Equal(3, (await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "after")).Pid);
    }

    [Fact]
    public async Task A_thread_made_for_a_creator_that_gave_up_is_reaped_before_the_creator_returns()
    {
        var probe = CreateTestProbe();
        var ran = false;
        var handshake = new CreateHandshake();
        ThreadFn fn = _ =>
        {
            ran = true;
            return Task.FromResult(0);
        };
        Kthreads.Kthreadd.Tell(new Create(fn, null, "late") { Handshake = handshake }, probe.Ref);
        var made = (await probe.ExpectMsgAsync<Created>()).Thread;

        // The creator's side of xchg(&create->done, NULL) loses: kthreadd already claimed it.
        Assert.False(handshake.TryAbandon());
        await Kthreads.AbandonAsync(handshake);

        Assert.DoesNotContain(await Kthreads.ListAsync(), row => row.Pid == made.Pid);
        Assert.Equal(KthreadState.Dead, (await made.InfoAsync()).State);
        Assert.False(ran);
    }

    [Fact]
    public async Task A_creator_cancelled_at_any_moment_never_leaves_a_thread_behind()
    {
        // Whatever the interleaving, a cancelled create leaves nothing behind and never runs the
        // function; a create that won the race returns a thread still in state New.
        var ran = 0;
        var cancelled = 0;
        for (var round = 0; round < 200; round++)
        {
            using var cts = new CancellationTokenSource();
            var create = Kthreads.CreateAsync(_ =>
            {
                Interlocked.Increment(ref ran);
                return Task.FromResult(0);
            }, null, $"race{round}", cts.Token);
            switch (round % 4)
            {
                case 0:
                    await cts.CancelAsync();
                    break;
                case 1:
                    await Task.Run(cts.Cancel);
                    break;
                case 2:
                    cts.CancelAfter(TimeSpan.FromTicks(round * 100));
                    break;
                default:
                    // Cancel only once kthreadd has answered: the create has already won.
                    _ = create.ContinueWith(_ => cts.Cancel(), TaskScheduler.Default);
                    break;
            }

            try
            {
                var thread = await create;
                Assert.Equal(KthreadState.New, (await thread.InfoAsync()).State);
                Assert.Equal(-Errno.EINTR, await thread.StopAsync());
            }
            catch (OperationCanceledException)
            {
                cancelled++;
                Assert.DoesNotContain(await Kthreads.ListAsync(), row => row.Comm == $"race{round}");
            }
        }

        Assert.Empty(await Kthreads.ListAsync());
        Assert.Equal(0, Volatile.Read(ref ran));
        Assert.InRange(cancelled, 1, 199);
    }

    private sealed record Environment(string? Secret, string Culture, bool NoSynchronizationContext, int? Cpu);
}
