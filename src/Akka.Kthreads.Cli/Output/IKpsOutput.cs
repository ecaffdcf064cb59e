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
}
