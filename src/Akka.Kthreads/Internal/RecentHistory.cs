using System.Diagnostics.CodeAnalysis;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The last <c>capacity</c> keys added, oldest forgotten first: enough to answer a late
/// message about something already gone, in bounded memory. Not thread-safe: one actor owns it.
/// </summary>
internal sealed class RecentHistory<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly Dictionary<TKey, TValue> _entries = new();
    private readonly Queue<TKey> _order = new();

    /// <summary>Remembers <paramref name="value"/> under <paramref name="key"/>; a key already remembered keeps its first value.</summary>
    public void Add(TKey key, TValue value)
    {
        if (capacity == 0 || !_entries.TryAdd(key, value))
        {
            return;
        }

        _order.Enqueue(key);
        if (_order.Count > capacity)
        {
            _entries.Remove(_order.Dequeue());
        }
    }

    /// <summary>The value remembered under <paramref name="key"/>, if it is still remembered.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => _entries.TryGetValue(key, out value);

    /// <summary>Whether <paramref name="key"/> is still remembered.</summary>
    public bool Contains(TKey key) => _entries.ContainsKey(key);
}
