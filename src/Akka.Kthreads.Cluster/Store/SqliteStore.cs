using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace Akka.Kthreads.Cluster.Store;

/// <summary>
/// INTERNAL API. The embedded default store: Akka.Persistence.Sql on one SQLite file, used when the
/// config sets no connection string of its own for the store's plugins. Any SQLite store gets WAL.
/// </summary>
internal static class SqliteStore
{
    public static void InjectDefault(ExtendedActorSystem system, ClusterKthreadsSettings settings)
    {
        var config = system.Settings.Config;
        var configured = config.GetString(settings.JournalPlugin + ".connection-string", null);
        if (!string.IsNullOrEmpty(configured))
        {
            // A SQLite store set by the user (or by Akka.Hosting) is shared by nodes just as the default one is.
            if (config.GetString(settings.JournalPlugin + ".provider-name", "").StartsWith("SQLite", StringComparison.OrdinalIgnoreCase))
            {
                EnableWal(configured);
            }

            return;
        }

        var file = Path.GetFullPath(settings.SqliteFile);
        var connection = $"Data Source={file};Default Timeout=30;Pooling=True";
        EnableWal(connection);
        var store = ConfigurationFactory.ParseString($$"""
            {{settings.JournalPlugin}} {
              class = "Akka.Persistence.Sql.Journal.SqlWriteJournal, Akka.Persistence.Sql"
              connection-string = "{{Escape(connection)}}"
              provider-name = "SQLite.MS"
              auto-initialize = on
            }
            {{settings.SnapshotPlugin}} {
              class = "Akka.Persistence.Sql.Snapshot.SqlSnapshotStore, Akka.Persistence.Sql"
              connection-string = "{{Escape(connection)}}"
              provider-name = "SQLite.MS"
              auto-initialize = on
            }
            """);
        system.Settings.InjectTopLevelFallback(store);
    }

    // Several nodes (or processes) on one file: WAL lets readers and the one writer go on together.
    private static void EnableWal(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL;";
        pragma.ExecuteNonQuery();
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
