using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>
/// set_cpus_allowed_ptr() for a kthread: a mask for a thread at any time (kthread_bind only before its
/// first wake-up), honoured at the thread's next checkpoint; -EINVAL, -ESRCH; hotplug's fallback.
/// </summary>
public sealed class SetCpusAllowedSpec(ITestOutputHelper output) : SpecBase(output)
{
    private Akka.Kthreads.Cpus Cpus => Kthreads.Cpus;

    /// <summary>
    /// The CPU the calling function runs on, as current.Cpu says, as the OS thread it is on says, and as
    /// that CPU's run queue says (it holds the thread); the spec fails if they differ.
    /// </summary>
    private static int? Here(KthreadContext current, Akka.Kthreads.Cpus cpus)
    {
        var os = cpus.Possible.Where(c => ReferenceEquals(cpus.Queue(c).OsThread, CpuThread.Current)).Select(c => (int?)c).FirstOrDefault();
        return os == current.Cpu && os is { } cpu && ReferenceEquals(cpus.Queue(cpu).Holder, current)
            ? os
            : throw new InvalidOperationException($"current.Cpu {current.Cpu} but on the OS thread of cpu {os}, or its run queue does not hold {current.Comm}");
    }

    // Reports its CPU each time it runs: at start, and after each sleep or park.
    private ThreadFn ReportCpu(IActorRef probe) => async current =>
    {
        probe.Tell(("cpu", Here(current, Cpus)));
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                await current.ParkMeAsync();
                probe.Tell(("unparked", Here(current, Cpus)));
                continue;
            }

            await current.ScheduleAsync();
            probe.Tell(("cpu", Here(current, Cpus)));
        }

        return 0;
    };

    [Fact]
    public async Task A_running_thread_keeps_its_cpu_until_its_next_checkpoint_then_runs_on_an_allowed_one()
    {
        var probe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.CreateAsync(async current =>
        {
            probe.Tell(("before", Here(current, Cpus)));
            await gate.Task; // not a checkpoint: the thread holds its CPU meanwhile
            probe.Tell(("still", Here(current, Cpus)));
            await current.YieldAsync(); // cond_resched(): the checkpoint
            probe.Tell(("after", Here(current, Cpus)));
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "mover");
        Assert.Equal(0, await thread.BindAsync(1));
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("before", (int?)1));

        Assert.Equal(0, await thread.SetCpusAllowedAsync([2, 3]));
        var running = await thread.InfoAsync();
        Assert.Equal((KthreadState.Running, (int?)1), (running.State, running.Cpu)); // ps: where it runs now

        gate.SetResult();
        await probe.ExpectMsgAsync(("still", (int?)1));
        var (what, cpu) = await probe.ExpectMsgAsync<(string, int?)>();
        Assert.Equal("after", what);
        Assert.Contains(cpu!.Value, new[] { 2, 3 });

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(cpu, (await thread.InfoAsync()).Cpu);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_sleeping_thread_is_shown_on_and_resumes_on_the_allowed_cpu()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "sleeper");
        await thread.BindAsync(0);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)0));
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(0, await thread.SetCpusAllowedAsync([3]));
        Assert.Equal((KthreadState.Sleeping, (int?)3), ((await thread.InfoAsync()).State, (await thread.InfoAsync()).Cpu));

        for (var i = 0; i < 3; i++)
        {
            await AwaitStateAsync(thread, KthreadState.Sleeping);
            await thread.WakeUpAsync();
            await probe.ExpectMsgAsync(("cpu", (int?)3));
        }

        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_parked_thread_resumes_on_the_allowed_cpu_when_unparked()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "parker");
        await thread.BindAsync(2);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)2));
        Assert.Equal(0, await thread.ParkAsync());
        await probe.ExpectMsgAsync(("cpu", (int?)2)); // the park woke it out of schedule() on its way to park

        Assert.Equal(0, await thread.SetCpusAllowedAsync([0, 1]));
        var parked = await thread.InfoAsync();
        Assert.Equal(KthreadState.Parked, parked.State);
        Assert.Contains(parked.Cpu!.Value, new[] { 0, 1 });

        await thread.UnparkAsync();
        var (what, cpu) = await probe.ExpectMsgAsync<(string, int?)>();
        Assert.Equal("unparked", what);
        Assert.Contains(cpu!.Value, new[] { 0, 1 });
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Before_the_first_wakeup_the_mask_holds_and_kthread_bind_still_works_only_until_then()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "fresh");
        Assert.Equal(0, await thread.SetCpusAllowedAsync([2]));
        Assert.Equal(2, (await thread.InfoAsync()).Cpu);
        Assert.Equal(0, await thread.BindAsync(1)); // never woken: kthread_bind replaces the mask

        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)1));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(-Errno.EINVAL, await thread.BindAsync(3)); // woken: kthread_bind refuses, as before
        Assert.Equal(0, await thread.SetCpusAllowedAsync([3])); // set_cpus_allowed_ptr does not
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)3));

        // Every CPU again: an unbound thread, placed as any other.
        Assert.Equal(0, await thread.SetCpusAllowedAsync(Cpus.Possible.ToArray()));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await thread.WakeUpAsync();
        var (_, cpu) = await probe.ExpectMsgAsync<(string, int?)>();
        Assert.Contains(cpu!.Value, Cpus.Online);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task An_empty_mask_or_one_with_no_online_cpu_replies_EINVAL_and_changes_nothing()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "picky");
        await thread.BindAsync(1);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)1));
        Assert.Equal(0, await Cpus.DownAsync(3));

        Assert.Equal(-Errno.EINVAL, await thread.SetCpusAllowedAsync([]));
        Assert.Equal(-Errno.EINVAL, await thread.SetCpusAllowedAsync([3]));
        Assert.Equal(-Errno.EINVAL, await thread.SetCpusAllowedAsync([3, 3]));

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)1)); // still bound to 1

        // An offline CPU beside an online one is fine: it counts once it comes up.
        Assert.Equal(0, await thread.SetCpusAllowedAsync([3, 2]));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)2));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_cpu_outside_Possible_throws_at_the_door_and_by_hand_replies_EINVAL()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "nocpu");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => thread.SetCpusAllowedAsync([0, Cpus.Possible.Count]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => thread.SetCpusAllowedAsync([-1]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => thread.SetCpusAllowedAsync(null!));
        probe.Send(thread.Ref, new SetCpusAllowed([0, Cpus.Possible.Count]));
        await probe.ExpectMsgAsync(new SetCpusAllowedResult(-Errno.EINVAL));
        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
    }

    [Fact]
    public async Task A_per_cpu_thread_refuses_to_move_with_EINVAL()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateOnCpuAsync(ReportCpu(probe.Ref), null, 2, "ksoftirqd/{0}");
        await thread.UnparkAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)2));

        // kernel: kthread_is_per_cpu() (PF_NO_SETAFFINITY) — smpboot owns its CPU.
        Assert.Equal(-Errno.EINVAL, await thread.SetCpusAllowedAsync([0]));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)2));
        Assert.Equal(2, (await thread.InfoAsync()).Cpu);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_reaped_thread_replies_ESRCH()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(ReportCpu(probe.Ref), null, "gone");
        await probe.ExpectMsgAsync<(string, int?)>();
        Assert.Equal(0, await thread.StopAsync());

        Assert.Equal(-Errno.ESRCH, await thread.SetCpusAllowedAsync([1]));
    }

    [Fact]
    public async Task Hotplug_moves_a_thread_within_its_mask_and_only_the_last_allowed_cpu_going_down_drops_it()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(ReportCpu(probe.Ref), null, "masked");
        await thread.BindAsync(2);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)2));
        Assert.Equal(0, await thread.SetCpusAllowedAsync([2, 3]));
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        // cpu2 goes: another CPU of the mask is online, so the mask stays and nothing is logged.
        await EventFilter.Info(contains: "no longer affine").ExpectAsync(0, async () => Assert.Equal(0, await Cpus.DownAsync(2)));
        Assert.Equal(3, (await thread.InfoAsync()).Cpu);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)3));
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        // cpu3 goes too: none of the mask is left, so the thread runs anywhere, as a bound thread does.
        await EventFilter.Info(contains: $"process {thread.Pid} (masked) no longer affine to cpu3").ExpectOneAsync(async () =>
            Assert.Equal(0, await Cpus.DownAsync(3)));
        Assert.Contains((await thread.InfoAsync()).Cpu!.Value, new[] { 0, 1 });
        await thread.WakeUpAsync();
        var (_, cpu) = await probe.ExpectMsgAsync<(string, int?)>();
        Assert.Contains(cpu!.Value, new[] { 0, 1 });

        // cpu2 is back: the thread may be moved there again.
        Assert.Equal(0, await Cpus.UpAsync(2));
        Assert.Equal(0, await thread.SetCpusAllowedAsync([2]));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await thread.WakeUpAsync();
        await probe.ExpectMsgAsync(("cpu", (int?)2));
        Assert.Equal(0, await thread.StopAsync());
    }
}
