using System.Globalization;

namespace Akka.Kthreads.Cli.Output;

/// <summary>Plain aligned text, as procps prints: numbers right-aligned, no box drawing, no ANSI escapes.</summary>
internal sealed class PlainOutput(TextWriter writer) : IKpsOutput
{
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

    private static string Format(string pid, string ppid, string cpu, string stat, string command) =>
        string.Create(CultureInfo.InvariantCulture, $"{pid,7} {ppid,5} {cpu,3} {stat,-4} {command}");
}
