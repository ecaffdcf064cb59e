using System.Diagnostics;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Output;

namespace Akka.Kthreads.Cli.Hotplug;

/// <summary>
/// The scenario's ps tables, read once every thread has gone back to sleep: a thread that just did
/// its work may still show R for a moment, and the tables should read the same on every run.
/// </summary>
internal static class SettledPs
{
    // Far above a round of work: only a thread that never sleeps again gets here.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>Prints ps under <paramref name="heading"/> once no thread is R; returns the rows for checks.</summary>
    public static async Task<IReadOnlyList<PsRow>> ShowAsync(IKpsOutput output, Kthreads kthreads, string heading, CancellationToken ct)
    {
        var rows = await ReadAsync(kthreads, ct).ConfigureAwait(false);
        output.Heading(heading);
        output.Table(rows);
        return rows;
    }

    /// <summary>ps once nothing is running; there is no event for "went to sleep", so ps is read again until then.</summary>
    public static async Task<IReadOnlyList<PsRow>> ReadAsync(Kthreads kthreads, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var rows = await PsTable.ReadAsync(kthreads, ct).ConfigureAwait(false);
            if (rows.All(r => r.Stat != 'R'))
            {
                return rows;
            }

            if (clock.Elapsed > Deadline)
            {
                throw new DemoFailedException(
                    $"{string.Join(", ", rows.Where(r => r.Stat == 'R').Select(r => r.Command))} still running after {Deadline.TotalSeconds:0}s with no work");
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The row of <paramref name="comm"/>; a missing one fails the scenario.</summary>
    public static PsRow Row(IReadOnlyList<PsRow> rows, string comm) =>
        rows.FirstOrDefault(r => r.Command == comm) ?? throw new DemoFailedException($"ps does not list {comm}");
}
