namespace Akka.Kthreads.Cli.Output;

/// <summary>ps of one node: kthreadd first, then every thread and zombie in pid order.</summary>
internal static class PsTable
{
    public static async Task<IReadOnlyList<PsRow>> ReadAsync(Kthreads kthreads, CancellationToken ct) =>
        Rows(await kthreads.ListAsync(ct).ConfigureAwait(false));

    /// <summary>The rows of threads already listed.</summary>
    public static IReadOnlyList<PsRow> Rows(IReadOnlyList<KthreadInfo> threads)
    {
        var rows = new List<PsRow>(threads.Count + 1) { PsRow.Kthreadd };
        rows.AddRange(threads.OrderBy(t => t.Pid).Select(PsRow.From));
        return rows;
    }
}
