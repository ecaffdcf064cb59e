using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Cluster.Store;
using Akka.Persistence;

namespace Akka.Kthreads.Cluster;

/// <summary>
/// INTERNAL API. One cluster CPU as a sharded, persistent entity: where it runs, that CPU is online.
/// Its start is the local cpu_up (after its journal is recovered, so per-CPU threads get their saved
/// state before they run); its hand-off is the local cpu_down, then the parked threads' states are
/// journaled, and only then does it stop.
/// </summary>
/// <remarks>
/// <code>
///   Recovering --replayed--> StartingUp --up--> Online --HandOff--> GoingDown --down, journaled--> (stopped)
///                              ^   |                                   |
///                              +---+ up failed, or online on another   +-- down failed: retry (never stop while online)
///                                    node still: retry
/// </code>
/// Items are journaled before they are acknowledged, in every phase, so none is lost on a graceful move.
/// Stopped without its hand-off (sharding's handoff-timeout), the CPU is taken down here by
/// <see cref="Internal.OrphanCpus"/>, and its next entity waits until it is.
/// </remarks>
internal sealed partial class CpuEntity : ReceivePersistentActor, IWithTimers
{
    private readonly int _cpu;
    private readonly Kthreads _kthreads;
    private readonly NodeStore _store;
    private readonly ClusterKthreadsSettings _settings;
    private readonly CpuLedger _ledger = new();
    private readonly Address _node;
    private readonly ClusterKthreads _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _inTransition;
    private CancellationTokenSource? _up;
    private int _cycleBackOff = 1;

    public CpuEntity(int cpu, ClusterKthreads cluster)
    {
        _cpu = cpu;
        _cluster = cluster;
        _kthreads = cluster.Kthreads;
        _store = cluster.Store;
        _settings = cluster.Settings;
        _node = cluster.SelfAddress;
        PersistenceId = $"kthreads-cpu-{cpu}";
        JournalPluginId = _settings.JournalPlugin;
        SnapshotPluginId = _settings.SnapshotPlugin;
        Recover<ItemAccepted>(_ledger.Apply);
        Recover<StateSaved>(_ledger.Apply);
        Recover<SnapshotOffer>(offer => _ledger.Restore((LedgerSnapshot)offer.Snapshot));
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(int cpu, ClusterKthreads cluster) => Actor.Props.Create(() => new CpuEntity(cpu, cluster));

    protected override void OnReplaySuccess()
    {
        // The ledger is complete: from now on smpboot hands it to this CPU's threads as they come up here.
        _store.Host(_cpu, _ledger, Self);
        StartUp();
    }

    protected override void PostStop()
    {
        InTransition(false);
        _store.Unhost(_cpu, Self);

        // A cpu_up not yet started never starts; one already started comes before the take-down below.
        var upSent = _up is not null;
        _up?.Cancel();
        _up?.Dispose();
        if (upSent || _kthreads.Cpus.IsOnline(_cpu))
        {
            // Stopped without its hand-off (sharding's handoff-timeout, a journal failure): never leave the CPU
            // online here while sharding may start it elsewhere, however many tries its cpu_down takes.
            _log.Warning("cluster: cpu {0} entity stopped while the CPU was online here (or coming up); taking it down", _cpu);
            _cluster.Orphans.Tell(new Internal.OrphanCpus.Orphaned(_cpu));
        }

        base.PostStop();
    }

    // Answers that every phase gives the same way.
    private void CommonCommands()
    {
        Command<ClusterCpuProtocol.EnsureUp>(_ =>
        {
            if (!Sender.IsNobody())
            {
                Sender.Tell(new ClusterCpuProtocol.CpuHosted(_cpu, _node));
            }
        });
        Command<ClusterCpuProtocol.GetCpuInfo>(_ => Sender.Tell(new ClusterCpuProtocol.CpuInfo(_cpu, _node, _store.Describe(_cpu))));
        Command<ClusterCpuProtocol.QueueItem>(Accept);
        Command<Save>(save =>
        {
            var sender = Sender;
            Persist(save.Saved, saved =>
            {
                _store.Update(_cpu, ledger => ledger.Apply(saved));
                sender.Tell(true);
                Journaled();
            });
        });

        // Already in the ledger (applied by the store when the thread parked); journaled here before the entity stops.
        Command<Detached>(detached => Persist(detached.Saved, _ => Journaled()));

        // The snapshot holds everything before it: drop the events and snapshots it replaces.
        Command<SaveSnapshotSuccess>(ok =>
        {
            DeleteMessages(ok.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(ok.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(failed => _log.Warning("cluster: cpu {0} snapshot failed ({1}); its journal keeps every event", _cpu, failed.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(failed => _log.Warning("cluster: cpu {0} could not delete events before its snapshot: {1}", _cpu, failed.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failed => _log.Warning("cluster: cpu {0} could not delete old snapshots: {1}", _cpu, failed.Cause.Message));
    }

    // Every snapshot-every events, snapshot the ledger (taken under the store's lock: threads and smpboot share it).
    private void Journaled()
    {
        if (_settings.SnapshotEvery <= 0 || LastSequenceNr % _settings.SnapshotEvery != 0)
        {
            return;
        }

        LedgerSnapshot? snapshot = null;
        _store.Update(_cpu, ledger => snapshot = ledger.ToSnapshot());
        SaveSnapshot(snapshot ?? _ledger.ToSnapshot());
    }

    // kernel: kthread_create_on_cpu() — by registered name only: code never crosses the wire.
    private void CreateHere(ClusterCpuProtocol.CreateOnCpu create)
    {
        var sender = Sender;
        if (create.Cpu != _cpu || string.IsNullOrWhiteSpace(create.NameFormat) || create.Function is null)
        {
            sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EINVAL, "a create needs this cpu, a function name and a name format"));
            return;
        }

        if (!_cluster.Functions.TryGetValue(create.Function, out var fn))
        {
            _log.Warning("cluster: cpu {0} refused a create of '{1}': no function of that name is registered on {2}", _cpu, create.Function, _node);
            sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.ENOENT, $"no function '{create.Function}' is registered on {_node}"));
            return;
        }

        _kthreads.CreateOnCpuAsync(fn, create.Data, _cpu, create.NameFormat).PipeTo(sender,
            success: thread => new ClusterCpuProtocol.ThreadCreated(_node, thread.Pid),
            failure: e => e switch
            {
                KthreadCreateException refused => new ClusterCpuProtocol.CpuRequestFailed(_cpu, refused.Errno, refused.Message),
                ArgumentException bad => new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EINVAL, bad.Message),
                _ => new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EFAULT, e.Message),
            });
    }

    // kernel: none — an item is durable (journaled) before it is acknowledged, then its thread is woken.
    private void Accept(ClusterCpuProtocol.QueueItem queue)
    {
        var sender = Sender;
        if (queue.Cpu != _cpu || string.IsNullOrWhiteSpace(queue.Comm) || queue.Item is null)
        {
            _log.Warning("cluster: cpu {0} refused a malformed item for cpu {1}, comm '{2}'", _cpu, queue.Cpu, queue.Comm);
            sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EINVAL, "an item needs this cpu, a comm and an item"));
            return;
        }

        // The thread it names: a format ("counter/{0}") names this CPU's; either is cut to 15 characters, as the thread's comm was.
        var name = Akka.Kthreads.Internal.KthreaddActor.TryComm(queue.Comm, Akka.Kthreads.Internal.KthreaddActor.IsCpuFormat(queue.Comm) ? _cpu : null);
        if (name is null)
        {
            _log.Warning("cluster: cpu {0} refused an item for '{1}': not a name format", _cpu, queue.Comm);
            sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EINVAL, $"'{queue.Comm}' is not a name format: use {{0}} for the cpu"));
            return;
        }

        Payload payload;
        try
        {
            payload = Payload.From(Context.System.Serialization, queue.Item);
        }
        catch (Exception e)
        {
            _log.Warning("cluster: cpu {0} refused an item of {1}: it does not serialize ({2})", _cpu, queue.Item.GetType(), e.Message);
            sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EINVAL, $"the item does not serialize: {e.Message}"));
            return;
        }

        // The event the journal writes, item and name and number, must fit max-payload-size (an item too large
        // alone is one case of it); only then is it worth reading the item back from its bytes.
        var accepted = new ItemAccepted(_ledger.LastSeq + 1, name, payload);
        if (_store.TooLarge(accepted) is { } why)
        {
            _log.Warning("cluster: cpu {0} refused an item of {1}: {2}", _cpu, queue.Item.GetType(), why);
            sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EMSGSIZE, why));
            return;
        }

        if (_store.Unreadable(payload) is { } unreadable)
        {
            _log.Warning("cluster: cpu {0} refused an item of {1}: {2}", _cpu, queue.Item.GetType(), unreadable);
            sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EINVAL, $"the item {unreadable}"));
            return;
        }

        Persist(accepted, e =>
        {
            _store.Deliver(_cpu, e, queue.Item);
            sender.Tell(new ClusterCpuProtocol.ItemQueued(_cpu, e.Seq));
            Journaled();
        });
    }

    /// <summary>A per-CPU thread's <c>PerCpu.SaveStateAsync</c>, on this node: journal it, then answer true.</summary>
    internal sealed record Save(StateSaved Saved);

    /// <summary>A per-CPU thread parked for this CPU's hand-off (or stopped): its captured state, to journal.</summary>
    internal sealed record Detached(StateSaved Saved);

    private sealed record UpDone(int Result);

    private sealed record Cycled(int Result);

    private sealed record DownDone(int Result);

    private sealed record Retry
    {
        public static Retry Instance { get; } = new();
    }
}
