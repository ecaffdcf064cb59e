using System.Globalization;

namespace Akka.Kthreads.Cli.Output;

/// <summary>Plain aligned text, as procps prints: numbers right-aligned, no box drawing, no ANSI escapes.</summary>
internal sealed class PlainOutput(TextWriter writer) : IKpsOutput, IKpsFrame
{
    public bool Redraws => false;

    // Piped, a frame is simply printed after the last: its parts are written as they come.
    public Task LiveAsync(Func<IKpsFrame, Task> body) => body(this);

    public void Show() => writer.Flush();

    public void Heading(string text) => writer.WriteLine(text);

    public void Line(string text) => writer.WriteLine("  " + text);

    public void Table(IReadOnlyList<PsRow> rows)
    {
        var h = PsRow.Header;
        writer.WriteLine(Format(h[0], h[1], h[2], h[3], h[4]));
        foreach (var row in rows)
        {
            writer.WriteLine(Format(
                row.Pid.ToString(CultureInfo.InvariantCulture),
                row.PPid.ToString(CultureInfo.InvariantCulture),
                row.Cpu,
                row.Stat.ToString(),
                row.Command));
        }

        writer.WriteLine();
        writer.Flush();
    }

    public void Table(Grid grid)
    {
        // Every column as wide as its widest cell; the last one is not padded.
        var widths = grid.Columns.Select((c, i) => grid.Rows.Select(r => r[i].Length).Append(c.Name.Length).Max()).ToArray();
        writer.WriteLine(FormatRow(grid, widths, grid.Columns.Select(c => c.Name).ToArray()));
        foreach (var row in grid.Rows)
        {
            writer.WriteLine(FormatRow(grid, widths, row));
        }

        writer.WriteLine();
        writer.Flush();
    }

    public void Json(Grid grid)
    {
        writer.WriteLine(grid.ToJson());
        writer.Flush();
    }

    private static string FormatRow(Grid grid, int[] widths, IReadOnlyList<string> cells) =>
        string.Join(' ', cells.Select((cell, i) => grid.Columns[i].Numeric
            ? cell.PadLeft(widths[i])
            : i == cells.Count - 1 ? cell : cell.PadRight(widths[i])));

    private static string Format(string pid, string ppid, string cpu, string stat, string command) =>
        string.Create(CultureInfo.InvariantCulture, $"{pid,7} {ppid,5} {cpu,3} {stat,-4} {command}");
}
