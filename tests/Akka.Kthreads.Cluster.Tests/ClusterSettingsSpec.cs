using Akka.Configuration;
using Xunit;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>The reference config (hocon/kthreads-cluster.conf) and ClusterKthreadsSettings: defaults, every key read, bad values named.</summary>
public sealed class ClusterSettingsSpec
{
    private static ClusterKthreadsSettings Read(string hocon) =>
        ClusterKthreadsSettings.FromConfig(ConfigurationFactory.ParseString(hocon)
            .WithFallback(ClusterKthreads.DefaultConfig()).GetConfig("kthreads.cluster"));

    [Fact]
    public void The_reference_config_reads_into_the_documented_defaults()
    {
        var settings = Read("");

        Assert.Equal(8, settings.Cpus);
        Assert.Equal("kthreads-cpu", settings.TypeName);
        Assert.Equal("", settings.Role);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.AskTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), settings.HandOffRetry);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.KeepAliveInterval);
        Assert.Equal("akka.persistence.journal.sql", settings.JournalPlugin);
        Assert.Equal("akka.persistence.snapshot-store.sql", settings.SnapshotPlugin);
        Assert.Equal("kthreads-cluster.db", settings.SqliteFile);
        Assert.Equal(10000, settings.SnapshotEvery);
        Assert.Equal(120 * 1024, settings.MaxPayloadSize);
        Assert.Equal("kthreads-node", settings.NodeActorName);
    }

    [Theory]
    [InlineData("cpus = 3", nameof(ClusterKthreadsSettings.Cpus))]
    [InlineData("type-name = other", nameof(ClusterKthreadsSettings.TypeName))]
    [InlineData("role = cpu-host", nameof(ClusterKthreadsSettings.Role))]
    [InlineData("ask-timeout = 7s", nameof(ClusterKthreadsSettings.AskTimeout))]
    [InlineData("hand-off-retry = 3s", nameof(ClusterKthreadsSettings.HandOffRetry))]
    [InlineData("keep-alive-interval = 9s", nameof(ClusterKthreadsSettings.KeepAliveInterval))]
    [InlineData("store.journal-plugin = j", nameof(ClusterKthreadsSettings.JournalPlugin))]
    [InlineData("store.snapshot-plugin = s", nameof(ClusterKthreadsSettings.SnapshotPlugin))]
    [InlineData("store.sqlite-file = x.db", nameof(ClusterKthreadsSettings.SqliteFile))]
    [InlineData("store.snapshot-every = 0", nameof(ClusterKthreadsSettings.SnapshotEvery))]
    [InlineData("max-payload-size = 1MiB", nameof(ClusterKthreadsSettings.MaxPayloadSize))]
    [InlineData("node.actor-name = n", nameof(ClusterKthreadsSettings.NodeActorName))]
    public void Every_key_feeds_its_own_field(string line, string field)
    {
        var baseline = Read("");
        var changed = Read("kthreads.cluster." + line);

        var differing = typeof(ClusterKthreadsSettings).GetProperties()
            .Where(p => !Equals(p.GetValue(baseline), p.GetValue(changed))).Select(p => p.Name);
        Assert.Equal([field], differing);
    }

    [Theory]
    [InlineData("kthreads.cluster.cpus = 0", "kthreads.cluster.cpus")]
    [InlineData("kthreads.cluster.cpus = many", "kthreads.cluster.cpus")]
    [InlineData("kthreads.cluster.ask-timeout = 0s", "kthreads.cluster.ask-timeout")]
    [InlineData("kthreads.cluster.hand-off-retry = -1s", "kthreads.cluster.hand-off-retry")]
    [InlineData("kthreads.cluster.type-name = \"\"", "kthreads.cluster.type-name")]
    [InlineData("kthreads.cluster.store.sqlite-file = \"\"", "kthreads.cluster.store.sqlite-file")]
    [InlineData("kthreads.cluster.store.snapshot-every = -1", "kthreads.cluster.store.snapshot-every")]
    [InlineData("kthreads.cluster.max-payload-size = 0", "kthreads.cluster.max-payload-size")]
    public void A_bad_value_is_refused_naming_its_key(string hocon, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => Read(hocon));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_extension_refuses_a_system_that_is_not_a_cluster()
    {
        using var system = Akka.Actor.ActorSystem.Create("local");

        var e = Assert.ThrowsAny<Exception>(() => ClusterKthreads.Get(system));
        Assert.Contains("akka.actor.provider = cluster", (e.InnerException ?? e).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kthreads_started_before_the_cluster_extension_is_refused_with_the_fix_named()
    {
        var system = Akka.Actor.ActorSystem.Create("early", ConfigurationFactory.ParseString(
            "akka.actor.provider = cluster\nakka.remote.dot-netty.tcp { hostname = \"127.0.0.1\", port = 0 }\nkthreads.cpus.possible = 3"));
        try
        {
            Assert.Equal(3, Kthreads.Get(system).Cpus.Possible.Count);

            var e = Assert.ThrowsAny<Exception>(() => ClusterKthreads.Get(system));
            Assert.Contains("get ClusterKthreads first", (e.InnerException ?? e).Message, StringComparison.Ordinal);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Theory]
    [InlineData("repair-by-discard-old")]
    [InlineData("fail")]
    public async Task A_journal_replay_filter_that_would_drop_a_returning_cpus_events_is_refused_naming_its_key(string mode)
    {
        var system = Akka.Actor.ActorSystem.Create("filtered", ConfigurationFactory.ParseString(
            $"akka.actor.provider = cluster\nakka.remote.dot-netty.tcp {{ hostname = \"127.0.0.1\", port = 0 }}\nakka.persistence.journal.sql.replay-filter.mode = {mode}"));
        try
        {
            var e = Assert.ThrowsAny<Exception>(() => ClusterKthreads.Get(system));
            Assert.Contains("akka.persistence.journal.sql.replay-filter.mode", (e.InnerException ?? e).Message, StringComparison.Ordinal);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
