using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Configuration;
using Akka.Kthreads.Cluster.Internal;
using Akka.Kthreads.Cluster.Store;

namespace Akka.Kthreads.Cluster;

/// <summary>
/// The door to kthreads across an Akka cluster (<c>ClusterKthreads.Get(system)</c>): the cluster's CPUs
/// as sharded entities, so a node hosts the CPUs sharding places on it (node join and leave are CPU
/// hotplug), with per-CPU state and queued items that move with them.
/// </summary>
/// <remarks>
/// Get it before <c>Kthreads.Get(system)</c>: it makes the node's possible CPUs the cluster's
/// (<c>kthreads.cluster.cpus</c>), none online until sharding starts one here. Every method checks its
/// arguments before sending anything; every wait is bounded by <c>kthreads.cluster.ask-timeout</c>.
/// </remarks>
public sealed partial class ClusterKthreads : IExtension
{
    private static readonly Lazy<Config> Reference =
        new(() => ConfigurationFactory.FromResource<ClusterKthreads>("Akka.Kthreads.Cluster.kthreads-cluster.conf"));

    private readonly ExtendedActorSystem _system;

    /// <summary>Made by <see cref="Get"/>; one per ActorSystem.</summary>
    /// <param name="system">A system whose provider is cluster.</param>
    /// <exception cref="ConfigurationException">The provider is not cluster, or Kthreads was started first with other CPUs.</exception>
    public ClusterKthreads(ExtendedActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        if (system.Provider is not Akka.Cluster.ClusterActorRefProvider)
        {
            throw new ConfigurationException("ClusterKthreads needs akka.actor.provider = cluster");
        }

        system.Settings.InjectTopLevelFallback(DefaultConfig());
        Settings = ClusterKthreadsSettings.Create(system);
        ReplayFilter.TurnOff(system, Settings);
        SqliteStore.InjectDefault(system, Settings);

        // Sharding's defaults must be in the config before its settings are read and before this node joins.
        var sharding = ClusterSharding.Get(system);
        system.Settings.InjectTopLevelFallback(ClusterSharding.DefaultConfig());

        Kthreads = Kthreads.Get(system);
        if (Kthreads.Settings.ClusterCpus != Settings.Cpus)
        {
            throw new ConfigurationException(
                $"Kthreads.Get(system) ran before ClusterKthreads.Get(system), so this node has {Kthreads.Cpus.Possible.Count} CPUs of its own instead of the cluster's {Settings.Cpus}: get ClusterKthreads first");
        }

        SelfAddress = Akka.Cluster.Cluster.Get(system).SelfAddress;
        Store = new NodeStore(system.Serialization, Akka.Event.Logging.GetLogger(system, "kthreads-cluster"), Settings.AskTimeout, Settings.MaxPayloadSize);
        Kthreads.PerCpuThreads.Store = Store;
        Kthreads.StopMachine.ClusterWide = StopMachineAsync;
        Region = StartRegion(sharding);
        Node = system.SystemActorOf(ClusterNodeActor.Props(this), Settings.NodeActorName);
        Orphans = system.SystemActorOf(OrphanCpus.Props(this), Settings.NodeActorName + "-orphans");

        // After the region's shutdown (every entity stopped): a CPU whose entity was stopped mid-hand-off goes down here
        // (bounded by the phase), then the other nodes are told this node has none, so they need not ask it again.
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseClusterLeave, "kthreads-take-down-orphans",
            () => DrainAsync(shutdown.Timeout(CoordinatedShutdown.PhaseClusterLeave)));

        // Every CPU is always up somewhere: each node asks for all of them once it is a member, then every
        // keep-alive-interval (remember-entities and the hand-off's own request do it first; this is the net under them).
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() =>
        {
            EnsureAllUp();
            system.Scheduler.Advanced.ScheduleRepeatedly(Settings.KeepAliveInterval, Settings.KeepAliveInterval, EnsureAllUp);
        });
    }

    /// <summary>The <c>kthreads.cluster</c> config section as read at start.</summary>
    public ClusterKthreadsSettings Settings { get; }

    /// <summary>This node's kthreads: its kthreadd, its CPUs (the ones it hosts), its per-CPU threads.</summary>
    public Kthreads Kthreads { get; }

    /// <summary>The CPUs' shard region (a proxy on a node without the role): send it <see cref="ClusterCpuProtocol"/> messages by hand.</summary>
    public IActorRef Region { get; }

    /// <summary>This node's query actor, which answers <see cref="ClusterNodeProtocol"/> for tools such as kps.</summary>
    public IActorRef Node { get; }

    /// <summary>This node's address, as placement and ps show it.</summary>
    public Address SelfAddress { get; }

    /// <summary>The thread functions this node lets other nodes create by name.</summary>
    internal ConcurrentDictionary<string, ThreadFn> Functions { get; } = new(StringComparer.Ordinal);

    /// <summary>Takes down, until they are down, the CPUs whose entity stopped while they were online here.</summary>
    internal IActorRef Orphans { get; }

    /// <summary>Where the CPUs this node hosts keep their ledgers while here.</summary>
    internal NodeStore Store { get; }

    /// <summary>The extension of <paramref name="system"/>, made on first use.</summary>
    /// <param name="system">An ActorSystem whose provider is cluster.</param>
    /// <returns>Its one <see cref="ClusterKthreads"/>.</returns>
    public static ClusterKthreads Get(ActorSystem system) => system.WithExtension<ClusterKthreads, ClusterKthreadsExtension>();

    /// <summary>The reference config (hocon/kthreads-cluster.conf), embedded in this assembly.</summary>
    /// <returns>The <c>kthreads.cluster { }</c> defaults, the serializer binding and sharding's settings for CPUs.</returns>
    public static Config DefaultConfig() => Reference.Value;

    /// <summary>Where every cluster CPU is now, from sharding's own state.</summary>
    /// <param name="ct">Stops waiting for the reply.</param>
    /// <returns>cpu -&gt; the address of the node hosting it; a CPU being handed off is missing until it is up again.</returns>
    /// <exception cref="TimeoutException">Sharding did not answer within ask-timeout.</exception>
    public async Task<IReadOnlyDictionary<int, Address>> PlacementAsync(CancellationToken ct = default)
    {
        var stats = await AskAsync<ClusterShardingStats>(Region, new GetClusterShardingStats(Settings.AskTimeout), ct).ConfigureAwait(false);
        var placement = new SortedDictionary<int, Address>();
        foreach (var (address, region) in stats.Regions)
        {
            foreach (var (shard, entities) in region.Stats)
            {
                if (entities > 0 && int.TryParse(shard, NumberStyles.None, CultureInfo.InvariantCulture, out var cpu))
                {
                    placement[cpu] = address;
                }
            }
        }

        return placement;
    }

    /// <summary>Hands <paramref name="item"/> to the per-CPU thread <paramref name="comm"/> of <paramref name="cpu"/>, wherever that CPU is.</summary>
    /// <param name="cpu">A cluster CPU.</param>
    /// <param name="comm">The thread's name on that CPU ("counter/3"), or its name format ("counter/{0}"); a name is cut to 15 characters, as the thread's was.</param>
    /// <param name="item">Any object Akka serialization carries (bind a serializer for your type).</param>
    /// <param name="ct">Stops waiting; the item may still have been accepted.</param>
    /// <returns>The item's sequence number on that CPU (&gt; 0) once it is durable with the CPU's state; -EINVAL if it does not serialize or does not read back from its bytes, -EMSGSIZE if it is above kthreads.cluster.max-payload-size.</returns>
    /// <exception cref="ArgumentException">A cpu outside the cluster's CPUs, an empty comm, a comm with {0} that is not a name format, or a null item.</exception>
    /// <exception cref="TimeoutException">No reply within ask-timeout (the CPU may be moving: the item may still be accepted).</exception>
    /// <remarks>The thread takes items in arrival order with <c>PerCpu.TryTakeItem</c> and is woken when one arrives.</remarks>
    public async Task<long> QueueOnCpuAsync(int cpu, string comm, object item, CancellationToken ct = default)
    {
        CheckCpu(cpu);
        ArgumentException.ThrowIfNullOrWhiteSpace(comm);
        ArgumentNullException.ThrowIfNull(item);
        if (Akka.Kthreads.Internal.KthreaddActor.IsCpuFormat(comm))
        {
            Akka.Kthreads.Kthreads.CheckNameFormat(comm, cpu, nameof(comm));
        }

        var reply = await AskAsync<object>(Region, new ClusterCpuProtocol.QueueItem(cpu, comm, item), ct).ConfigureAwait(false);
        return reply switch
        {
            ClusterCpuProtocol.ItemQueued queued => queued.Seq,
            ClusterCpuProtocol.CpuRequestFailed failed => failed.Errno,
            _ => throw new InvalidOperationException($"cpu {cpu} answered {reply.GetType().Name} to an item"),
        };
    }

    /// <summary>Where <paramref name="cpu"/> is and what its per-CPU threads hold (their states as text).</summary>
    /// <param name="cpu">A cluster CPU.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>The CPU's node and threads.</returns>
    /// <exception cref="ArgumentException">A cpu outside the cluster's CPUs.</exception>
    /// <exception cref="TimeoutException">No reply within ask-timeout.</exception>
    public Task<ClusterCpuProtocol.CpuInfo> CpuInfoAsync(int cpu, CancellationToken ct = default)
    {
        CheckCpu(cpu);
        return AskAsync<ClusterCpuProtocol.CpuInfo>(Region, new ClusterCpuProtocol.GetCpuInfo(cpu), ct);
    }

    /// <summary>ps of the whole cluster: every Up member's threads, each row naming its node.</summary>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>The rows and the members that did not answer within half of ask-timeout (their rows are missing).</returns>
    public Task<ClusterNodeProtocol.ThreadList> ListAsync(CancellationToken ct = default) =>
        AskAsync<ClusterNodeProtocol.ThreadList>(Node, new ClusterNodeProtocol.ListThreads(ClusterWide: true), ct);

    /// <summary>True once this node's CoordinatedShutdown has started (a leave): its region is handing its CPUs off.</summary>
    internal bool IsShuttingDown => CoordinatedShutdown.Get(_system).ShutdownReason is not null;

    /// <summary>Asks sharding for every CPU (keep-alive, and when a leaving node says it has drained).</summary>
    internal void EnsureAllUp()
    {
        // A leaving node's region is going: a message buffered there would only hold its graceful stop open.
        if (IsShuttingDown)
        {
            return;
        }

        foreach (var cpu in Enumerable.Range(0, Settings.Cpus))
        {
            Region.Tell(new ClusterCpuProtocol.EnsureUp(cpu), ActorRefs.NoSender);
        }
    }

    private void CheckCpu(int cpu, string paramName = "cpu")
    {
        if (cpu < 0 || cpu >= Settings.Cpus)
        {
            throw new ArgumentOutOfRangeException(paramName, cpu, $"cpu {cpu} is not a cluster CPU: the cluster has CPUs 0..{Settings.Cpus - 1} (kthreads.cluster.cpus)");
        }
    }

    private async Task<T> AskAsync<T>(IActorRef to, object message, CancellationToken ct)
    {
        try
        {
            return await to.Ask<T>(message, Settings.AskTimeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new TimeoutException($"{message.GetType().Name} got no reply within {Settings.AskTimeout} (kthreads.cluster.ask-timeout)", e);
        }
    }

    private IActorRef StartRegion(ClusterSharding sharding)
    {
        // Explicit, so a config that set sharding up before us cannot turn it off: a CPU must always be up somewhere.
        var settings = ClusterShardingSettings.Create(_system).WithRememberEntities(true);
        if (!string.IsNullOrEmpty(Settings.Role))
        {
            settings = settings.WithRole(Settings.Role);
        }

        var cluster = Akka.Cluster.Cluster.Get(_system);
        if (!string.IsNullOrEmpty(Settings.Role) && !cluster.SelfRoles.Contains(Settings.Role))
        {
            return sharding.StartProxy(Settings.TypeName, Settings.Role, new CpuMessageExtractor(Settings.Cpus));
        }

        return sharding.Start(
            Settings.TypeName,
            entityId => CpuEntity.Props(int.Parse(entityId, NumberStyles.None, CultureInfo.InvariantCulture), this),
            settings,
            new CpuMessageExtractor(Settings.Cpus),
            sharding.DefaultShardAllocationStrategy(settings),
            ClusterCpuProtocol.HandOff.Instance);
    }
}

/// <summary>Makes the one <see cref="ClusterKthreads"/> of each ActorSystem.</summary>
public sealed class ClusterKthreadsExtension : ExtensionIdProvider<ClusterKthreads>
{
    /// <summary>Akka makes the provider itself; users call <see cref="ClusterKthreads.Get"/> instead.</summary>
    public ClusterKthreadsExtension()
    {
    }

    /// <summary>Called once per system by Akka's extension machinery.</summary>
    /// <param name="system">The system.</param>
    /// <returns>Its cluster kthreads.</returns>
    public override ClusterKthreads CreateExtension(ExtendedActorSystem system) => new(system);
}
