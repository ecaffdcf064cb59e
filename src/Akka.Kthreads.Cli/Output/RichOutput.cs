using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Akka.Kthreads.Cli.Output;

/// <summary>Spectre.Console tables and coloured STAT letters, for a terminal.</summary>
internal sealed class RichOutput(TextWriter writer) : IKpsOutput
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
    });

    public bool Redraws => true;

    public void Heading(string text) => _console.MarkupLine($"[bold]{Markup.Escape(text)}[/]");

    public void Line(string text) => _console.MarkupLine("  " + Markup.Escape(text));

    public void Table(IReadOnlyList<PsRow> rows)
    {
        _console.Write(TableOf(rows));
        _console.WriteLine();
    }

    public void Table(Grid grid)
    {
        _console.Write(TableOf(grid));
        _console.WriteLine();
    }

    // Straight to the writer: Spectre would wrap long lines at the terminal's width.
    public void Json(Grid grid)
    {
        writer.WriteLine(grid.ToJson());
        writer.Flush();
    }

    // Spectre's live display: each shown frame replaces the last in place; the last one stays.
    public Task LiveAsync(Func<IKpsFrame, Task> body) =>
        _console.Live(new Text(string.Empty))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Top)
            .StartAsync(context => body(new LiveFrame(context)));

    private static Markup HeadingOf(string text) => new($"[bold]{Markup.Escape(text)}[/]");

    private static Markup LineOf(string text) => new("  " + Markup.Escape(text));

    private static Table TableOf(IReadOnlyList<PsRow> rows)
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
                new Text(row.Pid.ToString(CultureInfo.InvariantCulture)),
                new Text(row.PPid.ToString(CultureInfo.InvariantCulture)),
                new Text(row.Cpu),
                new Markup($"[{StatColour(row.Stat)}]{row.Stat}[/]"),
                new Text(row.Command));
        }

        return table;
    }

    private static Table TableOf(Grid grid)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in grid.Columns)
        {
            table.AddColumn(new TableColumn(column.Name) { Alignment = column.Numeric ? Justify.Right : Justify.Left });
        }

        var stat = grid.Columns.Select(c => c.Name).ToList().IndexOf("STAT");
        foreach (var row in grid.Rows)
        {
            table.AddRow(row.Select((cell, i) => i == stat && cell.Length == 1
                ? (IRenderable)new Markup($"[{StatColour(cell[0])}]{Markup.Escape(cell)}[/]")
                : new Text(cell)).ToArray());
        }

        return table;
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

    /// <summary>A frame gathered part by part, then put up in place of the last.</summary>
    private sealed class LiveFrame(LiveDisplayContext context) : IKpsFrame
    {
        private readonly List<IRenderable> _parts = [];

        public void Heading(string text) => _parts.Add(HeadingOf(text));

        public void Line(string text) => _parts.Add(LineOf(text));

        public void Table(IReadOnlyList<PsRow> rows) => _parts.Add(TableOf(rows));

        public void Table(Grid grid) => _parts.Add(TableOf(grid));

        public void Show()
        {
            context.UpdateTarget(new Rows(_parts.ToArray()));
            context.Refresh();
            _parts.Clear();
        }
    }
}
