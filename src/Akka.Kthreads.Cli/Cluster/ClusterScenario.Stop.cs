using System.Diagnostics;
using Akka.Kthreads.Cli.Demo;
using Microsoft.Data.Sqlite;

namespace Akka.Kthreads.Cli.Cluster;

// The crash's precondition and the end of the scenario: every node stopped, the store deleted.
internal sealed partial class ClusterScenario
{
    private static readonly TimeSpan SavedBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    // counter/N saves every round before it counts again: one higher than shown means the shown count is durable.
    private async Task AwaitSavedAsync(KpsClusterNode victim)
    {
        var clock = Stopwatch.StartNew();
        var shown = _last.ToDictionary();
        while (true)
        {
            var rows = await ClusterPlacement.ReadAsync(_nodes[0], cpus, ct).ConfigureAwait(false);
            var behind = rows.Where(r => r.Node.Equals(victim.Address) && !(r.Counter > shown[r.Cpu])).Select(r => r.Cpu).ToArray();
            if (behind.Length == 0)
            {
                return;
            }

            if (clock.Elapsed > SavedBound)
            {
                throw new DemoFailedException($"{CounterThread.Comm} on {victim} did not count on within {SavedBound.TotalSeconds:0}s (cpus {string.Join(", ", behind)})");
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    // All at once and bounded: terminated, as crashes; then every host disposed, those that crashed or left earlier too.
    private async Task StopAllAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.CrashAsync())).WaitAsync(StopBound).ConfigureAwait(false);
        _nodes.Clear();
        await Task.WhenAll(_started.Select(n => n.DisposeAsync().AsTask())).WaitAsync(StopBound).ConfigureAwait(false);
    }

    private void DeleteStore()
    {
        // Pooled connections keep the file open; on Windows a delete would fail until they are closed.
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException e)
            {
                output.Line($"could not delete {file}: {e.Message}");
            }
        }
    }
}
