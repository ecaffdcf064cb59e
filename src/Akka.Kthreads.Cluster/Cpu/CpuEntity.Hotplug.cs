using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Cluster.Internal;

namespace Akka.Kthreads.Cluster;

// The two hotplug phases: the entity's start is cpu_up here, its hand-off is cpu_down here.
internal sealed partial class CpuEntity
{
    private void StartUp()
    {
        InTransition(true);
        Become(StartingUp);

        // Never online on two nodes: not while a node whose entity sharding stopped mid-hand-off still has it.
        _cluster.OnlineElsewhereAsync(_cpu).PipeTo(Self, failure: e => new OnlineElsewhere([], [$"({e.Message})"]));
    }

    private void StartingUp()
    {
        Command<OnlineElsewhere>(check =>
        {
            if (check is { Online: [], Unanswered: [] })
            {
                // Cancelled if the entity stops before its turn: a cpu_up that ran after it would have no owner here.
                _up = new CancellationTokenSource();
                _kthreads.Cpus.UpAsync(_cpu, _up.Token).PipeTo(Self, success: r => new UpDone(r), failure: _ => new UpDone(-Errno.EFAULT));
                return;
            }

            _log.Warning("cluster: cpu {0} waits to come up here: still online on [{1}] (an entity there stopped before its hand-off finished), no answer from [{2}]; asking again in {3}",
                _cpu, string.Join(", ", check.Online), string.Join(", ", check.Unanswered), _settings.HandOffRetry);
            Timers.StartSingleTimer(Retry.Instance, Retry.Instance, _settings.HandOffRetry);
        });

        // Asked to go while no cpu_up of its own is outstanding (waiting for another node, between tries): go now.
        Command<ClusterCpuProtocol.HandOff>(_ => _up is not null, _ => Stash.Stash());
        Command<ClusterCpuProtocol.HandOff>(_ =>
        {
            Timers.Cancel(Retry.Instance);
            if (_kthreads.Cpus.IsOnline(_cpu))
            {
                // Up here from an entity that stopped without its hand-off: take it down as a hand-off does.
                GoDown();
            }
            else
            {
                Become(GoingDown);
                Self.Tell(new DownDone(-Errno.EINVAL));
            }

            Stash.UnstashAll();
        });
        Command<UpDone>(done =>
        {
            _up?.Dispose();
            _up = null;
            if (done.Result == -Errno.EINVAL && _kthreads.Cpus.IsOnline(_cpu))
            {
                // Still up from an entity here that stopped without its hand-off, whose threads run on with what that
                // entity gave them: down and up again, as a move would, so they start from this entity's ledger.
                _log.Warning("cluster: cpu {0} is still up here from an entity that stopped without its hand-off; taking it down and up again", _cpu);
                _kthreads.Cpus.DownAsync(_cpu).PipeTo(Self, success: r => new Cycled(r), failure: _ => new Cycled(-Errno.EFAULT));

                // A hand-off that came meanwhile goes now, taking the CPU down as a hand-off does.
                Stash.UnstashAll();
                return;
            }

            if (done.Result == 0)
            {
                _log.Info("cluster: cpu {0} is online on {1}", _cpu, _node);
                InTransition(false);
                Become(Online);
                Stash.UnstashAll();
                return;
            }

            _log.Error("cluster: cpu {0} did not come up here ({1}); trying again in {2}", _cpu, done.Result, _settings.HandOffRetry);
            Timers.StartSingleTimer(Retry.Instance, Retry.Instance, _settings.HandOffRetry);

            // A hand-off that came meanwhile goes now: there is nothing up here to take down.
            Stash.UnstashAll();
        });
        Command<Cycled>(cycled =>
        {
            if (!_kthreads.Cpus.IsOnline(_cpu))
            {
                _cycleBackOff = 1;
                StartUp();
                return;
            }

            // Each failing try holds the hotplug lock (a thread that will not park): back off, as the take-down does.
            var wait = _settings.HandOffRetry * _cycleBackOff;
            _cycleBackOff = OrphanCpus.NextBackOff(_cycleBackOff);
            _log.Error("cluster: cpu {0} could not be taken down to come up again ({1}); trying again in {2}", _cpu, cycled.Result, wait);
            Timers.StartSingleTimer(Retry.Instance, Retry.Instance, wait);
            Stash.UnstashAll();
        });
        Command<Retry>(_ => StartUp());
        CommandAny(_ => Stash.Stash());
    }

    private void Online()
    {
        CommonCommands();
        Command<ClusterCpuProtocol.CreateOnCpu>(CreateHere);
        Command<ClusterCpuProtocol.HandOff>(_ => GoDown());
    }

    private void GoDown()
    {
        InTransition(true);
        Become(GoingDown);
        _kthreads.Cpus.DownAsync(_cpu).PipeTo(Self, success: r => new DownDone(r), failure: _ => new DownDone(-Errno.EFAULT));
    }

    private void GoingDown()
    {
        CommonCommands();
        Command<ClusterCpuProtocol.HandOff>(_ => { });
        Command<OnlineElsewhere>(_ => { });
        Command<Cycled>(_ => { });

        // A thread bound here now would only park with the CPU: the caller tries again once it is up elsewhere.
        Command<ClusterCpuProtocol.CreateOnCpu>(_ =>
            Sender.Tell(new ClusterCpuProtocol.CpuRequestFailed(_cpu, -Errno.EBUSY, $"cpu {_cpu} is being handed off")));
        Command<Retry>(_ => GoDown());
        Command<DownDone>(done =>
        {
            if (done.Result == 0 || (done.Result == -Errno.EINVAL && !_kthreads.Cpus.IsOnline(_cpu)))
            {
                // Every parked thread's state was sent here before the down completed: stop once it is journaled.
                DeferAsync(done, _ =>
                {
                    _log.Info("cluster: cpu {0} handed off from {1}", _cpu, _node);
                    InTransition(false);
                    _store.Unhost(_cpu, Self);

                    // Sharding restarts remembered entities when a region goes, not after a rebalance: ask for the
                    // CPU again, and the region buffers this until the hand-off is done, then starts it on its new node.
                    // Not while this node leaves: its region is the one going (the coordinator restarts the CPU when it
                    // has), and a buffered message would hold that region's graceful stop open until a retry tick,
                    // the node still Up, so the coordinator would rebalance the survivors' CPUs onto it meanwhile.
                    if (!_cluster.IsShuttingDown)
                    {
                        _cluster.Region.Tell(new ClusterCpuProtocol.EnsureUp(_cpu), ActorRefs.NoSender);
                    }

                    Context.Stop(Self);
                });
                return;
            }

            _log.Error("cluster: cpu {0} could not go down for its hand-off ({1}); trying again in {2}", _cpu, done.Result, _settings.HandOffRetry);
            Timers.StartSingleTimer(Retry.Instance, Retry.Instance, _settings.HandOffRetry);
        });
    }

    // Counted once per phase, so a retry does not count twice; PostStop clears what is left.
    private void InTransition(bool entering)
    {
        if (_inTransition != entering)
        {
            _inTransition = entering;
            _store.Transition(entering);
        }
    }
}
