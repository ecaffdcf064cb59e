using Akka.Actor;
using Akka.Configuration;

namespace Akka.Kthreads.Cluster;

/// <summary>The <c>kthreads.cluster { }</c> section of the config, read once (see hocon/kthreads-cluster.conf).</summary>
/// <param name="Cpus">Cluster-wide CPUs: 0 .. Cpus-1, each online on exactly one node.</param>
/// <param name="TypeName">Sharding type name of the CPU entities.</param>
/// <param name="Role">Only nodes with this role host CPUs; empty for every node.</param>
/// <param name="AskTimeout">How long QueueOnCpuAsync, PlacementAsync and the queries wait for a reply.</param>
/// <param name="HandOffRetry">How long a CPU whose hand-off failed waits before it tries again; also how long a CPU coming up waits for each node to say whether it still has it online.</param>
/// <param name="KeepAliveInterval">How often each node asks for every CPU to be up somewhere.</param>
/// <param name="MaxPayloadSize">The largest library message or user payload, in bytes, a node sends or accepts.</param>
/// <param name="JournalPlugin">Persistence journal plugin id of the CPU entities.</param>
/// <param name="SnapshotPlugin">Persistence snapshot-store plugin id of the CPU entities.</param>
/// <param name="SnapshotEvery">Journal events per CPU between snapshots of its ledger; 0 for none.</param>
/// <param name="SqliteFile">The embedded default store's SQLite file, used when no connection string is set.</param>
/// <param name="NodeActorName">Name of the node's query actor under /system.</param>
public sealed record ClusterKthreadsSettings(
    int Cpus,
    string TypeName,
    string Role,
    TimeSpan AskTimeout,
    TimeSpan HandOffRetry,
    TimeSpan KeepAliveInterval,
    long MaxPayloadSize,
    string JournalPlugin,
    string SnapshotPlugin,
    int SnapshotEvery,
    string SqliteFile,
    string NodeActorName)
{
    /// <summary>Reads the settings of a running system, falling back to the reference config.</summary>
    /// <param name="system">The system whose <c>kthreads.cluster</c> section is read.</param>
    /// <returns>The settings.</returns>
    public static ClusterKthreadsSettings Create(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return FromConfig(system.Settings.Config.WithFallback(ClusterKthreads.DefaultConfig()).GetConfig("kthreads.cluster"));
    }

    /// <summary>Reads the settings from a <c>kthreads.cluster</c> section; every key must be present (fall back to the reference config).</summary>
    /// <param name="config">The <c>kthreads.cluster { }</c> section itself.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ConfigurationException">The section is missing, or a value is out of range (the message names the key).</exception>
    public static ClusterKthreadsSettings FromConfig(Config config)
    {
        if (config is null || config.IsEmpty)
        {
            throw ConfigurationException.NullOrEmptyConfig<ClusterKthreadsSettings>("kthreads.cluster");
        }

        var settings = new ClusterKthreadsSettings(
            Cpus: Read(config, "cpus", "a positive count", c => c.GetInt("cpus", 0)),
            TypeName: Read(config, "type-name", "a sharding type name", c => c.GetString("type-name", "")),
            Role: Read(config, "role", "a role name or \"\"", c => c.GetString("role", "")),
            AskTimeout: Positive(config, "ask-timeout"),
            HandOffRetry: Positive(config, "hand-off-retry"),
            KeepAliveInterval: Positive(config, "keep-alive-interval"),
            MaxPayloadSize: Read(config, "max-payload-size", "a size such as 256KiB", c => c.GetByteSize("max-payload-size") ?? 0),
            JournalPlugin: Read(config, "store.journal-plugin", "a journal plugin id", c => c.GetString("store.journal-plugin", "")),
            SnapshotPlugin: Read(config, "store.snapshot-plugin", "a snapshot plugin id", c => c.GetString("store.snapshot-plugin", "")),
            SnapshotEvery: Read(config, "store.snapshot-every", "0 or a positive count of events", c => c.GetInt("store.snapshot-every", 0)),
            SqliteFile: Read(config, "store.sqlite-file", "a file path", c => c.GetString("store.sqlite-file", "")),
            NodeActorName: Read(config, "node.actor-name", "an actor name", c => c.GetString("node.actor-name", "")));

        if (settings.Cpus <= 0)
        {
            throw new ConfigurationException($"kthreads.cluster.cpus must be a positive count of CPUs, was {settings.Cpus}");
        }

        if (settings.MaxPayloadSize <= 0 || settings.MaxPayloadSize > int.MaxValue)
        {
            throw new ConfigurationException($"kthreads.cluster.max-payload-size must be a size between 1 byte and 2GiB, was {settings.MaxPayloadSize}");
        }

        if (settings.SnapshotEvery < 0)
        {
            throw new ConfigurationException($"kthreads.cluster.store.snapshot-every must be 0 (never) or a positive count of events, was {settings.SnapshotEvery}");
        }

        foreach (var (key, value) in new[]
        {
            ("type-name", settings.TypeName), ("store.journal-plugin", settings.JournalPlugin),
            ("store.snapshot-plugin", settings.SnapshotPlugin), ("store.sqlite-file", settings.SqliteFile),
            ("node.actor-name", settings.NodeActorName),
        })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ConfigurationException($"kthreads.cluster.{key} must not be empty");
            }
        }

        return settings;
    }

    private static TimeSpan Positive(Config config, string key)
    {
        var value = Read(config, key, "a positive duration such as 30s", c => c.GetTimeSpan(key, null, allowInfinite: false));
        if (value <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"kthreads.cluster.{key} must be a positive duration such as 30s, was {value}");
        }

        return value;
    }

    // HOCON's own parse errors do not say which key was wrong.
    private static T Read<T>(Config config, string key, string expected, Func<Config, T> read)
    {
        if (!config.HasPath(key))
        {
            throw new ConfigurationException($"kthreads.cluster.{key} is missing; it needs {expected}");
        }

        try
        {
            return read(config);
        }
        catch (Exception e) when (e is FormatException or OverflowException or NotSupportedException or ArgumentException or InvalidCastException)
        {
            var raw = config.GetValue(key)?.ToString() ?? "(missing)";
            throw new ConfigurationException($"kthreads.cluster.{key} must be {expected}, was '{raw}'", e);
        }
    }
}
