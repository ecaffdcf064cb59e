using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Kthreads.Cluster;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// WithKthreads before WithKthreadsCluster, and no Cpus set there: the node is a cluster node with the cluster's default
/// CPUs, as the other order gives (kthreads.conf's single-node cluster.cpus = 0 does not win).
/// </summary>
public sealed class OptionsOrderSpec(ITestOutputHelper output) : WithKthreadsFirstSpec(output)
{
    [Fact]
    public void WithKthreads_first_still_makes_a_cluster_node_with_the_default_cpus()
    {
        var cluster = Host.Services.GetRequiredService<ClusterKthreads>();
        var defaults = ClusterKthreadsSettings.FromConfig(ClusterKthreads.DefaultConfig().GetConfig("kthreads.cluster"));

        Assert.Equal(defaults.Cpus, cluster.Settings.Cpus);
        Assert.Equal(defaults.Cpus, cluster.Kthreads.Settings.ClusterCpus);
        Assert.Equal(TimeSpan.FromSeconds(25), cluster.Kthreads.Settings.AskTimeout);
    }
}

/// <summary>WithKthreads first with ClusterCpus set, WithKthreadsCluster without Cpus: the count set first stands.</summary>
public sealed class OptionsOrderCountSpec(ITestOutputHelper output) : WithKthreadsFirstSpec(output)
{
    protected override int? ClusterCpus => 4;

    [Fact]
    public void A_cluster_cpu_count_set_by_WithKthreads_first_is_kept()
    {
        var cluster = Host.Services.GetRequiredService<ClusterKthreads>();
        Assert.Equal(4, cluster.Settings.Cpus);
        Assert.Equal(4, cluster.Kthreads.Settings.ClusterCpus);
    }
}

/// <summary>A cluster node set up with WithKthreads first, then WithKthreadsCluster without Cpus.</summary>
public abstract class WithKthreadsFirstSpec(ITestOutputHelper output) : Akka.Hosting.TestKit.TestKit("kthreads", output), IDisposable
{
    private readonly StoreFolder _folder = new("kthreads-order-spec");

    /// <summary>What WithKthreads sets as ClusterCpus (null: nothing).</summary>
    protected virtual int? ClusterCpus => null;

    protected override void ConfigureServices(HostBuilderContext context, IServiceCollection services) => services.AddKthreads();

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder
            .WithKthreads(o =>
            {
                o.AskTimeout = TimeSpan.FromSeconds(25);
                o.ClusterCpus = ClusterCpus;
            })
            .WithKthreadsCluster(o =>
            {
                o.SqliteFile = _folder.File("order.db");
                o.Remoting = new RemoteOptions { HostName = "127.0.0.1", Port = 0 };
                o.Clustering = new ClusterOptions();
            });

    void IDisposable.Dispose() => _folder.Dispose();
}
