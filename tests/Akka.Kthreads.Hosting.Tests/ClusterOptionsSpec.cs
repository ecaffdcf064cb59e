using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Kthreads.Cluster;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// Every ClusterKthreadsOptions option reaches the key it sets in a running node's config: the
/// kthreads.cluster keys as ClusterKthreadsSettings reads them, sharding's rebalance keys, and the store
/// through Akka.Persistence.Sql.Hosting under the library's own plugin id.
/// </summary>
public sealed class ClusterOptionsSpec : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private readonly StoreFolder _folder = new("kthreads-options-spec");

    public ClusterOptionsSpec(ITestOutputHelper output)
        : base("kthreads", output)
    {
    }

    private string Db => _folder.File("options.db");

    private ClusterKthreadsOptions Options => new()
    {
        Cpus = 3,
        TypeName = "cpu-x",
        Role = "cpus",
        AskTimeout = TimeSpan.FromSeconds(11),
        HandOffRetry = TimeSpan.FromSeconds(2),
        KeepAliveInterval = TimeSpan.FromSeconds(7),
        MaxPayloadSize = 64000,
        SnapshotEvery = 500,
        SqliteFile = _folder.File("unused.db"),
        NodeActorName = "kn",
        ConnectionString = $"Data Source={Db}",
        ProviderName = "SQLite.MS",
        RebalanceInterval = TimeSpan.FromMilliseconds(750),
        RebalanceAbsoluteLimit = 9,
        RebalanceRelativeLimit = 0.5,
        Remoting = new RemoteOptions { HostName = "127.0.0.1", Port = 0 },
        Clustering = new ClusterOptions { Roles = ["cpus"] },
    };

    protected override void ConfigureServices(HostBuilderContext context, IServiceCollection services) => services.AddKthreads();

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder.WithKthreadsCluster(Options);

    [Fact]
    public void Every_option_reaches_the_key_it_sets()
    {
        var cluster = Host.Services.GetRequiredService<ClusterKthreads>();
        Assert.Equal(
            new ClusterKthreadsSettings(3, "cpu-x", "cpus", TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7), 64000,
                "akka.persistence.journal.kthreads", "akka.persistence.snapshot-store.kthreads", 500, _folder.File("unused.db"), "kn"),
            cluster.Settings);
        Assert.Equal(3, cluster.Kthreads.Settings.ClusterCpus);
        Assert.Equal("kn", cluster.Node.Path.Name);

        var config = Sys.Settings.Config;
        Assert.Equal(TimeSpan.FromMilliseconds(750), config.GetTimeSpan("akka.cluster.sharding.rebalance-interval"));
        Assert.Equal(9, config.GetInt("akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit"));
        Assert.Equal(0.5, config.GetDouble("akka.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit"));

        // The library's sharding keys stand above sharding's own defaults, which WithClustering appended.
        Assert.True(config.GetBoolean("akka.cluster.sharding.remember-entities"));
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.state-store-mode"));
        Assert.Equal("ddata", config.GetString("akka.cluster.sharding.remember-entities-store"));
        Assert.Empty(config.GetStringList("akka.cluster.sharding.distributed-data.durable.keys"));
        foreach (var plugin in new[] { "akka.persistence.journal.kthreads", "akka.persistence.snapshot-store.kthreads" })
        {
            Assert.Equal($"Data Source={Db}", config.GetString(plugin + ".connection-string"));
            Assert.Equal("SQLite.MS", config.GetString(plugin + ".provider-name"));
        }

        // Not the app's default plugin: its own persistence is left as it was.
        Assert.NotEqual("akka.persistence.journal.kthreads", config.GetString("akka.persistence.journal.plugin"));
        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Contains("cpus", config.GetStringList("akka.cluster.roles"));
    }

    [Fact]
    public void Each_option_renders_only_its_own_key_and_none_set_renders_nothing()
    {
        var lines = Options.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Ten kthreads.cluster keys, the two store plugins a connection string selects, three sharding keys.
        Assert.Equal(15, lines.Length);
        Assert.Equal(lines.Length, lines.Select(l => l.Split(" = ")[0]).Distinct().Count());
        Assert.Equal("", new ClusterKthreadsOptions().ToString());
    }

    void IDisposable.Dispose() => _folder.Dispose();
}
