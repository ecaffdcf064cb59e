using Akka.Actor;
using Akka.Configuration;

namespace Akka.Kthreads.Tests;

/// <summary>The base of every core spec: a real ActorSystem with Kthreads, strict transitions, short waits.</summary>
public abstract class SpecBase : Akka.TestKit.Xunit2.TestKit
{
    public static readonly Config SpecConfig = ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        kthreads {
          strict-transitions = on
          ask-timeout = 10s
          kthread.stop-timeout = 5s
          kthread.park-timeout = 5s
          worker.flush-timeout = 5s
          stop-machine.timeout = 5s
          hotplug.callback-timeout = 5s
          cpus.possible = 4
        }
        """).WithFallback(Kthreads.DefaultConfig());

    protected SpecBase(Xunit.Abstractions.ITestOutputHelper output, Config? config = null)
        : base((config ?? ConfigurationFactory.Empty).WithFallback(SpecConfig), output: output)
    {
        Kthreads = Kthreads.Get(Sys);
    }

    protected Kthreads Kthreads { get; }

    /// <summary>A function that tells the probe it started, then sleeps until stopped and returns <paramref name="code"/>.</summary>
    protected static ThreadFn SleepUntilStopped(Akka.Actor.IActorRef probe, int code = 0) => async current =>
    {
        probe.Tell(("started", current.Pid));
        while (!current.ShouldStop)
        {
            await current.ScheduleAsync();
        }

        return code;
    };

    /// <summary>A function that parks whenever asked, else sleeps until woken, until stopped; then returns <paramref name="code"/>.</summary>
    protected static ThreadFn ParkUntilStopped(int code = 0) => async current =>
    {
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                await current.ParkMeAsync();
            }
            else
            {
                await current.ScheduleAsync();
            }
        }

        return code;
    };

    /// <summary>The next <paramref name="count"/> messages of <paramref name="probe"/>, without blocking a pool thread as ReceiveN does.</summary>
    protected static async Task<List<object>> ReceiveAsync(Akka.TestKit.TestProbe probe, int count)
    {
        var received = new List<object>(count);
        for (var i = 0; i < count; i++)
        {
            received.Add(await probe.ExpectMsgAsync<object>());
        }

        return received;
    }

    /// <summary>The STAT letter ps (ListAsync) shows for <paramref name="thread"/> now.</summary>
    protected async Task<char> PsStatAsync(Kthread thread) =>
        (await Kthreads.ListAsync()).Single(r => r.Pid == thread.Pid).Stat;

    protected Task AwaitStateAsync(Kthread thread, KthreadState state) =>
        AwaitAssertAsync(async () => Xunit.Assert.Equal(state, (await thread.InfoAsync()).State));

    /// <summary>
    /// A kthread running on <paramref name="cpu"/> that holds it with no checkpoint until <paramref name="release"/> is
    /// set (at most 20 s): no stopper or other kthread can take that CPU meanwhile.
    /// </summary>
    protected static async Task<Kthread> HogAsync(Kthreads kthreads, int cpu, ManualResetEventSlim release)
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hog = await kthreads.CreateAsync(_ =>
        {
            holding.SetResult();
            release.Wait(TimeSpan.FromSeconds(20)); // test only: blocks its CPU's thread, as code between checkpoints may
            return Task.FromResult(0);
        }, null, "hog");
        await hog.BindAsync(cpu);
        await hog.WakeUpAsync();
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return hog;
    }

    /// <summary>Creates <paramref name="name"/> bound to <paramref name="cpu"/> and, unless told otherwise, wakes it.</summary>
    protected async Task<Kthread> RunBoundAsync(ThreadFn fn, string name, int cpu, bool start = true)
    {
        var thread = await Kthreads.CreateAsync(fn, null, name);
        Xunit.Assert.Equal(0, await thread.BindAsync(cpu));
        if (start)
        {
            Xunit.Assert.True(await thread.WakeUpAsync());
        }

        return thread;
    }
}
