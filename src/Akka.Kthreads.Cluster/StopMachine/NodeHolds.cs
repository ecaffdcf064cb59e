using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads.Cluster.StopMachine;

/// <summary>
/// INTERNAL API. A node's side of the cluster-wide stop_machine: with cpu_hotplug_lock held (so no CPU
/// comes or goes here), every online CPU is held by its stopper and one CPU's thread waits for the
/// release; a node hosting no CPU holds the lock alone. Every hold lets go by itself after its timeout.
/// A release is answered once the hold has ended and the lock is free, so the caller returns with every
/// node running again.
/// </summary>
internal sealed class NodeHolds
{
    // Releases that found no hold: a hold that arrives after its release (they travel apart) must not hold at all.
    private const int RememberedReleases = 256;

    private readonly ConcurrentDictionary<Guid, Held> _holds = new();
    private readonly RecentHistory<Guid, bool> _released = new(RememberedReleases);
    private readonly ClusterKthreads _cluster;
    private readonly ILoggingAdapter _log;

    // This node as every answer names it.
    private readonly string _node;

    public NodeHolds(ClusterKthreads cluster, ILoggingAdapter log)
    {
        _cluster = cluster;
        _log = log;
        _node = cluster.SelfAddress.ToString();
    }

    public void Hold(MachineHold hold, IActorRef caller)
    {
        var kthreads = _cluster.Kthreads;
        var limit = kthreads.Settings.StopMachineTimeout + kthreads.Settings.StopMachineTimeout;
        if (hold.Timeout <= TimeSpan.Zero || hold.Timeout > limit)
        {
            // A caller asks for twice its stop-machine.timeout: anything else (a -1 ms "forever" off the wire, a caller
            // configured otherwise) would hold this node's CPUs longer than this node allows.
            _log.Warning("cluster stop_machine {0}: refused a hold of {1}; this node holds at most {2} (twice kthreads.stop-machine.timeout)",
                hold.Id, hold.Timeout, limit);
            caller.Tell(new MachineHeld(hold.Id, _node, -Errno.EINVAL));
            return;
        }

        if (_released.Contains(hold.Id))
        {
            return; // the caller let go before this hold arrived
        }

        var held = new Held();
        if (!_holds.TryAdd(hold.Id, held))
        {
            return;
        }

        if (_cluster.Store.InTransition > 0)
        {
            // Refused at once: waiting behind a hand-off for the lock would only end in a timeout.
            End(hold.Id, held);
            caller.Tell(new MachineHeld(hold.Id, _node, -Errno.EBUSY));
            return;
        }

        _ = kthreads.Cpus.HotplugAsync(new CpuHotplugProtocol.HoldLock(async () =>
        {
            // Under the lock no hand-off can start here; one already under way is refused, as the kernel's stop_machine
            // and hotplug exclude each other.
            if (_cluster.Store.InTransition > 0)
            {
                caller.Tell(new MachineHeld(hold.Id, _node, -Errno.EBUSY));
                return -Errno.EBUSY;
            }

            if (kthreads.Cpus.Online.Count == 0)
            {
                // Nothing to hold but the lock: wait without a thread, so such a node lends none of its pool to the machine.
                caller.Tell(new MachineHeld(hold.Id, _node, 0));
                try
                {
                    await held.Released.Task.WaitAsync(hold.Timeout).ConfigureAwait(false);
                    return 0;
                }
                catch (TimeoutException)
                {
                    return -Errno.ETIMEDOUT;
                }
            }

            // kernel: multi_cpu_stop() — every CPU held by its stopper; this one's thread waits for the release.
            return await kthreads.StopMachine.RunLockedAsync(_ =>
            {
                caller.Tell(new MachineHeld(hold.Id, _node, 0));
                return held.Released.Task.Wait(hold.Timeout) ? 0 : -Errno.ETIMEDOUT;
            }, null).ConfigureAwait(false);
        }), CancellationToken.None).ContinueWith(t =>
        {
            // The hotplug actor has let go of the lock: the hold has ended here.
            End(hold.Id, held);
            if (t.IsCompletedSuccessfully && t.Result is not (0 or -Errno.EBUSY))
            {
                _log.Warning("cluster stop_machine {0}: this node's hold ended with {1}", hold.Id, t.Result);
                caller.Tell(new MachineHeld(hold.Id, _node, t.Result));
            }
        }, TaskScheduler.Default);
    }

    /// <summary>Lets go of machine <paramref name="id"/> and answers <paramref name="caller"/> once the hold has ended.</summary>
    public void Release(Guid id, IActorRef caller)
    {
        var released = new MachineReleased(id, _node);
        if (!_holds.TryGetValue(id, out var held))
        {
            _released.Add(id, true);
            caller.Tell(released);
            return;
        }

        held.Released.TrySetResult();

        // Only a Tell: it goes inline where the hold ends (or here, if it has ended), with no hop through the pool first.
        held.Ended.Task.ContinueWith(static (_, s) =>
        {
            var (to, answer) = ((IActorRef, MachineReleased))s!;
            to.Tell(answer);
        }, (caller, released), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void End(Guid id, Held held)
    {
        _holds.TryRemove(id, out _);
        held.Ended.TrySetResult();
    }

    // The release (a CPU's thread blocks on it, a node without CPUs awaits it), and the end of the hold (the lock free
    // again) that a release is answered after.
    private sealed class Held
    {
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Ended { get; } = new();
    }
}
