namespace Akka.Kthreads.Cli.Output;

/// <summary>What kps shows: headings, lines and ps tables; rich on a terminal, plain text when piped or tested.</summary>
internal interface IKpsOutput
{
    static IKpsOutput For(TextWriter writer, bool rich) => rich ? new RichOutput(writer) : new PlainOutput(writer);

    /// <summary>A one-line heading saying what the step did.</summary>
    void Heading(string text);

    /// <summary>A line of detail under a heading.</summary>
    void Line(string text);

    /// <summary>A ps table: PID PPID CPU STAT COMMAND.</summary>
    void Table(IReadOnlyList<PsRow> rows);

    /// <summary>Any other table (cluster CPUs, cluster-wide ps), drawn like the ps table.</summary>
    void Table(Grid grid);

    /// <summary>A table as JSON (<c>--json</c>): written as is, never styled or wrapped.</summary>
    void Json(Grid grid);

    /// <summary>True when <see cref="LiveAsync"/> redraws in place (a terminal); false when each frame follows the last (piped).</summary>
    bool Redraws { get; }

    /// <summary>Runs <paramref name="body"/> with a frame that it shows as often as it likes; nothing else may write meanwhile.</summary>
    /// <param name="body">Draws frames until it completes; the last one stays on the screen.</param>
    Task LiveAsync(Func<IKpsFrame, Task> body);
}
