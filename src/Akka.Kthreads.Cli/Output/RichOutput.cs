using Spectre.Console;

namespace Akka.Kthreads.Cli.Output;

/// <summary>Spectre.Console tables and coloured STAT letters, for a terminal.</summary>
internal sealed class RichOutput(TextWriter writer) : IKpsOutput
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
    });

    public void Heading(string text) => _console.MarkupLine($"[bold]{Markup.Escape(text)}[/]");

    public void Line(string text) => _console.MarkupLine("  " + Markup.Escape(text));

    public void Table(IReadOnlyList<PsRow> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in PsRow.Header)
        {
            var rightAligned = column is "PID" or "PPID" or "CPU";
            table.AddColumn(new TableColumn(column) { Alignment = rightAligned ? Justify.Right : Justify.Left });
        }

        foreach (var row in rows)
        {
            table.AddRow(
                new Text(row.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(row.PPid.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Text(row.Cpu),
                new Markup($"[{StatColour(row.Stat)}]{row.Stat}[/]"),
                new Text(row.Command));
        }

        _console.Write(table);
        _console.WriteLine();
    }

    public void Table(Grid grid)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in grid.Columns)
        {
            table.AddColumn(new TableColumn(column.Name) { Alignment = column.Numeric ? Justify.Right : Justify.Left });
        }

        foreach (var row in grid.Rows)
        {
            table.AddRow(row.Select(cell => new Text(cell)).ToArray<Spectre.Console.Rendering.IRenderable>());
        }

        _console.Write(table);
        _console.WriteLine();
    }

    // Straight to the writer: Spectre would wrap long lines at the terminal's width.
    public void Json(Grid grid)
    {
        writer.WriteLine(grid.ToJson());
        writer.Flush();
    }

    private static string StatColour(char stat) => stat switch
    {
        'R' => "green",
        'S' => "blue",
        'P' => "yellow",
        'Z' => "red",
        'D' => "grey",
        _ => "default",
    };
}
