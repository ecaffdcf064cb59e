using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace Akka.Kthreads.Cluster.StopMachine;

/// <summary>
/// INTERNAL API. A node's side of the cluster-wide stop_machine: with cpu_hotplug_lock held (so no CPU
/// comes or goes here), every online CPU is held by its stopper and one CPU's thread waits for the
/// release; a node hosting no CPU holds the lock alone. Every hold lets go by itself after its timeout.
/// </summary>
internal sealed class NodeHolds
{
    private readonly ConcurrentDictionary<Guid, ManualResetEventSlim> _holds = new();
    private readonly ClusterKthreads _cluster;
    private readonly ILoggingAdapter _log;

    public NodeHolds(ClusterKthreads cluster, ILoggingAdapter log)
    {
        _cluster = cluster;
        _log = log;
    }

    public void Hold(MachineHold hold, IActorRef caller)
    {
        var node = _cluster.SelfAddress.ToString();
        var kthreads = _cluster.Kthreads;
        var limit = kthreads.Settings.StopMachineTimeout + kthreads.Settings.StopMachineTimeout;
        if (hold.Timeout <= TimeSpan.Zero || hold.Timeout > limit)
        {
            // A caller asks for twice its stop-machine.timeout: anything else (a -1 ms "forever" off the wire, a caller
            // configured otherwise) would hold this node's CPUs longer than this node allows.
            _log.Warning("cluster stop_machine {0}: refused a hold of {1}; this node holds at most {2} (twice kthreads.stop-machine.timeout)",
                hold.Id, hold.Timeout, limit);
            caller.Tell(new MachineHeld(hold.Id, node, -Errno.EINVAL));
            return;
        }

        var release = new ManualResetEventSlim();
        if (!_holds.TryAdd(hold.Id, release))
        {
            return;
        }

        if (_cluster.Store.InTransition > 0)
        {
            // Refused at once: waiting behind a hand-off for the lock would only end in a timeout.
            _holds.TryRemove(hold.Id, out _);
            release.Dispose();
            caller.Tell(new MachineHeld(hold.Id, node, -Errno.EBUSY));
            return;
        }

        _ = kthreads.Cpus.HotplugAsync(new CpuHotplugProtocol.HoldLock(async () =>
        {
            try
            {
                // Under the lock no hand-off can start here; one already under way is refused, as the kernel's stop_machine
                // and hotplug exclude each other.
                if (_cluster.Store.InTransition > 0)
                {
                    caller.Tell(new MachineHeld(hold.Id, node, -Errno.EBUSY));
                    return -Errno.EBUSY;
                }

                if (kthreads.Cpus.Online.Count == 0)
                {
                    caller.Tell(new MachineHeld(hold.Id, node, 0));
                    await Task.Run(() => release.Wait(hold.Timeout)).ConfigureAwait(false);
                    return 0;
                }

                // kernel: multi_cpu_stop() — every CPU held by its stopper; this one's thread waits for the release.
                return await kthreads.StopMachine.RunLockedAsync(_ =>
                {
                    caller.Tell(new MachineHeld(hold.Id, node, 0));
                    return release.Wait(hold.Timeout) ? 0 : -Errno.ETIMEDOUT;
                }, null).ConfigureAwait(false);
            }
            finally
            {
                _holds.TryRemove(hold.Id, out _);
                release.Dispose();
            }
        }), CancellationToken.None).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && t.Result is not (0 or -Errno.EBUSY))
            {
                _log.Warning("cluster stop_machine {0}: this node's hold ended with {1}", hold.Id, t.Result);
                caller.Tell(new MachineHeld(hold.Id, node, t.Result));
            }
        }, TaskScheduler.Default);
    }

    public void Release(Guid id)
    {
        if (_holds.TryGetValue(id, out var release))
        {
            try
            {
                release.Set();
            }
            catch (ObjectDisposedException)
            {
                // The hold ended by itself meanwhile.
            }
        }
    }
}
