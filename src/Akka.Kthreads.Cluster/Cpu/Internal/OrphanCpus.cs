using Akka.Actor;
using Akka.Event;

namespace Akka.Kthreads.Cluster.Internal;

/// <summary>
/// INTERNAL API. Takes down the CPUs whose entity stopped while they were still online on this node
/// (sharding's handoff-timeout, a journal failure), and keeps trying until each is down: sharding
/// starts that CPU elsewhere, so it must not stay online here.
/// </summary>
/// <remarks>
/// A CPU whose entity starts here again is left as it is: its take-down is checked at its turn in the
/// hotplug lock (<see cref="CpuHotplugProtocol.Down.Unless"/>), and the entity's own bring-up comes after.
/// A failing take-down holds the hotplug lock while it fails, so the tries back off (hand-off-retry,
/// doubling up to 32 times it) and leave the lock to the CPUs that move normally.
/// </remarks>
internal sealed class OrphanCpus : ReceiveActor, IWithTimers
{
    private const int MaxBackOff = 32;

    private readonly ClusterKthreads _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, int> _taking = [];
    private readonly List<IActorRef> _draining = [];

    public OrphanCpus(ClusterKthreads cluster)
    {
        _cluster = cluster;
        Receive<Orphaned>(orphaned =>
        {
            // Sent without looking first: a cpu_up its entity started may not have set it online yet, and this queues behind it.
            _taking.TryAdd(orphaned.Cpu, 1);
            Send(orphaned.Cpu);
        });
        Receive<Retry>(retry => TakeDown(retry.Cpu));
        Receive<Tried>(OnTried);
        Receive<DrainOver>(_ => _draining.Clear());

        // The node leaves: try every CPU left at once, without backing off, and answer once none is left.
        Receive<Drain>(drain =>
        {
            _draining.Add(Sender);

            // The asker gives up after its timeout: back off again from then on.
            Timers.StartSingleTimer(Drain.Key, DrainOver.Instance, drain.Timeout);
            foreach (var cpu in _taking.Keys.ToArray())
            {
                Timers.Cancel(cpu);
                _taking[cpu] = 1;
                Send(cpu);
            }

            Drained();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ClusterKthreads cluster) => Actor.Props.Create(() => new OrphanCpus(cluster));

    /// <summary>The hand-off-retry multiple after one at <paramref name="factor"/> failed: doubling, up to 32.</summary>
    public static int NextBackOff(int factor) => Math.Min(factor * 2, MaxBackOff);

    private bool Orphan(int cpu) => _cluster.Kthreads.Cpus.IsOnline(cpu) && !_cluster.Store.IsHosted(cpu);

    private void TakeDown(int cpu)
    {
        if (!Orphan(cpu))
        {
            _taking.Remove(cpu);
            Drained();
            return;
        }

        Send(cpu);
    }

    private void Drained()
    {
        if (_taking.Count > 0)
        {
            return;
        }

        foreach (var waiting in _draining)
        {
            waiting.Tell(Done.Instance);
        }

        _draining.Clear();
    }

    private void Send(int cpu)
    {
        var store = _cluster.Store;
        _cluster.Kthreads.Cpus.HotplugAsync(new CpuHotplugProtocol.Down(cpu) { Unless = () => store.IsHosted(cpu) }, CancellationToken.None)
            .PipeTo(Self, success: r => new Tried(cpu, r, null), failure: e => new Tried(cpu, -Errno.ETIMEDOUT, e.Message));
    }

    private void OnTried(Tried tried)
    {
        if (tried.Result == 0)
        {
            _log.Warning("cluster: cpu {0}, whose entity stopped before its hand-off finished, is down here now", tried.Cpu);
        }

        if (!Orphan(tried.Cpu))
        {
            _taking.Remove(tried.Cpu);
            Drained();
            return;
        }

        var factor = _draining.Count > 0 ? 1 : _taking.GetValueOrDefault(tried.Cpu, 1);
        _taking[tried.Cpu] = NextBackOff(factor);
        var wait = _cluster.Settings.HandOffRetry * factor;
        _log.Error("cluster: cpu {0} is still online here after its entity stopped ({1}); no node brings it up while it is, so taking it down again in {2}",
            tried.Cpu, tried.Why ?? $"cpu_down gave {tried.Result}", wait);
        Timers.StartSingleTimer(tried.Cpu, new Retry(tried.Cpu), wait);
    }

    /// <summary>The entity of <paramref name="Cpu"/> stopped while the CPU was online here.</summary>
    internal sealed record Orphaned(int Cpu);

    /// <summary>Answered with Done once no CPU is left to take down (asked by the cluster-leave task, which waits <paramref name="Timeout"/>).</summary>
    internal sealed record Drain(TimeSpan Timeout)
    {
        /// <summary>The key of the timer that ends the drain.</summary>
        public static readonly object Key = new();
    }

    private sealed record DrainOver
    {
        public static DrainOver Instance { get; } = new();
    }

    private sealed record Retry(int Cpu);

    private sealed record Tried(int Cpu, int Result, string? Why);
}
