using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Akka.Kthreads.Cluster;

/// <summary>
/// INTERNAL API. A node's query actor: answers ps for this node, and gathers ps and the CPUs'
/// placement for the whole cluster, so a tool asks one node and never has to join.
/// </summary>
internal sealed class ClusterNodeActor : ReceiveActor
{
    private readonly ClusterKthreads _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly StopMachine.NodeHolds _holds;

    public ClusterNodeActor(ClusterKthreads cluster)
    {
        _cluster = cluster;
        _holds = new StopMachine.NodeHolds(cluster, _log);
        Receive<ClusterNodeProtocol.ListThreads>(list =>
            (list.ClusterWide ? ClusterThreadsAsync() : LocalThreadsAsync()).PipeTo(Sender));
        Receive<ClusterNodeProtocol.ListCpus>(_ => CpusAsync().PipeTo(Sender));
        Receive<ClusterNodeProtocol.ThreadOp>(op => ThreadOpAsync(op).PipeTo(Sender));
        Receive<ClusterNodeProtocol.ThreadOpById>(op => ThreadOpByIdAsync(op).PipeTo(Sender));
        Receive<StopMachine.MachineHold>(hold => _holds.Hold(hold, Sender));
        Receive<StopMachine.MachineRelease>(release => _holds.Release(release.Id, Sender));
        Receive<Internal.NodeDrained>(drained =>
        {
            _cluster.Drained[new Akka.Cluster.UniqueAddress(drained.Node, drained.Uid)] = 0;

            // Its region has gone: ask for its CPUs now, since sharding's own restart of remembered shards may not come
            // (keep-alive would, one interval later).
            _cluster.EnsureAllUp();
        });
        Receive<Internal.IsCpuOnline>(ask => Sender.Tell(new Internal.CpuOnlineHere(ask.Cpu, _cluster.Kthreads.Cpus.IsOnline(ask.Cpu))));
    }

    public static Props Props(ClusterKthreads cluster) => Actor.Props.Create(() => new ClusterNodeActor(cluster));

    private async Task<ClusterNodeProtocol.ThreadList> LocalThreadsAsync() =>
        new(await _cluster.Kthreads.ListAsync().ConfigureAwait(false), []);

    private async Task<ClusterNodeProtocol.ThreadList> ClusterThreadsAsync()
    {
        var members = Akka.Cluster.Cluster.Get(Context.System).State.Members
            .Where(m => m.Status == MemberStatus.Up)
            .Select(m => m.Address)
            .ToArray();
        // Half the caller's own bound, so the rows and the list of who did not answer reach it before it gives up.
        var timeout = _cluster.Settings.AskTimeout / 2;
        var path = Self.Path.Elements;
        var asks = members.Select(async address =>
        {
            try
            {
                var node = Context.System.ActorSelection(new RootActorPath(address) / path);
                return (address, list: await node.Ask<ClusterNodeProtocol.ThreadList>(new ClusterNodeProtocol.ListThreads(false), timeout).ConfigureAwait(false));
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                return (address, list: (ClusterNodeProtocol.ThreadList?)null);
            }
        }).ToArray();
        var answers = await Task.WhenAll(asks).ConfigureAwait(false);
        foreach (var missing in answers.Where(a => a.list is null))
        {
            _log.Warning("cluster ps: {0} did not answer within {1}", missing.address, timeout);
        }

        var rows = answers.Where(a => a.list is not null).SelectMany(a => a.list!.Threads)
            .OrderBy(r => r.Node, StringComparer.Ordinal).ThenBy(r => r.Pid).ToArray();
        return new ClusterNodeProtocol.ThreadList(rows, answers.Where(a => a.list is null).Select(a => a.address.ToString()).ToArray());
    }

    // The operation sent to the thread's own actor, as a local caller would: a gone pid gets kthreadd's -ESRCH.
    private async Task<ClusterNodeProtocol.ThreadOpResult> ThreadOpAsync(ClusterNodeProtocol.ThreadOp op)
    {
        object? command = op.Operation switch
        {
            ClusterNodeProtocol.ThreadOperation.WakeUp => KthreadProtocol.WakeUp.Instance,
            ClusterNodeProtocol.ThreadOperation.Stop => KthreadProtocol.Stop.Instance,
            ClusterNodeProtocol.ThreadOperation.Park => KthreadProtocol.Park.Instance,
            ClusterNodeProtocol.ThreadOperation.Unpark => KthreadProtocol.Unpark.Instance,
            ClusterNodeProtocol.ThreadOperation.Info => KthreadProtocol.GetInfo.Instance,
            ClusterNodeProtocol.ThreadOperation.SetCpusAllowed when op.Cpus is { } cpus && cpus.All(_cluster.Kthreads.Cpus.IsPossible) =>
                new KthreadProtocol.SetCpusAllowed(cpus),
            _ => null,
        };
        if (command is null || op.Pid <= 0)
        {
            _log.Warning("cluster: refused a thread operation {0} on pid {1}", op.Operation, op.Pid);
            return new ClusterNodeProtocol.ThreadOpResult(-Errno.EINVAL, null);
        }

        var kthreads = _cluster.Kthreads;
        var thread = kthreads.ThreadAt(op.Pid);
        try
        {
            var reply = await thread.Ask<object>(command, kthreads.Settings.AskTimeout).ConfigureAwait(false);
            return reply switch
            {
                KthreadProtocol.Stopped stopped => new(stopped.ExitCode, null),
                KthreadProtocol.ParkResult park => new(park.Result, null),
                KthreadProtocol.Unparked => new(0, null),
                KthreadProtocol.Woken woken => new(woken.WasWoken ? 1 : 0, null),
                KthreadProtocol.SetCpusAllowedResult set => new(set.Result, null),
                KthreadInfo { State: KthreadState.Dead } gone => new(-Errno.ESRCH, gone),
                KthreadInfo info => new(0, info),
                _ => new(-Errno.EINVAL, null),
            };
        }
        catch (AskTimeoutException)
        {
            return new ClusterNodeProtocol.ThreadOpResult(-Errno.ETIMEDOUT, null);
        }
    }

    // A tool names the thread as it printed it: a bad id is -EINVAL, a node that is not a member -ESRCH.
    private Task<ClusterNodeProtocol.ThreadOpResult> ThreadOpByIdAsync(ClusterNodeProtocol.ThreadOpById op)
    {
        var members = Akka.Cluster.Cluster.Get(Context.System).State.Members.Select(m => m.Address).ToArray();
        if (ClusterKthreadId.TryParse(op.Id, members, out var id))
        {
            return _cluster.OperateAsync(id!, op.Operation, CancellationToken.None, op.Cpus);
        }

        // Well formed but naming no member: the node is gone.
        return Task.FromResult(new ClusterNodeProtocol.ThreadOpResult(ClusterKthreadId.TrySplit(op.Id, out _, out _) ? -Errno.ESRCH : -Errno.EINVAL, null));
    }

    private async Task<ClusterNodeProtocol.CpuList> CpusAsync()
    {
        var asks = Enumerable.Range(0, _cluster.Settings.Cpus).Select(async cpu =>
        {
            try
            {
                return await _cluster.CpuInfoAsync(cpu).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        });
        var infos = await Task.WhenAll(asks).ConfigureAwait(false);
        return new ClusterNodeProtocol.CpuList(infos.OfType<ClusterCpuProtocol.CpuInfo>().ToArray());
    }
}
