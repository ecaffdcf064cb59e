using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Cluster.Serialization;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads.Cluster.Store;

/// <summary>
/// INTERNAL API. The node's side of the cluster store: for each CPU this node hosts, its ledger
/// (recovered by the CPU's entity) and the per-CPU threads running with it. smpboot calls it at the
/// hotplug points (<see cref="IPerCpuStore"/>), so a thread gets its saved state before it runs here
/// and gives it back after it parked.
/// </summary>
/// <remarks>Every use of a CPU's ledger or live threads holds that CPU's lock: the entity, smpboot and the threads all touch them.</remarks>
internal sealed class NodeStore : IPerCpuStore
{
    private readonly ConcurrentDictionary<int, Hosted> _hosted = new();
    private readonly Akka.Serialization.Serialization _serialization;
    private readonly ILoggingAdapter _log;
    private readonly TimeSpan _askTimeout;
    private readonly long _maxPayloadSize;
    private int _transitions;

    public NodeStore(Akka.Serialization.Serialization serialization, ILoggingAdapter log, TimeSpan askTimeout, long maxPayloadSize)
    {
        _serialization = serialization;
        _log = log;
        _askTimeout = askTimeout;
        _maxPayloadSize = maxPayloadSize;
    }

    /// <summary>CPUs of this node coming up or being handed off now: a cluster-wide stop_machine refuses (-EBUSY) meanwhile.</summary>
    public int InTransition => Volatile.Read(ref _transitions);

    /// <summary>A CPU entity entered (true) or left (false) its start-up or hand-off.</summary>
    public void Transition(bool entering)
    {
        if (entering)
        {
            Interlocked.Increment(ref _transitions);
        }
        else
        {
            Interlocked.Decrement(ref _transitions);
        }
    }

    /// <summary>The entity of <paramref name="cpu"/> recovered <paramref name="ledger"/> here: threads made or unparked for it get their state from it.</summary>
    public void Host(int cpu, CpuLedger ledger, IActorRef entity)
    {
        var h = new Hosted(ledger, entity);

        // Sharding starts an entity only after the last one here stopped: saves still waiting for that one end.
        _hosted.AddOrUpdate(cpu, h, (_, old) =>
        {
            old.Gone.Cancel();
            return h;
        });
    }

    /// <summary>True while an entity of <paramref name="cpu"/> has recovered here and not stopped.</summary>
    public bool IsHosted(int cpu) => _hosted.ContainsKey(cpu);

    /// <summary>The entity stopped: nothing of <paramref name="cpu"/> is kept here any more.</summary>
    public void Unhost(int cpu, IActorRef entity)
    {
        if (_hosted.TryGetValue(cpu, out var h) && h.Entity.Equals(entity))
        {
            _hosted.TryRemove(new KeyValuePair<int, Hosted>(cpu, h));
            h.Gone.Cancel();
        }
    }

    /// <summary>Runs <paramref name="change"/> on the ledger of <paramref name="cpu"/> under its lock.</summary>
    public void Update(int cpu, Action<CpuLedger> change)
    {
        if (_hosted.TryGetValue(cpu, out var h))
        {
            lock (h)
            {
                change(h.Ledger);
            }
        }
    }

    /// <summary>An accepted item: into the ledger, and <paramref name="item"/> (the object it was serialized from) to its thread if one runs here, woken after so no wake-up is lost.</summary>
    public void Deliver(int cpu, ItemAccepted accepted, object item)
    {
        if (!_hosted.TryGetValue(cpu, out var h))
        {
            return;
        }

        PerCpu? td;
        lock (h)
        {
            h.Ledger.Apply(accepted);
            if (h.Live.TryGetValue(accepted.Name, out td))
            {
                td.Enqueue(accepted.Seq, item);
            }
        }

        // kernel: wake_up_process() after the condition is set, as the WaitQueue rule asks.
        td?.Thread.Ref.Tell(KthreadProtocol.WakeUp.Instance, ActorRefs.NoSender);
    }

    /// <summary>The per-CPU threads of <paramref name="cpu"/> running here, with their states as text.</summary>
    public IReadOnlyList<ClusterCpuProtocol.PerCpuInfo> Describe(int cpu)
    {
        if (!_hosted.TryGetValue(cpu, out var h))
        {
            return [];
        }

        lock (h)
        {
            var names = h.Live.Keys.Union(h.Ledger.Entries.Select(e => e.Key)).Order(StringComparer.Ordinal);
            return names.Select(name => h.Live.TryGetValue(name, out var td)
                    ? new ClusterCpuProtocol.PerCpuInfo(name, td.State?.ToString(), td.PendingItems)
                    : Saved(name, h.Ledger.Find(name)!))
                .ToArray();
        }
    }

    public bool Attach(PerCpu td)
    {
        if (!_hosted.TryGetValue(td.Cpu, out var h))
        {
            return false;
        }

        lock (h)
        {
            h.Live[td.Name] = td;
            if (h.Ledger.Find(td.Name) is not { } entry)
            {
                return false;
            }

            var state = entry.HasState ? entry.State?.ToObject(_serialization) : td.State;
            td.Restore(state, entry.Taken, entry.Pending.Select(p => (p.Key, p.Value.ToObject(_serialization))).ToArray());
            _log.Debug("cluster: {0} on cpu {1} resumes from its saved state (taken up to {2}, {3} items waiting)",
                td.Name, td.Cpu, entry.Taken, entry.Pending.Count);
            return entry.HasState;
        }
    }

    public void Detach(PerCpu td)
    {
        if (!_hosted.TryGetValue(td.Cpu, out var h))
        {
            return;
        }

        StateSaved saved;
        lock (h)
        {
            if (!h.IsLive(td))
            {
                return;
            }

            h.Live.Remove(td.Name);

            saved = Capture(td, td.State, td.Taken);
            td.DropItems();
            if (Unfit(saved) is { } why)
            {
                // The journal would refuse it, or the new node could not read it: the new node starts from the last
                // save; the items stay in the ledger.
                _log.Error("cluster: {0} on cpu {1} parked with a state that cannot be saved ({2}); it moves with its last save", td.Name, td.Cpu, why);
                return;
            }

            if (Unchanged(h.Ledger.Find(td.Name), saved))
            {
                // The thread saved exactly this already: a hand-off writes nothing (the common case of a
                // thread that saves as it goes), so a move costs what sharding's own hand-off costs.
                return;
            }

            h.Ledger.Apply(saved);
        }

        // The entity journals it before it stops: the new node's thread starts from exactly this.
        h.Entity.Tell(new CpuEntity.Detached(saved));
    }

    private static bool Unchanged(CpuLedger.Entry? entry, StateSaved saved) =>
        entry is { HasState: true } && entry.Taken == saved.Taken
        && (entry.State, saved.State) switch
        {
            (null, null) => true,
            ({ } a, { } b) => a.SerializerId == b.SerializerId && a.Manifest == b.Manifest && a.Bytes.AsSpan().SequenceEqual(b.Bytes),
            _ => false,
        };

    public Task<bool> Save(PerCpu td, object? state, long taken)
    {
        if (!_hosted.TryGetValue(td.Cpu, out var h))
        {
            return Task.FromResult(false);
        }

        lock (h)
        {
            // Still running from an entity that stopped without its hand-off: the one hosting now did not give it its
            // state, and is taking the CPU down to do so (an ask would wait behind that, and keep the thread from parking).
            if (!h.IsLive(td))
            {
                return Task.FromResult(false);
            }
        }

        var saved = Capture(td, state, taken);
        if (Unfit(saved) is { } why)
        {
            _log.Warning("cluster: {0} on cpu {1} did not save: {2}", td.Name, td.Cpu, why);
            return Task.FromResult(false);
        }

        return AskSaveAsync(h, td, saved);
    }

    // Bounded by the entity's life as well as ask-timeout: a thread waiting here cannot park, so cannot move.
    private async Task<bool> AskSaveAsync(Hosted h, PerCpu td, StateSaved saved)
    {
        try
        {
            return await h.Entity.Ask<bool>(new CpuEntity.Save(saved), _askTimeout, h.Gone.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _log.Warning("cluster: {0} on cpu {1} did not save: the CPU's entity stopped before it answered (the write may have happened)", td.Name, td.Cpu);
            return false;
        }
        catch (AskTimeoutException)
        {
            _log.Warning("cluster: {0} on cpu {1} did not save: no answer within {2} (kthreads.cluster.ask-timeout; the write may have happened)", td.Name, td.Cpu, _askTimeout);
            return false;
        }
    }

    /// <summary>Why <paramref name="payload"/> would not read back on the node it moves to (its serializer fails on its own bytes), or null.</summary>
    /// <remarks>Found here, where the caller gets the refusal, rather than on the next node, where the CPU could not come up.</remarks>
    internal string? Unreadable(Payload? payload)
    {
        try
        {
            _ = payload?.ToObject(_serialization);
            return null;
        }
        catch (Exception e)
        {
            return $"it does not read back from its bytes ({e.GetType().Name}: {e.Message})";
        }
    }

    /// <summary>Why the journal would refuse <paramref name="accepted"/> (above kthreads.cluster.max-payload-size), or null if it fits.</summary>
    /// <remarks>Counted as the serializer writes it, without writing it: a refused write would never answer.</remarks>
    internal string? TooLarge(ItemAccepted accepted) => TooLarge(accepted, ClusterKthreadsSerializer.EncodedSize(accepted));

    // A hand-off would drop a state the journal refuses silently.
    private string? TooLarge(StateSaved saved) => TooLarge(saved, ClusterKthreadsSerializer.EncodedSize(saved));

    // The serializer's own refusal, word for word.
    private string? TooLarge(object message, long size) =>
        size <= _maxPayloadSize ? null : $"a {message.GetType().Name} of {size} bytes is above kthreads.cluster.max-payload-size ({_maxPayloadSize} bytes)";

    // A saved state is journaled (so it must fit) and read back on the next node (so it must deserialize).
    private string? Unfit(StateSaved saved) => TooLarge(saved) ?? Unreadable(saved.State);

    private StateSaved Capture(PerCpu td, object? state, long taken) =>
        new(td.Name, state is null ? null : Payload.From(_serialization, state), taken);

    private ClusterCpuProtocol.PerCpuInfo Saved(string name, CpuLedger.Entry entry) =>
        new(name, entry.State?.ToObject(_serialization).ToString(), entry.Pending.Count);

    private sealed class Hosted(CpuLedger ledger, IActorRef entity)
    {
        public CpuLedger Ledger { get; } = ledger;

        public IActorRef Entity { get; } = entity;

        public Dictionary<string, PerCpu> Live { get; } = new(StringComparer.Ordinal);

        /// <summary>True when <paramref name="td"/> is the thread this entity gave its state to (not one of a stopped entity); under the lock.</summary>
        public bool IsLive(PerCpu td) => Live.TryGetValue(td.Name, out var live) && ReferenceEquals(live, td);

        /// <summary>Cancelled when the entity stops: a save it will never answer returns false at once.</summary>
        public CancellationTokenSource Gone { get; } = new();
    }
}
