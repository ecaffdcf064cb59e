using System.Collections.Concurrent;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// A node on Akka.Hosting.TestKit's host, set up by WithKthreads alone: DI gives the facade, the
/// ActorRegistry gives kthreadd, and the declared per-CPU threads, worker and named thread are running
/// once the host has started.
/// </summary>
public sealed class HostedNodeSpec : Akka.Hosting.TestKit.TestKit
{
    private readonly ConcurrentQueue<string> _ran = new();

    public HostedNodeSpec(ITestOutputHelper output)
        : base("hosted-node", output)
    {
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override void ConfigureServices(HostBuilderContext context, IServiceCollection services) => services.AddKthreads();

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder.WithKthreads(o =>
        {
            o.PossibleCpus = 2;
            o.PerCpuThreads.Add(new PerCpuThread("hosted/{0}", td => td.State is false, td =>
            {
                td.State = true;
                _ran.Enqueue($"percpu {td.Cpu}");
                return Task.CompletedTask;
            })
            { CreateState = _ => false });
            o.Workers.Add("hosted-worker");
            o.Threads.Add(("named", current =>
            {
                _ran.Enqueue($"named {current.Data}");
                return Task.FromResult(0);
            }, "data"));
        });

    [Fact]
    public async Task DI_gives_the_facade_the_registry_gives_kthreadd_and_the_declared_threads_run()
    {
        var kthreads = Host.Services.GetRequiredService<Kthreads>();
        Assert.Same(Kthreads.Get(Sys), kthreads);
        Assert.Equal(kthreads.Kthreadd, await ActorRegistry.GetAsync<KthreaddKey>(Ct));

        await AwaitAssertAsync(() => Assert.Equal(["named data", "percpu 0", "percpu 1"], _ran.Order()), TimeSpan.FromSeconds(10), cancellationToken: Ct);
        var rows = await kthreads.ListAsync(Ct);
        Assert.Contains(rows, r => r.Comm == "hosted/0" && r.Cpu == 0);
        Assert.Contains(rows, r => r.Comm == "hosted/1" && r.Cpu == 1);
        Assert.Contains(rows, r => r.Comm == "hosted-worker");
    }
}
