using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using Akka.Kthreads.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// Akka.Hosting: builder.WithKthreads on a real Generic Host. Every option reaches its HOCON key, the
/// declared threads start with the host, DI and the ActorRegistry give the facade and kthreadd, and a
/// bad option fails at host start, naming it.
/// </summary>
public sealed class HostingSpec
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_option_reaches_its_kthreads_conf_key()
    {
        var options = new KthreadsOptions
        {
            KthreaddName = "kd",
            AskTimeout = TimeSpan.FromSeconds(41),
            MaxThreads = 77,
            StrictTransitions = true,
            ReapedHistory = 5,
            StopTimeout = TimeSpan.FromSeconds(7),
            ParkTimeout = TimeSpan.FromSeconds(8),
            WorkerFlushTimeout = TimeSpan.FromSeconds(9),
            PossibleCpus = 3,
            StopMachineTimeout = TimeSpan.FromSeconds(4),
            HotplugCallbackTimeout = TimeSpan.FromSeconds(6),
            SoftLockupThreshold = TimeSpan.FromSeconds(13),
            HungTaskTimeout = TimeSpan.FromSeconds(30),
            HungTaskCheckInterval = TimeSpan.FromSeconds(5),
            IdlePoll = TimeSpan.FromMicroseconds(120),
            IdlePollMax = TimeSpan.FromMicroseconds(480),
        };
        using var host = Host(b => b.WithKthreads(options));
        await host.StartAsync(Ct);
        try
        {
            var settings = host.Services.GetRequiredService<Kthreads>().Settings;

            Assert.Equal(
                ("kd", TimeSpan.FromSeconds(41), 77, true, 5, TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(8)),
                (settings.KthreaddName, settings.AskTimeout, settings.MaxThreads, settings.StrictTransitions, settings.ReapedHistory, settings.StopTimeout, settings.ParkTimeout));
            Assert.Equal(
                (TimeSpan.FromSeconds(9), 3, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6)),
                (settings.WorkerFlushTimeout, settings.PossibleCpus, settings.StopMachineTimeout, settings.HotplugCallbackTimeout));
            Assert.Equal(
                (TimeSpan.FromSeconds(13), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromMicroseconds(120), TimeSpan.FromMicroseconds(480)),
                (settings.SoftLockupThreshold, settings.HungTaskTimeout, settings.HungTaskCheckInterval, settings.IdlePoll, settings.IdlePollMax));

            // Each option renders only its own key; unset ones leave the reference defaults.
            var lines = options.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(16, lines.Length);
            Assert.All(lines, l => Assert.StartsWith("kthreads.", l, StringComparison.Ordinal));
            Assert.Equal("", new KthreadsOptions().ToString());
        }
        finally
        {
            await host.StopAsync(Ct);
        }
    }

    [Fact]
    public void A_negative_soft_lockup_threshold_is_refused_naming_it_and_zero_turns_the_watchdog_off()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(
            () => new KthreadsOptions { SoftLockupThreshold = TimeSpan.FromSeconds(-1) }.Validate());
        new KthreadsOptions { SoftLockupThreshold = TimeSpan.Zero }.Validate();

        Assert.Equal(nameof(KthreadsOptions.SoftLockupThreshold), negative.ParamName);
        Assert.Equal("kthreads.watchdog.soft-lockup-threshold = 0ms",
            new KthreadsOptions { SoftLockupThreshold = TimeSpan.Zero }.ToString().Trim());
    }

    [Fact]
    public void An_idle_poll_under_a_millisecond_is_written_in_microseconds_and_a_negative_one_is_refused_naming_it()
    {
        // In milliseconds, 50 µs would have been written as 0ms: a CPU thread that never polls.
        Assert.Equal("kthreads.cpus.idle-poll = 50micros", new KthreadsOptions { IdlePoll = TimeSpan.FromMicroseconds(50) }.ToString().Trim());
        Assert.Equal("kthreads.cpus.idle-poll = 2ms", new KthreadsOptions { IdlePoll = TimeSpan.FromMilliseconds(2) }.ToString().Trim());
        var negative = Assert.Throws<ArgumentOutOfRangeException>(
            () => new KthreadsOptions { IdlePoll = TimeSpan.FromMicroseconds(-1) }.Validate());

        Assert.Equal(nameof(KthreadsOptions.IdlePoll), negative.ParamName);
        Assert.Equal("kthreads.cpus.idle-poll-max = 200micros", new KthreadsOptions { IdlePollMax = TimeSpan.FromMicroseconds(200) }.ToString().Trim());
        var negativeMax = Assert.Throws<ArgumentOutOfRangeException>(
            () => new KthreadsOptions { IdlePollMax = TimeSpan.FromMicroseconds(-1) }.Validate());
        Assert.Equal(nameof(KthreadsOptions.IdlePollMax), negativeMax.ParamName);
    }

    [Fact]
    public async Task Stopping_the_host_flushes_workers_then_unregisters_per_cpu_threads_then_stops_threads_newest_first()
    {
        var events = new ConcurrentQueue<string>();
        var perCpu = new PerCpuRuns();
        ThreadFn named(string name) => async current =>
        {
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            events.Enqueue($"stopped {name}");
            return 0;
        };
        using var host = Host(b => b.WithKthreads(o =>
        {
            o.PossibleCpus = 2;
            o.PerCpuThreads.Add(perCpu.Spec("hosted", events, "cleanup"));
            o.Workers.Add("hosted-worker");
            o.Threads.Add(("t1", named("t1"), null));
            o.Threads.Add(("t2", named("t2"), null));
            o.Threads.Add(("t3", named("t3"), null));
        }));
        await host.StartAsync(Ct);
        var kthreads = host.Services.GetRequiredService<Kthreads>();
        Assert.Contains(await kthreads.ListAsync(Ct), r => r.Comm == "t3");
        await perCpu.RanAsync("hosted", 0, Ct);
        await perCpu.RanAsync("hosted", 1, Ct);
        var logged = new ConcurrentQueue<string>();
        LogSink.Collect(host.Services.GetRequiredService<ActorSystem>(), logged, typeof(Akka.Event.Info));

        await host.StopAsync(Ct);

        var order = events.ToArray();
        Assert.Equal(["cleanup 0", "cleanup 1"], order.Take(2).Order());
        Assert.Equal(["stopped t3", "stopped t2", "stopped t1"], order.Skip(2));

        // Each exit code logged, by name.
        foreach (var name in new[] { "t1", "t2", "t3" })
        {
            Assert.Contains(logged, m => m.Contains($"({name}) stopped, exit code 0", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Stopping_the_host_also_unregisters_per_cpu_threads_registered_at_run_time_newest_first()
    {
        var events = new ConcurrentQueue<string>();
        var perCpu = new PerCpuRuns();
        using var host = Host(b => b.WithKthreads(o =>
        {
            o.PossibleCpus = 2;
            o.PerCpuThreads.Add(perCpu.Spec("hosted", events, "hosted"));
        }));
        await host.StartAsync(Ct);
        var kthreads = host.Services.GetRequiredService<Kthreads>();
        Assert.Equal(0, await kthreads.PerCpuThreads.RegisterAsync(perCpu.Spec("later", events, "later"), Ct));
        foreach (var comm in new[] { "hosted", "later" })
        {
            await perCpu.RanAsync(comm, 0, Ct);
            await perCpu.RanAsync(comm, 1, Ct);
        }

        await host.StopAsync(Ct);

        var order = events.ToArray();
        Assert.Equal(["later 0", "later 1"], order.Take(2).Order());
        Assert.Equal(["hosted 0", "hosted 1"], order.Skip(2).Order());
    }

    [Fact]
    public async Task A_worker_that_does_not_flush_in_time_is_reported_and_the_threads_after_it_are_still_stopped()
    {
        var logged = new ConcurrentQueue<string>();
        var stuck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Host(b => b
            .AddHocon("akka.coordinated-shutdown.phases.service-stop.timeout = 15s", HoconAddMode.Prepend)
            .WithKthreads(o =>
            {
                o.PossibleCpus = 2;
                o.WorkerFlushTimeout = TimeSpan.FromSeconds(1);
                o.StopTimeout = TimeSpan.FromSeconds(2);
                o.ParkTimeout = TimeSpan.FromSeconds(1);
                o.AskTimeout = TimeSpan.FromSeconds(5);
                o.Workers.Add("stuck-worker");
                o.Threads.Add(("after", async current =>
                {
                    while (!current.ShouldStop)
                    {
                        await current.ScheduleAsync();
                    }

                    return 0;
                }, null));
            }));
        await host.StartAsync(Ct);
        var system = host.Services.GetRequiredService<ActorSystem>();
        LogSink.Collect(system, logged, typeof(Akka.Event.Info));
        LogSink.Collect(system, logged);
        var rows = await host.Services.GetRequiredService<Kthreads>().ListAsync(Ct);
        var worker = system.ActorSelection($"/system/kthread-worker-{rows.Single(r => r.Comm == "stuck-worker").Pid}");
        var queued = await worker.Ask<KthreadWorkerProtocol.WorkQueued>(
            new KthreadWorkerProtocol.QueueWork(new KthreadWork(_ => stuck.Task)), TimeSpan.FromSeconds(5), Ct);
        Assert.True(queued.Queued);

        await host.StopAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        stuck.SetResult();

        Assert.Contains(logged, m => m.Contains("stuck-worker", StringComparison.Ordinal) && m.Contains("going on with the rest", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.Contains("(after) stopped, exit code 0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(3, 1, 5, "ETIMEDOUT")] // stop-timeout runs out first: the stop's own -ETIMEDOUT
    [InlineData(1, 5, 10, "did not stop within the service-stop phase")] // the phase runs out first
    public async Task A_thread_that_ignores_the_stop_is_reported_by_name_and_the_host_still_exits(int phaseSeconds, int stopSeconds, int askSeconds, string report)
    {
        var logged = new ConcurrentQueue<string>();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = Host(b => b
            .AddHocon($"akka.coordinated-shutdown.phases.service-stop.timeout = {phaseSeconds}s", HoconAddMode.Prepend)
            .WithKthreads(o =>
            {
                o.StopTimeout = TimeSpan.FromSeconds(stopSeconds);
                o.ParkTimeout = TimeSpan.FromSeconds(1);
                o.AskTimeout = TimeSpan.FromSeconds(askSeconds);
                o.WorkerFlushTimeout = TimeSpan.FromSeconds(1);
                o.Threads.Add(("stubborn", current =>
                {
                    running.TrySetResult();
                    return current.OffCpuAsync(_ => Task.Delay(Timeout.Infinite)).ContinueWith(_ => 0);
                }, null));
            }));
        await host.StartAsync(Ct);
        var system = host.Services.GetRequiredService<ActorSystem>();
        // A synchronous sink: a log published while the system is going down still lands here.
        LogSink.Collect(system, logged);
        Assert.Contains(await host.Services.GetRequiredService<Kthreads>().ListAsync(Ct), r => r.Comm == "stubborn");

        // Stopped before it ran, a thread ends -EINTR at once (the kernel's kthread_stop): it must be in its function first.
        await running.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        await host.StopAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Contains(logged, m => m.Contains("stubborn", StringComparison.Ordinal) && m.Contains(report, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AskTimeout")]
    [InlineData("StopTimeout")]
    [InlineData("MaxThreads")]
    [InlineData("PossibleCpus")]
    [InlineData("KthreaddName")]
    [InlineData("ask-timeout")]
    public async Task A_bad_option_fails_at_host_start_naming_it(string option)
    {
        using var host = Host(b => b.WithKthreads(o =>
        {
            switch (option)
            {
                case "AskTimeout": o.AskTimeout = TimeSpan.FromSeconds(-1); break;
                case "StopTimeout": o.StopTimeout = TimeSpan.Zero; break;
                case "MaxThreads": o.MaxThreads = 0; break;
                case "PossibleCpus": o.PossibleCpus = -2; break;
                case "KthreaddName": o.KthreaddName = " "; break;
                default: o.AskTimeout = TimeSpan.FromSeconds(5); o.StopTimeout = TimeSpan.FromSeconds(9); break;
            }
        }));

        var e = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Ct));
        var all = string.Join(" | ", Flatten(e).Select(x => x.Message));
        Assert.Contains(option, all, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Cpus")]
    [InlineData("AskTimeout")]
    [InlineData("MaxPayloadSize")]
    [InlineData("RebalanceRelativeLimit")]
    [InlineData("ProviderName")]
    [InlineData("ConnectionString")]
    public async Task A_bad_cluster_option_or_an_unknown_provider_fails_at_host_start_naming_it(string option)
    {
        using var host = Host(b => b.WithKthreadsCluster(o =>
        {
            switch (option)
            {
                case "Cpus": o.Cpus = 0; break;
                case "AskTimeout": o.AskTimeout = TimeSpan.FromSeconds(-3); break;
                case "MaxPayloadSize": o.MaxPayloadSize = 0; break;
                case "RebalanceRelativeLimit": o.RebalanceRelativeLimit = 2; break;
                case "ProviderName": o.ConnectionString = "Data Source=x.db"; o.ProviderName = "NoSuchDatabase.1"; break;
                default: o.ConnectionString = " "; o.ProviderName = "SQLite.MS"; break;
            }
        }));

        var e = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Ct));
        var all = string.Join(" | ", Flatten(e).Select(x => x.Message));
        Assert.Contains($"ClusterKthreadsOptions.{option}", all, StringComparison.Ordinal);
    }

    private static IHost Host(Action<AkkaConfigurationBuilder> configure) =>
        new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka("hosted", configure);
                services.AddKthreads();
            })
            .Build();

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
            if (x is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
