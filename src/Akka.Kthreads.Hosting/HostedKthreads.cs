using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Hosting;

/// <summary>
/// INTERNAL API. What WithKthreads and WithKthreadsCluster declared on one builder, and the one startup
/// that brings it up: ClusterKthreads first when the cluster is wanted (its CPUs must be the node's
/// before Kthreads starts), whichever of the two calls came first.
/// </summary>
internal sealed class HostedKthreads
{
    private static readonly ConditionalWeakTable<AkkaConfigurationBuilder, HostedKthreads> ByBuilder = new();

    public KthreadsOptions? Options { get; private set; }

    public ClusterKthreadsOptions? ClusterOptions { get; private set; }

    /// <summary>Records <paramref name="options"/> for <paramref name="builder"/>; a second WithKthreads on one builder is a mistake.</summary>
    public static void Declare(AkkaConfigurationBuilder builder, KthreadsOptions options)
    {
        var hosted = For(builder);
        if (hosted.Options is not null)
        {
            throw new InvalidOperationException("WithKthreads was already called on this AkkaConfigurationBuilder: set every option in one call");
        }

        hosted.Options = options;
    }

    /// <summary>Records <paramref name="options"/> for <paramref name="builder"/>; a second WithKthreadsCluster on one builder is a mistake.</summary>
    public static void Declare(AkkaConfigurationBuilder builder, ClusterKthreadsOptions options)
    {
        var hosted = For(builder);
        if (hosted.ClusterOptions is not null)
        {
            throw new InvalidOperationException("WithKthreadsCluster was already called on this AkkaConfigurationBuilder: set every option in one call");
        }

        hosted.ClusterOptions = options;
    }

    private static HostedKthreads For(AkkaConfigurationBuilder builder)
    {
        if (ByBuilder.TryGetValue(builder, out var hosted))
        {
            return hosted;
        }

        hosted = new HostedKthreads();
        ByBuilder.Add(builder, hosted);
        builder.AddStartup(hosted.StartAsync);
        return hosted;
    }

    private async Task StartAsync(ActorSystem system, IActorRegistry registry)
    {
        var kthreads = ClusterOptions is null ? Kthreads.Get(system) : ClusterKthreads.Get(system).Kthreads;
        registry.Register<KthreaddKey>(kthreads.Kthreadd);
        var options = Options ?? new KthreadsOptions();
        var log = Logging.GetLogger(system, "kthreads-hosting");
        foreach (var spec in options.PerCpuThreads)
        {
            var result = await kthreads.PerCpuThreads.RegisterAsync(spec).ConfigureAwait(false);
            if (result != 0)
            {
                log.Error("kthreads: per-CPU thread {0} could not be registered: {1}", spec.Comm, result);
            }
        }

        // In a cluster the per-CPU threads are the hand-off's: the leave parks them and saves their states as their
        // CPUs go to other nodes, and after it this node has no CPU left to run a stopping thread on.
        var shutdown = new HostShutdown(system, kthreads, unregisterPerCpu: ClusterOptions is null, log);
        shutdown.Register();
        foreach (var name in options.Workers)
        {
            shutdown.Track(await kthreads.CreateWorkerAsync(name).ConfigureAwait(false));
        }

        foreach (var (name, fn, data) in options.Threads)
        {
            await kthreads.RunAsync(fn, data, name).ConfigureAwait(false);
        }
    }
}
