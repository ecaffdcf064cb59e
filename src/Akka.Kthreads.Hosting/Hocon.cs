using System.Globalization;
using System.Text;

namespace Akka.Kthreads.Hosting;

/// <summary>INTERNAL API. How both option classes write values into HOCON.</summary>
internal static class Hocon
{
    public static string? Duration(TimeSpan? value) =>
        value is { } v ? ((long)v.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms" : null;

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
