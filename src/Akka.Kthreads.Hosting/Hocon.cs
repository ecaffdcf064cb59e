using System.Globalization;
using System.Text;

namespace Akka.Kthreads.Hosting;

/// <summary>INTERNAL API. How both option classes write values into HOCON.</summary>
internal static class Hocon
{
    public static string? Duration(TimeSpan? value) => value switch
    {
        null => null,
        // Whole milliseconds as before; a finer value (an idle poll of 50 µs) in microseconds. Akka's HOCON matches "us"
        // but then fails to read it (1.5.74), so the unit is written as "micros".
        { } v when v.Ticks % TimeSpan.TicksPerMillisecond == 0 => ((long)v.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms",
        { } v => ((long)v.TotalMicroseconds).ToString(CultureInfo.InvariantCulture) + "micros",
    };

    public static string? Quote(string? value) =>
        value is null ? null : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Writes <c>key = value</c> as a line, or nothing for an option not set (a null value).</summary>
    public static void Line(StringBuilder hocon, string key, string? value)
    {
        if (value is not null)
        {
            hocon.Append(key).Append(" = ").Append(value).Append('\n');
        }
    }
}
