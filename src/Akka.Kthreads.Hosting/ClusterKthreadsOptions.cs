using System.Globalization;
using System.Reflection;
using System.Text;
using Akka.Cluster.Hosting;
using Akka.Remote.Hosting;

namespace Akka.Kthreads.Hosting;

/// <summary>
/// The cluster's options for <c>builder.WithKthreadsCluster(o =&gt; ...)</c>: every key of kthreads-cluster.conf
/// (only the set ones rendered, ahead of the reference config), the store, sharding's rebalance, and
/// Akka.Hosting's own remoting and clustering options so a node comes up from options alone.
/// </summary>
public sealed class ClusterKthreadsOptions
{
    /// <summary>The store's plugin id when a connection string is given: its own, so it never takes over the app's persistence.</summary>
    public const string StorePluginId = "kthreads";

    /// <summary>The provider used without one given: Microsoft.Data.Sqlite.</summary>
    public const string SqliteProvider = "SQLite.MS";

    private static readonly Lazy<HashSet<string>> KnownProviders = new(() =>
        typeof(LinqToDB.ProviderName).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal));

    /// <summary>No option set: the reference config's defaults (8 CPUs, one SQLite file in the working directory).</summary>
    public ClusterKthreadsOptions()
    {
    }

    /// <summary>kthreads.cluster.cpus: cluster-wide CPUs, the same on every node; unset, a count set before stands, else the reference default (8).</summary>
    public int? Cpus { get; set; }

    /// <summary>kthreads.cluster.type-name: sharding type name of the CPU entities, the same on every node.</summary>
    public string? TypeName { get; set; }

    /// <summary>kthreads.cluster.role: only nodes with this role host CPUs; "" for every node.</summary>
    public string? Role { get; set; }

    /// <summary>kthreads.cluster.ask-timeout: how long the cluster's calls wait for a reply.</summary>
    public TimeSpan? AskTimeout { get; set; }

    /// <summary>kthreads.cluster.hand-off-retry: how long a CPU whose hand-off failed waits to try again, and a CPU coming up waits for each node's answer.</summary>
    public TimeSpan? HandOffRetry { get; set; }

    /// <summary>kthreads.cluster.keep-alive-interval: how often each node asks for every CPU to be up somewhere.</summary>
    public TimeSpan? KeepAliveInterval { get; set; }

    /// <summary>kthreads.cluster.max-payload-size, in bytes: the largest message or user payload a node sends or accepts.</summary>
    public long? MaxPayloadSize { get; set; }

    /// <summary>kthreads.cluster.store.snapshot-every: journal events per CPU between ledger snapshots; 0 for never.</summary>
    public int? SnapshotEvery { get; set; }

    /// <summary>kthreads.cluster.store.sqlite-file: the default store's SQLite file, used when <see cref="ConnectionString"/> is not set.</summary>
    public string? SqliteFile { get; set; }

    /// <summary>kthreads.cluster.node.actor-name: the node's query actor under /system.</summary>
    public string? NodeActorName { get; set; }

    /// <summary>The store's connection string (PostgreSQL, SQL Server, a SQLite file...); null for the SQLite file.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The store's linq2db provider name (LinqToDB.ProviderName: "PostgreSQL.15", "SqlServer.2019", "SQLite.MS"); required with <see cref="ConnectionString"/>.</summary>
    public string? ProviderName { get; set; }

    /// <summary>akka.cluster.sharding.rebalance-interval: how often CPUs are moved toward an even spread.</summary>
    public TimeSpan? RebalanceInterval { get; set; }

    /// <summary>least-shard-allocation-strategy.rebalance-absolute-limit: most CPUs moved in one rebalance.</summary>
    public int? RebalanceAbsoluteLimit { get; set; }

    /// <summary>least-shard-allocation-strategy.rebalance-relative-limit: most CPUs moved in one rebalance, as a fraction of all (0, 1].</summary>
    public double? RebalanceRelativeLimit { get; set; }

    /// <summary>Akka.Hosting's remoting (host name, port), applied with WithRemoting; null when set elsewhere.</summary>
    public RemoteOptions? Remoting { get; set; }

    /// <summary>Akka.Cluster.Hosting's clustering (seed nodes, roles, split-brain resolver), applied with WithClustering; null when set elsewhere.</summary>
    public ClusterOptions? Clustering { get; set; }

    /// <summary>The set options as HOCON (kthreads.cluster and sharding keys); empty when none is set.</summary>
    /// <returns>HOCON text.</returns>
    public override string ToString()
    {
        var hocon = new StringBuilder();
        Hocon.Line(hocon, "kthreads.cluster.cpus", Cpus?.ToString(CultureInfo.InvariantCulture));
        Hocon.Line(hocon, "kthreads.cluster.type-name", Hocon.Quote(TypeName));
        Hocon.Line(hocon, "kthreads.cluster.role", Hocon.Quote(Role));
        Hocon.Line(hocon, "kthreads.cluster.ask-timeout", Hocon.Duration(AskTimeout));
        Hocon.Line(hocon, "kthreads.cluster.hand-off-retry", Hocon.Duration(HandOffRetry));
        Hocon.Line(hocon, "kthreads.cluster.keep-alive-interval", Hocon.Duration(KeepAliveInterval));
        Hocon.Line(hocon, "kthreads.cluster.max-payload-size", MaxPayloadSize is { } size ? size.ToString(CultureInfo.InvariantCulture) + "b" : null);
        Hocon.Line(hocon, "kthreads.cluster.store.snapshot-every", SnapshotEvery?.ToString(CultureInfo.InvariantCulture));
        Hocon.Line(hocon, "kthreads.cluster.store.sqlite-file", Hocon.Quote(SqliteFile));
        Hocon.Line(hocon, "kthreads.cluster.node.actor-name", Hocon.Quote(NodeActorName));
        if (ConnectionString is not null)
        {
            Hocon.Line(hocon, "kthreads.cluster.store.journal-plugin", Hocon.Quote("akka.persistence.journal." + StorePluginId));
            Hocon.Line(hocon, "kthreads.cluster.store.snapshot-plugin", Hocon.Quote("akka.persistence.snapshot-store." + StorePluginId));
        }

        Hocon.Line(hocon, "akka.cluster.sharding.rebalance-interval", Hocon.Duration(RebalanceInterval));
        Hocon.Line(hocon, "akka.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit", RebalanceAbsoluteLimit?.ToString(CultureInfo.InvariantCulture));
        Hocon.Line(hocon, "akka.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit", RebalanceRelativeLimit?.ToString("R", CultureInfo.InvariantCulture));
        return hocon.ToString();
    }

    /// <summary>Refuses a bad option at host start, naming it (never later, in a running node).</summary>
    /// <exception cref="ArgumentException">An option out of range or an unknown provider; the message and ParamName name it.</exception>
    public void Validate()
    {
        Check.AtLeast(Cpus, 1, nameof(ClusterKthreadsOptions), nameof(Cpus));
        Check.Positive(AskTimeout, nameof(ClusterKthreadsOptions), nameof(AskTimeout));
        Check.Positive(HandOffRetry, nameof(ClusterKthreadsOptions), nameof(HandOffRetry));
        Check.Positive(KeepAliveInterval, nameof(ClusterKthreadsOptions), nameof(KeepAliveInterval));
        Check.Positive(RebalanceInterval, nameof(ClusterKthreadsOptions), nameof(RebalanceInterval));
        Check.AtLeast(SnapshotEvery, 0, nameof(ClusterKthreadsOptions), nameof(SnapshotEvery));
        Check.AtLeast(RebalanceAbsoluteLimit, 1, nameof(ClusterKthreadsOptions), nameof(RebalanceAbsoluteLimit));
        Check.NotBlank(TypeName, nameof(ClusterKthreadsOptions), nameof(TypeName));
        Check.NotBlank(SqliteFile, nameof(ClusterKthreadsOptions), nameof(SqliteFile));
        Check.NotBlank(NodeActorName, nameof(ClusterKthreadsOptions), nameof(NodeActorName));
        if (MaxPayloadSize is { } size && (size < 1 || size > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPayloadSize), size, $"{nameof(ClusterKthreadsOptions)}.{nameof(MaxPayloadSize)} must be between 1 byte and 2GiB");
        }

        if (RebalanceRelativeLimit is { } limit && (double.IsNaN(limit) || limit <= 0 || limit > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(RebalanceRelativeLimit), limit, $"{nameof(ClusterKthreadsOptions)}.{nameof(RebalanceRelativeLimit)} must be a fraction in (0, 1]");
        }

        ValidateStore();
    }

    private void ValidateStore()
    {
        if (ConnectionString is null)
        {
            if (ProviderName is not null)
            {
                throw new ArgumentException($"{nameof(ClusterKthreadsOptions)}.{nameof(ProviderName)} needs a {nameof(ConnectionString)}; without both the store is the SQLite file", nameof(ProviderName));
            }

            return;
        }

        Check.NotBlank(ConnectionString, nameof(ClusterKthreadsOptions), nameof(ConnectionString));
        if (ProviderName is null || !KnownProviders.Value.Contains(ProviderName))
        {
            throw new ArgumentException(
                $"{nameof(ClusterKthreadsOptions)}.{nameof(ProviderName)} '{ProviderName}' is not a linq2db provider name: use one of LinqToDB.ProviderName's, such as \"PostgreSQL.15\", \"SqlServer.2019\" or \"{SqliteProvider}\"",
                nameof(ProviderName));
        }
    }
}
