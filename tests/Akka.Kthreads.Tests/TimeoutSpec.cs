using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>DESIGN §4 behaviour 16: every wait has a timeout from config; no ask waits forever.</summary>
public sealed class TimeoutSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString("""
    kthreads.kthread.stop-timeout = 300ms
    kthreads.kthread.park-timeout = 300ms
    """))
{
    [Fact]
    public async Task A_stop_the_function_ignores_replies_ETIMEDOUT_and_a_later_stop_collects_the_code()
    {
        var probe = CreateTestProbe();
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async _ =>
        {
            probe.Tell("stuck");
            await finish.Task; // never looks at ShouldStop
            return 12;
        }, null, "stuck");
        await probe.ExpectMsgAsync("stuck");

        probe.Send(thread.Ref, Stop.Instance);
        await probe.ExpectMsgAsync(new Stopped(-Errno.ETIMEDOUT), TimeSpan.FromSeconds(5));

        // Nothing is lost: the stop stays requested and the code waits in the zombie.
        finish.SetResult();
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(12, await thread.StopAsync());
    }

    [Fact]
    public async Task A_park_the_function_ignores_replies_ETIMEDOUT()
    {
        var probe = CreateTestProbe();
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell("busy");
            await finish.Task;
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return 0;
        }, null, "noparker");
        await probe.ExpectMsgAsync("busy");

        Assert.Equal(-Errno.ETIMEDOUT, await thread.ParkAsync());
        finish.SetResult();
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_per_cpu_thread_that_does_not_park_keeps_its_cpu_up_and_nothing_stays_parked_there()
    {
        var probe = CreateTestProbe();
        var wq = new WaitQueue();
        var released = false;
        var sleeperRuns = 1;
        var otherRuns = 0;
        var sleeper = new PerCpuThread("dsleep/{0}", td => td.Cpu == 1 && Volatile.Read(ref sleeperRuns) > 0, async td =>
        {
            Interlocked.Decrement(ref sleeperRuns);
            probe.Tell("asleep");
            // TASK_UNINTERRUPTIBLE: a park request does not end this sleep, and the CPU is free meanwhile.
            await td.Current.WaitEventUninterruptibleAsync(wq, () => Volatile.Read(ref released));
            probe.Tell("sleeper ran");
        });
        var other = new PerCpuThread("other/{0}", td => td.Cpu == 1 && Volatile.Read(ref otherRuns) > 0, _ =>
        {
            Interlocked.Decrement(ref otherRuns);
            probe.Tell("other ran");
            return Task.CompletedTask;
        });
        // Registered second, so going down parks it first (smpboot parks in reverse registration order).
        Assert.Equal(0, await Kthreads.PerCpuThreads.RegisterAsync(sleeper));
        Assert.Equal(0, await Kthreads.PerCpuThreads.RegisterAsync(other));
        await Kthreads.PerCpuThreads.Get(sleeper, 1)!.Thread.WakeUpAsync();
        await probe.ExpectMsgAsync("asleep");

        // kernel: smpboot_park_threads() waits for the park, so no CPU goes down under a per-CPU thread that has not parked.
        Assert.Equal(-Errno.ETIMEDOUT, await Kthreads.Cpus.DownAsync(1));
        Assert.True(Kthreads.Cpus.IsOnline(1));

        // Nothing stays parked on the CPU that stayed up: the thread parked first runs again, and the one that did not
        // park keeps no park request to act on later.
        Interlocked.Increment(ref otherRuns);
        await Kthreads.PerCpuThreads.Get(other, 1)!.Thread.WakeUpAsync();
        await probe.ExpectMsgAsync("other ran");
        Volatile.Write(ref released, true);
        wq.WakeUp();
        await probe.ExpectMsgAsync("sleeper ran");
        Interlocked.Increment(ref sleeperRuns);
        await Kthreads.PerCpuThreads.Get(sleeper, 1)!.Thread.WakeUpAsync();
        await probe.ExpectMsgAsync("asleep");
        await probe.ExpectMsgAsync("sleeper ran");

        Assert.Equal(0, await Kthreads.Cpus.DownAsync(1));
        Assert.Equal(0, await Kthreads.Cpus.UpAsync(1));
        await Kthreads.PerCpuThreads.UnregisterAsync(other);
        await Kthreads.PerCpuThreads.UnregisterAsync(sleeper);
    }
}

/// <summary>The facade's own ask timeout: a TimeoutException, never a hang.</summary>
public sealed class AskTimeoutSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString("""
    kthreads.ask-timeout = 300ms
    kthreads.kthread.stop-timeout = 200ms
    kthreads.kthread.park-timeout = 200ms
    kthreads.worker.flush-timeout = 200ms
    """))
{
    [Fact]
    public async Task A_handle_whose_thread_never_answers_throws_TimeoutException_naming_the_setting()
    {
        // A handle on an actor that swallows everything (what a lost message looks like).
        var silent = CreateTestProbe();
        var handle = new Kthread(99, "silent", silent.Ref, Kthreads.Settings, Kthreads.Cpus);

        var e = await Assert.ThrowsAsync<TimeoutException>(() => handle.StopAsync());
        Assert.Contains("ask-timeout", e.Message);
        await Assert.ThrowsAsync<TimeoutException>(() => handle.WakeUpAsync());
        await Assert.ThrowsAsync<TimeoutException>(() => handle.InfoAsync());
    }

    [Fact]
    public void An_ask_timeout_not_longer_than_the_stop_timeout_is_refused_at_start()
    {
        var config = ConfigurationFactory.ParseString("""
            ask-timeout = 5s
            kthread.stop-timeout = 5s
            """).WithFallback(Kthreads.DefaultConfig().GetConfig("kthreads"));

        var e = Assert.Throws<ConfigurationException>(() => KthreadsSettings.FromConfig(config));
        Assert.Contains("kthreads.ask-timeout", e.Message);
    }
}
