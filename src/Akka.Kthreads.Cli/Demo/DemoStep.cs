using Akka.Kthreads.Cli.Output;

namespace Akka.Kthreads.Cli.Demo;

/// <summary>What every demo step does: show a ps table under a heading, name a thread, check a result.</summary>
internal static class DemoStep
{
    /// <summary>Reads ps, prints it under <paramref name="heading"/>, and returns the rows for checks.</summary>
    public static async Task<IReadOnlyList<PsRow>> ShowAsync(IKpsOutput output, Kthreads kthreads, string heading, CancellationToken ct)
    {
        var rows = await PsTable.ReadAsync(kthreads, ct).ConfigureAwait(false);
        output.Heading(heading);
        output.Table(rows);
        return rows;
    }

    /// <summary>"counter (pid 3)".</summary>
    public static string Name(Kthread thread) => $"{thread.Comm} (pid {thread.Pid})";

    /// <summary>The thread's STAT letter in <paramref name="rows"/>; null when ps no longer lists it.</summary>
    public static char? StatOf(IReadOnlyList<PsRow> rows, Kthread thread) =>
        rows.FirstOrDefault(r => r.Pid == thread.Pid)?.Stat;

    /// <summary>Fails the demo with <paramref name="failure"/> unless <paramref name="condition"/> holds.</summary>
    public static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new DemoFailedException(failure);
        }
    }
}
