using Akka.Actor;
using Akka.Event;

namespace Akka.Kthreads.Hosting;

/// <summary>
/// INTERNAL API. Stopping the host stops every kthread in CoordinatedShutdown's service-stop phase:
/// workers flushed and destroyed first, then every registered per-CPU spec unregistered, newest first (each runs its
/// Cleanup; on a cluster node none: the leave that follows parks them and hands their CPUs off), then
/// every other thread in reverse creation order, each exit code logged. Per-CPU threads are smpboot's
/// and never stopped one by one. A step that fails (a flush past its timeout) is logged and the rest go
/// on; a thread still stopping when the phase times out is reported by name, and the host exits anyway.
/// </summary>
internal sealed class HostShutdown
{
    public const string Phase = "service-stop";

    private readonly Kthreads _kthreads;
    private readonly ActorSystem _system;
    private readonly ILoggingAdapter _log;
    private readonly bool _unregisterPerCpu;
    private readonly List<KthreadWorker> _workers = [];
    private volatile string _stopping = "nothing";
    private volatile Task? _stop;

    public HostShutdown(ActorSystem system, Kthreads kthreads, bool unregisterPerCpu, ILoggingAdapter log)
    {
        _system = system;
        _kthreads = kthreads;
        _unregisterPerCpu = unregisterPerCpu;
        _log = log;
    }

    public void Track(KthreadWorker worker) => _workers.Add(worker);

    public void Register()
    {
        var shutdown = CoordinatedShutdown.Get(_system);
        shutdown.AddTask(Phase, "kthreads-stop", async () =>
        {
            _stop = StopAllAsync();
            await _stop.ConfigureAwait(false);
            return Done.Instance;
        });

        // The next phase starts once this one is done or timed out: a stop still running then is reported by name,
        // before the host exits, with no timer racing the phase's own.
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "kthreads-stop-report", () =>
        {
            if (_stop is { IsCompleted: false })
            {
                _log.Error("kthreads: {0} did not stop within the {1} phase ({2}); the host exits without it", _stopping, Phase, shutdown.Timeout(Phase));
            }

            return Task.FromResult(Done.Instance);
        });
    }

    private async Task StopAllAsync()
    {
        foreach (var worker in Enumerable.Reverse(_workers))
        {
            _stopping = $"worker {worker.Thread}";
            await StepAsync(async () =>
            {
                await worker.FlushAsync().ConfigureAwait(false);
                await worker.DestroyAsync().ConfigureAwait(false);
            }).ConfigureAwait(false);
        }

        // Every registered spec, newest first: the declared ones and those the application registered while it ran.
        var perCpu = _unregisterPerCpu ? _kthreads.PerCpuThreads.Registered.Select(r => r.Spec).Reverse().ToArray() : [];
        foreach (var spec in perCpu)
        {
            _stopping = $"per-CPU threads {spec.Comm}";
            await StepAsync(async () =>
            {
                await _kthreads.PerCpuThreads.UnregisterAsync(spec).ConfigureAwait(false);
                _log.Info("kthreads: per-CPU threads {0} stopped", spec.Comm);
            }).ConfigureAwait(false);
        }

        var rows = await _kthreads.ListAsync().ConfigureAwait(false);
        foreach (var row in rows.Where(r => r.State is not KthreadState.Dead && !r.PerCpu).OrderByDescending(r => r.Pid))
        {
            _stopping = $"{row.Pid} ({row.Comm})";
            await StepAsync(async () =>
            {
                var stopped = await _kthreads.ThreadAt(row.Pid)
                    .Ask<KthreadProtocol.Stopped>(KthreadProtocol.Stop.Instance, _kthreads.Settings.AskTimeout).ConfigureAwait(false);
                if (stopped.ExitCode == -Errno.ETIMEDOUT)
                {
                    _log.Error("kthreads: {0} ({1}) ignored the stop: -ETIMEDOUT after {2}", row.Pid, row.Comm, _kthreads.Settings.StopTimeout);
                }
                else
                {
                    _log.Info("kthreads: {0} ({1}) stopped, exit code {2}", row.Pid, row.Comm, stopped.ExitCode);
                }
            }).ConfigureAwait(false);
        }

        _stopping = "nothing";
    }

    // One step that fails (a flush past its timeout) is logged, and the threads after it are still stopped.
    private async Task StepAsync(Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException or OperationCanceledException)
        {
            _log.Error("kthreads: {0} did not stop cleanly ({1}); going on with the rest", _stopping, e.Message);
        }
    }
}
