using System.Globalization;

namespace Akka.Kthreads.Hosting;

/// <summary>INTERNAL API. How both option classes write values into HOCON.</summary>
internal static class Hocon
{
    public static string? Duration(TimeSpan? value) =>
        value is { } v ? ((long)v.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms" : null;

    public static string? Quote(string? value) =>
        value is null ? null : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
