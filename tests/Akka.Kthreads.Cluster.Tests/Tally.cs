namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// A per-CPU thread for the specs: its state is the text "count:items", where count goes up by one
/// on each round and items lists every item it took, in order; it saves after every item.
/// </summary>
public static class Tally
{
    public const string Comm = "tally/{0}";

    public static PerCpuThread Spec() => new(Comm, td => td.PendingItems > 0, RoundAsync)
    {
        CreateState = _ => "0:",
    };

    public static (long Count, string[] Items) Parse(string? state)
    {
        var parts = (state ?? "0:").Split(':', 2);
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
            parts[1].Length == 0 ? [] : parts[1].Split(','));
    }

    private static async Task RoundAsync(PerCpu td)
    {
        while (td.TryTakeItem(out var item))
        {
            var (count, items) = Parse((string?)td.State);
            td.State = $"{count + 1}:{string.Join(",", items.Append((string)item!))}";
            await td.SaveStateAsync();
        }
    }
}
