using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Kthreads.Cli.Output;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Watchdog;

/// <summary>
/// The soft-lockup watchdog (kernel/watchdog.c): a kthread that holds its CPU past the threshold without
/// a checkpoint is reported once, by CPU, pid and name, in the log and on the event stream.
/// </summary>
public sealed class SoftLockupSpec(ITestOutputHelper output)
    : SpecBase(output, ConfigurationFactory.ParseString("kthreads.watchdog.soft-lockup-threshold = 1s"))
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_kthread_spinning_past_the_threshold_is_reported_once_with_its_cpu_pid_and_name()
    {
        var lockups = Subscribe<SoftLockupDetected>();
        var errors = Subscribe<Error>();
        var notes = new WatchdogNotes(Sys, Kthreads.Settings); // what kps ps prints under its table
        var started = CreateTestProbe();
        var gate = new Gate();
        var thread = await Kthreads.RunAsync(SpinUntilOpen(started, gate), null, "spinner");
        try
        {
            var (pid, cpu) = await started.ExpectMsgAsync<(int, int)>();

            var report = await lockups.ExpectMsgAsync<SoftLockupDetected>(TimeSpan.FromSeconds(5));
            Assert.Equal((cpu, thread.Pid, "spinner"), (report.Cpu, report.Pid, report.Comm));
            Assert.Equal(thread.Pid, pid);
            Assert.True(report.StuckFor >= Threshold, $"reported after {report.StuckFor}, before the threshold");
            var line = new Regex($@"^watchdog: BUG: soft lockup - CPU#{cpu} stuck for \d+s! \[spinner:{pid}\]$");
            await errors.FishForMessageAsync<Error>(e => line.IsMatch(e.Message?.ToString() ?? ""), TimeSpan.FromSeconds(3));
            await AwaitAssertAsync(() => Assert.Matches(line, Assert.Single(notes.Lines())));

            // Still stuck past a second threshold: the kernel would warn again; one stretch is one report.
            await lockups.ExpectNoMsgAsync(Threshold * 1.5);
        }
        finally
        {
            gate.Open();
        }

        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_kthread_that_yields_regularly_is_never_reported_however_long_it_runs()
    {
        var lockups = Subscribe<SoftLockupDetected>();
        var done = CreateTestProbe();

        // Runs 2.5 thresholds in all, holding the CPU at most 20 ms between checkpoints.
        await Kthreads.RunAsync(async current =>
        {
            var run = System.Diagnostics.Stopwatch.StartNew();
            while (run.Elapsed < Threshold * 2.5)
            {
                var slice = System.Diagnostics.Stopwatch.StartNew();
                while (slice.ElapsedMilliseconds < 20)
                {
                    Thread.SpinWait(1000);
                }

                await current.YieldAsync();
            }

            done.Tell("done");
            return 0;
        }, null, "yielder");

        await done.ExpectMsgAsync("done", TimeSpan.FromSeconds(15));
        await lockups.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task The_report_names_the_cpu_each_stuck_kthread_holds_when_several_are_busy()
    {
        var lockups = Subscribe<SoftLockupDetected>();
        var started = CreateTestProbe();
        var gate = new Gate();
        var on1 = await SpinOn(1, "spin-on-1", started, gate);
        var on3 = await SpinOn(3, "spin-on-3", started, gate);
        try
        {
            await ReceiveAsync(started, 2);

            var reports = new[]
            {
                await lockups.ExpectMsgAsync<SoftLockupDetected>(TimeSpan.FromSeconds(5)),
                await lockups.ExpectMsgAsync<SoftLockupDetected>(TimeSpan.FromSeconds(5)),
            };

            Assert.Equal(
                [(1, on1.Pid, "spin-on-1"), (3, on3.Pid, "spin-on-3")],
                reports.Select(r => (r.Cpu, r.Pid, r.Comm)).OrderBy(r => r.Cpu));
        }
        finally
        {
            gate.Open();
        }

        Assert.Equal(0, await on1.StopAsync());
        Assert.Equal(0, await on3.StopAsync());
    }

    private async Task<Kthread> SpinOn(int cpu, string name, TestProbe started, Gate gate)
    {
        var thread = await Kthreads.CreateAsync(SpinUntilOpen(started, gate), null, name);
        Assert.Equal(0, await thread.BindAsync(cpu));
        await thread.WakeUpAsync();
        return thread;
    }

    private TestProbe Subscribe<T>()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(T));
        return probe;
    }

    // Holds its CPU with no checkpoint at all until the test opens the gate (the OS may still switch it out).
    internal static ThreadFn SpinUntilOpen(IActorRef started, Gate gate) => current =>
    {
        started.Tell((current.Pid, current.Cpu ?? -1));
        while (!gate.IsOpen)
        {
            Thread.SpinWait(1000);
            Thread.Yield();
        }

        return Task.FromResult(0);
    };

    internal sealed class Gate
    {
        private volatile bool _open;

        public bool IsOpen => _open;

        public void Open() => _open = true;
    }
}

/// <summary>kthreads.watchdog.soft-lockup-threshold = 0: no watchdog, and a stuck kthread is never reported.</summary>
public sealed class SoftLockupOffSpec(ITestOutputHelper output)
    : SpecBase(output, ConfigurationFactory.ParseString("kthreads.watchdog.soft-lockup-threshold = 0s"))
{
    [Fact]
    public async Task A_threshold_of_zero_reports_nothing_and_starts_no_watchdog()
    {
        var lockups = CreateTestProbe();
        Sys.EventStream.Subscribe(lockups.Ref, typeof(SoftLockupDetected));
        var started = CreateTestProbe();
        var gate = new SoftLockupSpec.Gate();
        var thread = await Kthreads.RunAsync(SoftLockupSpec.SpinUntilOpen(started, gate), null, "spinner");
        try
        {
            await started.ExpectMsgAsync<(int, int)>();

            await lockups.ExpectNoMsgAsync(TimeSpan.FromSeconds(2));
            await Assert.ThrowsAsync<ActorNotFoundException>(() =>
                Sys.ActorSelection($"/system/{Kthreads.Settings.KthreaddName}-watchdog").ResolveOne(TimeSpan.FromSeconds(1)));
        }
        finally
        {
            gate.Open();
        }

        Assert.Equal(0, await thread.StopAsync());
    }
}
