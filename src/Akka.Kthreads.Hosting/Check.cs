using System.Globalization;

namespace Akka.Kthreads.Hosting;

/// <summary>INTERNAL API. The option checks both option classes share; each names the option it refuses.</summary>
internal static class Check
{
    public static void Positive(TimeSpan? value, string owner, string name)
    {
        if (value is { } v && v <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, v, $"{owner}.{name} must be a positive duration");
        }
    }

    public static void NotNegative(TimeSpan? value, string owner, string name)
    {
        if (value is { } v && v < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, v, $"{owner}.{name} must be a duration, 0 for off; not negative");
        }
    }

    public static void AtLeast(int? value, int least, string owner, string name)
    {
        if (value is { } v && v < least)
        {
            throw new ArgumentOutOfRangeException(name, v, string.Create(CultureInfo.InvariantCulture, $"{owner}.{name} must be at least {least}"));
        }
    }

    public static void NotBlank(string? value, string owner, string name)
    {
        if (value is not null && string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{owner}.{name} must not be empty", name);
        }
    }
}
