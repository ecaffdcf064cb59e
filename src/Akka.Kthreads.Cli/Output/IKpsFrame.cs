namespace Akka.Kthreads.Cli.Output;

/// <summary>
/// One frame of a live display (<c>kps ps --watch</c>, <c>kps cluster</c> on a terminal): written
/// part by part, then <see cref="Show"/> puts it up in place of the last one.
/// </summary>
internal interface IKpsFrame
{
    /// <summary>A one-line heading.</summary>
    void Heading(string text);

    /// <summary>A line of detail under a heading.</summary>
    void Line(string text);

    /// <summary>A ps table: PID PPID CPU STAT COMMAND.</summary>
    void Table(IReadOnlyList<PsRow> rows);

    /// <summary>Any other table.</summary>
    void Table(Grid grid);

    /// <summary>Ends the frame: on a terminal it replaces the one shown; piped, its parts were already printed in turn.</summary>
    void Show();
}
