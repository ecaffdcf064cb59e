using System.Globalization;
using Akka.Kthreads.Cli.Output;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// The loop of <c>kps ps --watch</c>: a table now and one every interval, redrawn in place on a
/// terminal and printed one after another when piped, until Ctrl+C (a clean end) or <c>--count</c> tables.
/// </summary>
internal static class PsWatch
{
    /// <summary>Draws frames with <paramref name="draw"/> (given the frame and its number, from 1) until <paramref name="ct"/> or the count.</summary>
    /// <remarks>Cancellation is how a watch ends: it returns normally, so the command exits 0.</remarks>
    public static async Task RunAsync(IKpsOutput output, Watching watch, Func<IKpsFrame, int, Task> draw, CancellationToken ct)
    {
        try
        {
            await output.LiveAsync(async frame =>
            {
                // PeriodicTimer keeps the pace: a slow table delays the next tick, ticks never pile up.
                using var timer = new PeriodicTimer(watch.Interval);
                for (var n = 1; ; n++)
                {
                    await draw(frame, n).ConfigureAwait(false);
                    frame.Show();
                    if (n == watch.Count || !await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C (or SIGTERM): the usual end of a watch, not a failure.
        }
    }

    /// <summary>"Table 3 of 5 at 14:02:07, every 2 s; Ctrl+C to stop": which table this is, for the heading.</summary>
    public static string Stamp(Watching watch, int n) => string.Create(CultureInfo.InvariantCulture,
        $"Table {n}{(watch.Count is { } count ? $" of {count}" : string.Empty)} at {DateTime.Now:HH:mm:ss}, "
        + $"every {watch.Interval.TotalSeconds:0.##} s; Ctrl+C to stop");
}
