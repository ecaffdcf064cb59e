#pragma warning disable xUnit1051 // The README's example is plain user code, not a spec.
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Akka.Kthreads.Hosting.Tests.Readme;

/// <summary>
/// The README's Generic Host examples, as code: ReadmeSpec checks that the README shows exactly the
/// text between the "readme" markers, runs the node example, and ClusterHostingSpec makes its nodes
/// with the cluster example.
/// </summary>
public static class GenericHostExample
{
    /// <summary>The node example: what it saw, for the spec to check.</summary>
    public sealed record Seen(int ExitCode, IReadOnlyList<string> Comms);

    public static async Task<Seen> RunNodeAsync(ILoggerProvider logs)
    {
        // readme:begin node
        using var host = new HostBuilder()
            .ConfigureLogging(logging => logging.AddProvider(logs))   // e.g. logging.AddConsole()
            .ConfigureServices(services =>
            {
                services.AddAkka("kthreads", builder => builder
                    .ConfigureLoggers(loggers =>
                    {
                        loggers.ClearLoggers();
                        loggers.AddLoggerFactory();   // Akka's logs through Microsoft.Extensions.Logging
                    })
                    .WithKthreads(o =>
                    {
                        o.PossibleCpus = 2;
                        o.AskTimeout = TimeSpan.FromSeconds(30);
                        o.PerCpuThreads.Add(new PerCpuThread("ksoftirqd/{0}", td => false, td => Task.CompletedTask));
                        o.Workers.Add("events");
                    }));
                services.AddKthreads();
            })
            .Build();
        await host.StartAsync();

        var kthreads = host.Services.GetRequiredService<Kthreads>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = await kthreads.RunAsync(async current =>
        {
            started.TrySetResult();
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
            }

            return 42;
        }, null, "answer");
        await started.Task;   // stopped before it ever ran, a thread ends -EINTR, as kthread_stop says
        var comms = (await kthreads.ListAsync()).Select(row => row.Comm).ToList();
        var exitCode = await answer.StopAsync();   // 42

        await host.StopAsync();   // the worker flushed, ksoftirqd/N unregistered, the rest stopped newest first
        // readme:end node
        return new Seen(exitCode, comms);
    }

    public static AkkaConfigurationBuilder ConfigureClusterNode(
        AkkaConfigurationBuilder builder, string[] seedNodes, int port, string connectionString, PerCpuThread counter) =>
        // readme:begin cluster
        builder
            .WithKthreadsCluster(o =>
            {
                o.Cpus = 4;                                  // the same on every node
                o.ConnectionString = connectionString;       // one store every node shares
                o.ProviderName = "SQLite.MS";                // a LinqToDB.ProviderName: "PostgreSQL.15", "SqlServer.2019", ...
                o.RebalanceInterval = TimeSpan.FromMilliseconds(500);
                o.Remoting = new RemoteOptions { HostName = "127.0.0.1", Port = port };
                o.Clustering = new ClusterOptions
                {
                    SeedNodes = seedNodes,                   // "akka.tcp://kthreads@127.0.0.1:4053"
                    SplitBrainResolver = new KeepMajorityOption(),
                };
            })
            .WithKthreads(o => o.PerCpuThreads.Add(counter));   // runs on the CPUs sharding places here
        // readme:end cluster
}
