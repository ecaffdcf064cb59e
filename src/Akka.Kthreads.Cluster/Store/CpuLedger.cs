namespace Akka.Kthreads.Cluster.Store;

/// <summary>
/// INTERNAL API. What one CPU's journal adds up to: per per-CPU thread, its last saved state and
/// the items accepted after the last one it took. Rebuilt on recovery, so it is what moves.
/// </summary>
internal sealed class CpuLedger
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The last sequence number given to an item of this CPU.</summary>
    public long LastSeq { get; private set; }

    public IEnumerable<KeyValuePair<string, Entry>> Entries => _entries;

    public void Apply(ItemAccepted accepted)
    {
        LastSeq = Math.Max(LastSeq, accepted.Seq);
        var entry = EntryFor(accepted.Name);
        if (accepted.Seq > entry.Taken)
        {
            entry.Pending.Add(accepted.Seq, accepted.Item);
        }
    }

    public void Apply(StateSaved saved)
    {
        var entry = EntryFor(saved.Name);

        // A state never goes back: a save from before the newest one (a late message) changes nothing.
        if (saved.Taken < entry.Taken)
        {
            return;
        }

        entry.State = saved.State;
        entry.HasState = true;
        entry.Taken = saved.Taken;
        foreach (var seq in entry.Pending.Keys.Where(seq => seq <= saved.Taken).ToList())
        {
            entry.Pending.Remove(seq);
        }
    }

    public Entry? Find(string name) => _entries.GetValueOrDefault(name);

    /// <summary>The ledger as events that rebuild it: each saved state, then each item not yet taken.</summary>
    public LedgerSnapshot ToSnapshot() => new(
        LastSeq,
        _entries.Where(e => e.Value.HasState).Select(e => new StateSaved(e.Key, e.Value.State, e.Value.Taken)).ToArray(),
        _entries.SelectMany(e => e.Value.Pending.Select(p => new ItemAccepted(p.Key, e.Key, p.Value))).OrderBy(a => a.Seq).ToArray());

    /// <summary>Starts over from <paramref name="snapshot"/> (recovery: events after it follow).</summary>
    public void Restore(LedgerSnapshot snapshot)
    {
        _entries.Clear();
        LastSeq = snapshot.LastSeq;
        foreach (var saved in snapshot.States)
        {
            Apply(saved);
        }

        foreach (var accepted in snapshot.Pending)
        {
            Apply(accepted);
        }
    }

    private Entry EntryFor(string name)
    {
        if (!_entries.TryGetValue(name, out var entry))
        {
            entry = new Entry();
            _entries.Add(name, entry);
        }

        return entry;
    }

    /// <summary>One per-CPU thread's saved state and its items not yet taken, in arrival order.</summary>
    internal sealed class Entry
    {
        public Payload? State { get; set; }

        public bool HasState { get; set; }

        public long Taken { get; set; }

        public SortedList<long, Payload> Pending { get; } = new();
    }
}
