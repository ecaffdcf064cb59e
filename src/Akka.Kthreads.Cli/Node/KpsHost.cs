using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Kthreads.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using AkkaLogLevel = Akka.Event.LogLevel;

namespace Akka.Kthreads.Cli.Node;

/// <summary>
/// The Generic Host every kps node runs on: Akka.Hosting's <c>AddAkka</c> configured by the node, Kthreads in DI, and
/// Akka's logs through Microsoft.Extensions.Logging to stderr, since stdout carries kps's tables, <c>--json</c> and the
/// lines scripts wait for. Built with <see cref="HostBuilder"/>, not <c>Host.CreateDefaultBuilder</c>: no appsettings,
/// no environment variables, and no console lifetime (System.CommandLine owns Ctrl+C and SIGTERM).
/// </summary>
/// <remarks>
/// Stopping the host is CoordinatedShutdown with <c>ClrExitReason</c> (Akka.Hosting's own): for a cluster node that is
/// a graceful leave. Never <c>ClusterLeavingReason</c>: Akka.Hosting would set Environment.ExitCode to -1 for it.
/// </remarks>
internal sealed class KpsHost : IAsyncDisposable
{
    // Far above a clean stop once the node's work is done; a node that will not end must not keep kps alive.
    private static readonly TimeSpan DisposeBound = TimeSpan.FromSeconds(10);

    // What no option of Akka.Hosting or ours covers. Before the loggers start and after they stop, Akka prints to
    // stdout at stdout-loglevel: off, so that stdout stays kps's own.
    private static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka {
          stdout-loglevel = OFF
          coordinated-shutdown.exit-clr = off
        }
        """);

    private readonly IHost _host;

    private KpsHost(IHost host, ActorSystem system)
    {
        _host = host;
        System = system;
    }

    public ActorSystem System { get; }

    /// <summary>The host's services: Kthreads (and ClusterKthreads on a cluster node) through <c>AddKthreads</c>.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Builds the host and starts it: the ActorSystem, then the startup tasks (Kthreads, declared threads).</summary>
    /// <param name="systemName">The ActorSystem's name.</param>
    /// <param name="logLevel">The lowest level logged, for Akka and Microsoft.Extensions.Logging alike; None for no logs at all.</param>
    /// <param name="configure">The node's own Akka.Hosting configuration (WithKthreads, WithKthreadsCluster, HOCON).</param>
    /// <param name="ct">Cancels the start.</param>
    /// <param name="logging">More logging providers (the specs add theirs); the console stays.</param>
    /// <returns>The started host; on a failure the host is stopped and disposed and the failure thrown.</returns>
    public static async Task<KpsHost> StartAsync(
        string systemName, LogLevel logLevel, Action<AkkaConfigurationBuilder> configure, CancellationToken ct, Action<ILoggingBuilder>? logging = null)
    {
        var host = Build(systemName, logLevel, configure, logging);
        ActorSystem? system = null;
        try
        {
            // Made here rather than by the hosted service: a bad option or a port in use fails this call with its own
            // exception, which kps prints on stderr (the hosted service would also print it on stdout).
            system = host.Services.GetRequiredService<ActorSystem>();
            await host.StartAsync(ct).ConfigureAwait(false);
            return new KpsHost(host, system);
        }
        catch
        {
            if (system is not null)
            {
                await system.Terminate().WaitAsync(DisposeBound, CancellationToken.None).ConfigureAwait(false);
            }

            await DisposeHostAsync(host).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the host (CoordinatedShutdown, ClrExitReason) and waits until the system has ended, at most <paramref name="bound"/>.</summary>
    /// <remarks>
    /// Nothing to do once the system has ended (a leave, a downing, a crash). After a crash CoordinatedShutdown did not run
    /// or did not finish, and the host's stop would run it (or wait for it) on the ended system, where it hangs: sharding's
    /// region-shutdown waits for a region that is gone, and the phase timeouts need the scheduler, which ended with the system.
    /// </remarks>
    /// <exception cref="TimeoutException">Not ended within <paramref name="bound"/>.</exception>
    public Task StopAsync(TimeSpan bound) =>
        System.WhenTerminated.IsCompleted ? Task.CompletedTask : StopThenEndedAsync().WaitAsync(bound, CancellationToken.None);

    /// <summary>Stops the host if its system still runs, then disposes it; both bounded.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(DisposeBound).ConfigureAwait(false);
        }
        finally
        {
            await DisposeHostAsync(_host).ConfigureAwait(false);
        }
    }

    private static IHost Build(string systemName, LogLevel logLevel, Action<AkkaConfigurationBuilder> configure, Action<ILoggingBuilder>? logging) =>
        new HostBuilder()
            .ConfigureLogging(logs =>
            {
                logs.ClearProviders();
                logs.SetMinimumLevel(logLevel);
                logs.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                logs.AddSimpleConsole(o =>
                {
                    // Akka's line already carries its level, time, thread and source.
                    o.SingleLine = true;
                    o.ColorBehavior = Console.IsErrorRedirected ? LoggerColorBehavior.Disabled : LoggerColorBehavior.Default;
                });
                logging?.Invoke(logs);
            })
            .ConfigureServices(services =>
            {
                services.AddSingleton<IHostLifetime, CommandLineLifetime>();
                services.AddAkka(systemName, (builder, _) =>
                {
                    var akkaLevel = AkkaLevel(logLevel);
                    builder.ConfigureLoggers(loggers =>
                    {
                        loggers.LogLevel = akkaLevel;
                        loggers.ClearLoggers();
                        loggers.AddLoggerFactory();
                        loggers.DeadLetterOptions = new DeadLetterOptions { ShouldLog = TriStateValue.None, LogDuringShutdown = false };
                    });
                    builder.AddHocon(akkaLevel is null ? ConfigurationFactory.ParseString("akka.loglevel = OFF").WithFallback(Quiet) : Quiet, HoconAddMode.Prepend);
                    configure(builder);
                });
                services.AddKthreads();
            })
            .Build();

    // Akka has no level above Error nor "off" as an option: None is akka.loglevel = OFF in HOCON.
    private static AkkaLogLevel? AkkaLevel(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => AkkaLogLevel.DebugLevel,
        LogLevel.Information => AkkaLogLevel.InfoLevel,
        LogLevel.Warning => AkkaLogLevel.WarningLevel,
        LogLevel.Error or LogLevel.Critical => AkkaLogLevel.ErrorLevel,
        _ => null,
    };

    private async Task StopThenEndedAsync()
    {
        await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await System.WhenTerminated.ConfigureAwait(false);
    }

    // Bounded as well: disposing the provider disposes the ActorSystem, whose Dispose waits for Terminate() without a limit.
    private static Task DisposeHostAsync(IHost host) => Task.Run(host.Dispose).WaitAsync(DisposeBound, CancellationToken.None);

    /// <summary>No console lifetime: System.CommandLine turns Ctrl+C and SIGTERM into the command's cancellation, and the command stops the host.</summary>
    private sealed class CommandLineLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
