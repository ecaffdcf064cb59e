using System.Collections.Concurrent;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// A per-CPU thread for the specs: its state is the text "count:items", where count goes up by one
/// for each item taken and items lists them in order. <see cref="Spec"/> saves after every item;
/// <see cref="SavingOnly"/> saves only when it takes an item named "save", so a crash loses the rest.
/// </summary>
public static class Tally
{
    public const string Comm = "tally/{0}";

    /// <param name="saved">Where each item goes once the save after it returned true (it is durable).</param>
    public static PerCpuThread Spec(ConcurrentQueue<(string Node, int Cpu, string Item)>? handled = null, string node = "", ConcurrentQueue<string>? saved = null) =>
        Make(handled, node, saveEvery: true, Comm, saved);

    public static PerCpuThread SavingOnly(ConcurrentQueue<(string Node, int Cpu, string Item)> handled, string node) =>
        Make(handled, node, saveEvery: false, Comm);

    /// <summary>The same thread (saving after every item) under another name format.</summary>
    public static PerCpuThread Named(string comm) => Make(null, "", saveEvery: true, comm);

    public static (long Count, string[] Items) Parse(string? state)
    {
        var parts = (state ?? "0:").Split(':', 2);
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
            parts[1].Length == 0 ? [] : parts[1].Split(','));
    }

    private static PerCpuThread Make(ConcurrentQueue<(string Node, int Cpu, string Item)>? handled, string node, bool saveEvery, string comm,
        ConcurrentQueue<string>? saved = null) =>
        new(comm, td => td.PendingItems > 0, async td =>
        {
            while (td.TryTakeItem(out var item))
            {
                var (count, items) = Parse((string?)td.State);
                td.State = $"{count + 1}:{string.Join(",", items.Append((string)item!))}";
                handled?.Enqueue((node, td.Cpu, (string)item!));
                if ((saveEvery || (string)item! == "save") && await td.SaveStateAsync())
                {
                    saved?.Enqueue((string)item!);
                }
            }
        })
        {
            CreateState = _ => "0:",
        };
}
