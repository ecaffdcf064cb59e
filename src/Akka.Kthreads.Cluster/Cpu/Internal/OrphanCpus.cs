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
/// </remarks>
internal sealed class OrphanCpus : ReceiveActor, IWithTimers
{
    private readonly ClusterKthreads _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<int> _taking = [];

    public OrphanCpus(ClusterKthreads cluster)
    {
        _cluster = cluster;
        Receive<Orphaned>(orphaned =>
        {
            if (_taking.Add(orphaned.Cpu))
            {
                TakeDown(orphaned.Cpu);
            }
        });
        Receive<Retry>(retry => TakeDown(retry.Cpu));
        Receive<Tried>(OnTried);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ClusterKthreads cluster) => Actor.Props.Create(() => new OrphanCpus(cluster));

    private bool Orphan(int cpu) => _cluster.Kthreads.Cpus.IsOnline(cpu) && !_cluster.Store.IsHosted(cpu);

    private void TakeDown(int cpu)
    {
        if (!Orphan(cpu))
        {
            _taking.Remove(cpu);
            return;
        }

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
            return;
        }

        _log.Error("cluster: cpu {0} is still online here after its entity stopped ({1}), so it may run on two nodes; taking it down again in {2}",
            tried.Cpu, tried.Why ?? $"cpu_down gave {tried.Result}", _cluster.Settings.HandOffRetry);
        Timers.StartSingleTimer(tried.Cpu, new Retry(tried.Cpu), _cluster.Settings.HandOffRetry);
    }

    /// <summary>The entity of <paramref name="Cpu"/> stopped while the CPU was online here.</summary>
    internal sealed record Orphaned(int Cpu);

    private sealed record Retry(int Cpu);

    private sealed record Tried(int Cpu, int Result, string? Why);
}
