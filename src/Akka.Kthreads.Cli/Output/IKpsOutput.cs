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
}
