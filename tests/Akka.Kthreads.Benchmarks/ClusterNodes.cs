using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// What the cluster figures share: nodes of one in-process cluster (127.0.0.1, port 0, SBR keep-majority)
/// on one fresh SQLite file, with the same sharding and Akka.Persistence.Sql settings for the library's
/// CPUs and for the raw sharded entities, so both sides differ only in what runs on top.
/// </summary>
internal static class ClusterNodes
{
    /// <summary>How long one hand-off or one settling may take before the figure gives up.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>A fresh SQLite file in WAL mode (as the library's default store sets it), for one round.</summary>
    public static string FreshDb()
    {
        var file = Path.Combine(Path.GetTempPath(), $"kthreads-bench-{Guid.NewGuid():N}.db");
        using var connection = new SqliteConnection($"Data Source={file}");
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL;";
        pragma.ExecuteNonQuery();
        return file;
    }

    /// <summary>Deletes a round's SQLite file and its WAL companions.</summary>
    public static void DeleteDb(string file)
    {
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { file, file + "-wal", file + "-shm" })
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // A pooled connection of a node still closing: the file is in the temp directory anyway.
            }
        }
    }

    /// <summary>One node's config: <paramref name="cpus"/> cluster CPUs (when the library runs) on <paramref name="db"/>.</summary>
    public static Config NodeConfig(string db, int cpus)
    {
        var connection = $"Data Source={db.Replace("\\", "/", StringComparison.Ordinal)};Default Timeout=30;Pooling=True";
        return ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.log-dead-letters = off
            # Terminate() ends a round's survivor at once; the measured leave runs CoordinatedShutdown itself.
            akka.coordinated-shutdown.run-by-actor-system-terminate = off
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster {
              downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
              split-brain-resolver { active-strategy = keep-majority, stable-after = 2s }
              failure-detector { heartbeat-interval = 500ms, acceptable-heartbeat-pause = 2s }
              min-nr-of-members = 1
              # The same sharding for both sides (the library's reference config sets these too).
              sharding {
                rebalance-interval = 500ms
                remember-entities = on
                remember-entities-store = ddata
                state-store-mode = ddata
                distributed-data.durable.keys = []
                least-shard-allocation-strategy { rebalance-absolute-limit = 1000, rebalance-relative-limit = 1.0 }
              }
            }
            # Set here, so the library's default store steps aside and both sides use this very plugin config.
            akka.persistence.journal.plugin = "akka.persistence.journal.sql"
            akka.persistence.journal.sql {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              connection-string = "{{connection}}"
              provider-name = "SQLite.MS"
              auto-initialize = on
            }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
            akka.persistence.snapshot-store.sql {
              class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
              connection-string = "{{connection}}"
              provider-name = "SQLite.MS"
              auto-initialize = on
            }
            kthreads {
              ask-timeout = 60s
              cluster { cpus = {{cpus}}, ask-timeout = 60s }
            }
            """);
    }

    /// <summary>Makes a node and joins it to <paramref name="seed"/> (itself when null); extensions are got by <paramref name="start"/> before the join.</summary>
    public static ActorSystem StartNode(Config config, ActorSystem? seed, Action<ActorSystem> start)
    {
        var system = ActorSystem.Create("kthreads-bench", config);
        start(system);
        var cluster = Akka.Cluster.Cluster.Get(system);
        cluster.Join(seed is null ? cluster.SelfAddress : Akka.Cluster.Cluster.Get(seed).SelfAddress);
        return system;
    }

    /// <summary>Polls (every 20 ms) until <paramref name="condition"/> has held for <paramref name="stable"/>; throws past <see cref="Patience"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan stable, string what)
    {
        var clock = Stopwatch.StartNew();
        var heldSince = (TimeSpan?)null;
        while (clock.Elapsed < Patience)
        {
            if (await condition())
            {
                heldSince ??= clock.Elapsed;
                if (clock.Elapsed - heldSince >= stable)
                {
                    return;
                }
            }
            else
            {
                heldSince = null;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"cluster figures: {what} did not happen within {Patience}");
    }

    /// <summary>Up members as <paramref name="system"/> sees them.</summary>
    public static int UpMembers(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up);

    /// <summary>The real leave path: CoordinatedShutdown with the cluster-leaving reason (hand-offs first), to the system's end.</summary>
    public static async Task LeaveAsync(ActorSystem system)
    {
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await system.WhenTerminated;
    }

    /// <summary>Terminates every system given, bounded, so a node that will not end does not hang the figures.</summary>
    public static Task StopAllAsync(params ActorSystem?[] systems) =>
        Task.WhenAll(systems.OfType<ActorSystem>().Select(s => s.Terminate())).WaitAsync(TimeSpan.FromSeconds(30));
}

/// <summary>The raw side: a plain persistent entity under sharding, remember-entities on, one shard per entity.</summary>
internal sealed class RawEntity : ReceivePersistentActor
{
    public const string TypeName = "raw-entity";

    private long _seq;

    public RawEntity(string id)
    {
        PersistenceId = $"raw-entity-{id}";
        Recover<string>(_ => _seq++);

        // Where: answer with this node's address (persisting one event the first time, so recovery has something to replay).
        Command<Where>(_ =>
        {
            var sender = Sender;
            var node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
            if (_seq > 0)
            {
                sender.Tell(node);
                return;
            }

            Persist("started", _ =>
            {
                _seq++;
                sender.Tell(node);
            });
        });

        // Put: persist the payload, then answer its sequence number (QueueOnCpuAsync's raw analogue).
        Command<Put>(put =>
        {
            var sender = Sender;
            Persist(put.Item, _ => sender.Tell(++_seq));
        });
    }

    public override string PersistenceId { get; }

    /// <summary>Starts the region (ClusterSharding already got) with remember-entities on, as the library's CPUs.</summary>
    public static IActorRef StartRegion(ActorSystem system)
    {
        var settings = ClusterShardingSettings.Create(system).WithRememberEntities(true);
        return ClusterSharding.Get(system).Start(TypeName, id => Props.Create(() => new RawEntity(id)), settings, Extractor.Instance);
    }

    /// <summary>Gets sharding with its defaults in place before the node joins (else ddata's serializer is missing).</summary>
    public static void PrepareSharding(ActorSystem system)
    {
        ClusterSharding.Get(system);
        system.Settings.InjectTopLevelFallback(ClusterSharding.DefaultConfig());
    }

    /// <summary>Asks the entity for its node.</summary>
    public sealed record Where(string Id) : IRawMessage;

    /// <summary>Asks the entity to persist <paramref name="Item"/> and answer its sequence number.</summary>
    public sealed record Put(string Id, string Item) : IRawMessage;

    /// <summary>Routes by entity id; entity id = shard id, as the library's CPUs.</summary>
    public interface IRawMessage
    {
        /// <summary>The entity.</summary>
        string Id { get; }
    }

    private sealed class Extractor : IMessageExtractor
    {
        public static Extractor Instance { get; } = new();

        public string? EntityId(object message) => message is IRawMessage m ? m.Id : null;

        public object? EntityMessage(object message) => message;

        public string? ShardId(object message) => EntityId(message);

        public string ShardId(string entityId, object? messageHint = null) => entityId;
    }
}
