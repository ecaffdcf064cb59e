using System.Collections.Concurrent;
using Akka.Event;
using Akka.Kthreads.Cli.Node;
using Akka.Kthreads.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// A kps node's Akka logs go through Microsoft.Extensions.Logging at the node's level, for Akka and MEL alike: a
/// provider added beside the console (stderr) sees what the console would print, and nothing below the level.
/// </summary>
public sealed class KpsNodeLoggingSpec
{
    // Far above a node's start and stop; only a lost log line gets here.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(LogLevel.Warning, new[] { "Warning kps-spec: warning" })]
    [InlineData(LogLevel.Information, new[] { "Information kps-spec: info", "Warning kps-spec: warning" })]
    public async Task An_Akka_log_line_reaches_the_providers_as_Akka_Actor_ActorSystem_when_at_or_above_the_node_s_level(LogLevel level, string[] expected)
    {
        var capture = new CapturingProvider("kps-spec: warning");
        var host = await KpsHost.StartAsync("kps-log-" + Guid.NewGuid().ToString("N")[..12], level,
            builder => builder.WithKthreads(new KthreadsOptions { PossibleCpus = 1 }), CancellationToken.None, logs => logs.AddProvider(capture));
        await using (host)
        {
            var log = Logging.GetLogger(host.System, "kps-spec");
            log.Info("kps-spec: info");
            log.Warning("kps-spec: warning");

            // One source, one logger actor: had the info passed, it would have come first.
            await capture.Seen.WaitAsync(Bound);
        }

        var ours = capture.Entries.Where(e => e.Message.Contains("kps-spec: ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(expected, ours.Select(e => $"{e.Level} {e.Message[e.Message.IndexOf("kps-spec: ", StringComparison.Ordinal)..]}"));
        Assert.All(ours, e => Assert.Equal("Akka.Actor.ActorSystem", e.Category));
        Assert.All(ours, e => Assert.Contains("[kps-spec (akka://kps-log-", e.Message));
    }

    [Fact]
    public async Task A_single_node_s_shutdown_that_stops_a_running_thread_logs_nothing_at_the_default_level()
    {
        var capture = new CapturingProvider("never");
        var node = await KpsNode.StartAsync(cpus: 1, CancellationToken.None, logs => logs.AddProvider(capture));
        await using (node)
        {
            // Left running: the hosting extension stops it in service-stop and logs its exit code at Info.
            await node.Kthreads.RunAsync(async current =>
            {
                while (!current.ShouldStop)
                {
                    await current.ScheduleAsync();
                }

                return 0;
            }, null, "spec-loop");
        }

        Assert.Empty(capture.Entries);
        Assert.True(node.System.WhenTerminated.IsCompleted);
    }

    /// <summary>Every entry that passed the node's filters; <see cref="Seen"/> completes at the first containing a given text.</summary>
    private sealed class CapturingProvider(string awaited) : ILoggerProvider
    {
        private readonly string _awaited = awaited;
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Entries { get; } = new();

        public Task Seen => _seen.Task;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                provider.Entries.Enqueue((category, logLevel, message));
                if (message.Contains(provider._awaited, StringComparison.Ordinal))
                {
                    provider._seen.TrySetResult();
                }
            }
        }
    }
}
