using Akka.Actor;
using Akka.Event;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. cpu_hotplug_lock's write side and the cpuhp state machine: brings CPUs up and down, installs
/// and removes states, registers per-CPU threads and runs the stop_machines that could not take the read side
/// (<see cref="CpuHotplugLock"/>), one request at a time (the mailbox waits while a request runs, so every request
/// sees the CPUs as the one before left them).
/// </summary>
internal sealed partial class HotplugActor : ReceiveActor
{
    private readonly Kthreads _kthreads;
    private readonly Cpus _cpus;
    private readonly KthreadsSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // Taken here: after an await (ConfigureAwait(false)) there is no actor context to read them from.
    private readonly EventStream _events = Context.System.EventStream;
    private readonly List<StateEntry> _states = [];
    private readonly Dictionary<int, List<Kthread>> _parkedByHotplug = new();
    private int _nextState = Cpus.Smpboot.Id + 1;

    public HotplugActor(Kthreads kthreads)
    {
        _kthreads = kthreads;
        _cpus = kthreads.Cpus;
        _settings = kthreads.Settings;
        _states.Add(new StateEntry(Cpus.Smpboot.Id, Cpus.Smpboot.Name, SmpbootStartupAsync, SmpbootTeardownAsync, BoundsItself: true));
        PublishStates();
        ReceiveAsync<CpuHotplugProtocol.Request>(ServeAsync);
    }

    public static Props Props(Kthreads kthreads) => Actor.Props.Create(() => new HotplugActor(kthreads));

    private async Task ServeAsync(CpuHotplugProtocol.Request request)
    {
        var sender = Sender;
        // One sent by hand counts from now: no stop_machine takes the read side while it waits or runs.
        _cpus.HotplugLock.Queue(request);
        try
        {
            await ServeQueuedAsync(request, sender).ConfigureAwait(false);
        }
        finally
        {
            _cpus.HotplugLock.Done(request);
        }
    }

    private async Task ServeQueuedAsync(CpuHotplugProtocol.Request request, IActorRef sender)
    {
        if (!request.Ticket.TryClaim())
        {
            // The caller gave up before its turn came: the request never runs.
            return;
        }

        if (Malformed(request) is { } reason)
        {
            // Sent by hand with a hole in it: refuse it, as the facades refuse it at the door.
            _log.Warning("cpuhp: {0} refused: {1}", request.GetType().Name, reason);
            sender.Tell(new CpuHotplugProtocol.Result(-Errno.EINVAL));
            return;
        }

        // cpus_write_lock(): a stop_machine that took the read side before this request was sent ends first.
        await _cpus.HotplugLock.WriteAsync().ConfigureAwait(false);
        var reply = new HotplugReply(sender);
        int result;
        try
        {
            result = request switch
            {
                CpuHotplugProtocol.Up up => await UpAsync(up.Cpu).ConfigureAwait(false),
                CpuHotplugProtocol.Down { Unless: { } unless } when unless() => -Errno.EAGAIN,
                CpuHotplugProtocol.Down down => await DownAsync(down.Cpu).ConfigureAwait(false),
                CpuHotplugProtocol.SetupState setup => await SetupAsync(setup).ConfigureAwait(false),
                CpuHotplugProtocol.RemoveState remove => await RemoveAsync(remove.State).ConfigureAwait(false),
                CpuHotplugProtocol.RegisterPerCpuThread register => await RegisterAsync(register.Spec).ConfigureAwait(false),
                CpuHotplugProtocol.UnregisterPerCpuThread unregister => await UnregisterAsync(unregister.Spec).ConfigureAwait(false),
                CpuHotplugProtocol.RunStopMachine stop => await _kthreads.StopMachine.RunLockedAsync(stop.Fn, stop.Cpus, reply).ConfigureAwait(false),
                CpuHotplugProtocol.HoldLock hold => await hold.WhileHeld().ConfigureAwait(false),
                _ => -Errno.EINVAL,
            };
        }
        catch (Exception e)
        {
            // A bug here must not take the hotplug lock down with it: report it and serve the next request.
            _log.Error(e, "cpuhp: {0} failed", request.GetType().Name);
            result = -Errno.EFAULT;
        }

        // Done with before the reply: a stop_machine its caller makes next may take the read side at once.
        _cpus.HotplugLock.Done(request);
        reply.Send(result);
    }

    private string? Malformed(CpuHotplugProtocol.Request request) => request switch
    {
        CpuHotplugProtocol.Up { Cpu: var cpu } when !_cpus.IsPossible(cpu) => $"cpu {cpu} is not possible",
        CpuHotplugProtocol.Down { Cpu: var cpu } when !_cpus.IsPossible(cpu) => $"cpu {cpu} is not possible",
        CpuHotplugProtocol.SetupState { Startup: null } => "no startup callback",
        CpuHotplugProtocol.SetupState s when string.IsNullOrWhiteSpace(s.Name) => "empty state name",
        CpuHotplugProtocol.RegisterPerCpuThread { Spec: null } => "no spec",
        CpuHotplugProtocol.RegisterPerCpuThread { Spec: { ThreadFn: null } or { ThreadShouldRun: null } or { Comm: null } } => "a spec without its function, condition or name",
        CpuHotplugProtocol.UnregisterPerCpuThread { Spec: null } => "no spec",
        CpuHotplugProtocol.RunStopMachine { Fn: null } => "no fn",
        CpuHotplugProtocol.HoldLock { WhileHeld: null } => "no work",
        CpuHotplugProtocol.RunStopMachine { Cpus: { } cpus } when cpus.Count == 0 || cpus.Any(c => !_cpus.IsPossible(c)) => "cpus empty or not possible",
        _ => null,
    };

    // kernel: _cpu_up() — online first (the AP marks itself online), then the states in order.
    private async Task<int> UpAsync(int cpu)
    {
        if (_cpus.IsOnline(cpu))
        {
            return -Errno.EINVAL;
        }

        _cpus.Queue(cpu).GoOnline();
        _cpus.SetOnline(cpu, true);
        var done = new List<StateEntry>();
        foreach (var state in _states)
        {
            var result = await InvokeAsync(state, cpu, startup: true).ConfigureAwait(false);
            if (result != 0)
            {
                _log.Warning("cpuhp: cpu {0} up failed at state {1} ({2}): {3}; rolling back", cpu, state.Id, state.Name, result);
                for (var i = done.Count - 1; i >= 0; i--)
                {
                    await InvokeAsync(done[i], cpu, startup: false).ConfigureAwait(false);
                }

                await TakeDownAsync(cpu).ConfigureAwait(false);
                return result;
            }

            done.Add(state);
        }

        if (_parkedByHotplug.Remove(cpu, out var parked))
        {
            await Task.WhenAll(parked.Select(t => t.UnparkAsync())).ConfigureAwait(false);
        }

        _log.Info("cpuhp: cpu {0} is up", cpu);
        _events.Publish(new CpuOnline(cpu));
        return 0;
    }

    // kernel: _cpu_down() — teardowns in reverse, then takedown_cpu(); a failing teardown rolls forward.
    private async Task<int> DownAsync(int cpu)
    {
        if (!_cpus.IsOnline(cpu))
        {
            return -Errno.EINVAL;
        }

        if (_cpus.Online.Count == 1 && !_cpus.MayHaveNone)
        {
            return -Errno.EBUSY;
        }

        var undone = new List<StateEntry>();
        for (var i = _states.Count - 1; i >= 0; i--)
        {
            var state = _states[i];
            var result = await InvokeAsync(state, cpu, startup: false).ConfigureAwait(false);
            if (result != 0)
            {
                _log.Warning("cpuhp: cpu {0} down failed at state {1} ({2}): {3}; rolling forward", cpu, state.Id, state.Name, result);
                await RollForwardAsync(undone, cpu).ConfigureAwait(false);
                return result;
            }

            undone.Add(state);
        }

        var takedown = await TakeDownAsync(cpu).ConfigureAwait(false);
        if (takedown != 0)
        {
            await RollForwardAsync(undone, cpu).ConfigureAwait(false);
            return takedown;
        }

        _log.Info("cpuhp: cpu {0} is down", cpu);
        _events.Publish(new CpuOffline(cpu));
        return 0;
    }

    private async Task RollForwardAsync(List<StateEntry> undone, int cpu)
    {
        for (var i = undone.Count - 1; i >= 0; i--)
        {
            await InvokeAsync(undone[i], cpu, startup: true).ConfigureAwait(false);
        }

        if (_parkedByHotplug.Remove(cpu, out var parked))
        {
            await Task.WhenAll(parked.Select(t => t.UnparkAsync())).ConfigureAwait(false);
        }
    }

    // kernel: takedown_cpu() — park the per-CPU threads left, take_cpu_down() under stop_machine, migrate.
    private async Task<int> TakeDownAsync(int cpu)
    {
        var perCpu = (await _kthreads.Kthreadd.Ask<PerCpuThreadList>(new PerCpuThreadsOn(cpu), _settings.AskTimeout).ConfigureAwait(false)).Threads;
        if (perCpu.Count > 0)
        {
            var results = await Task.WhenAll(perCpu.Select(t => t.ParkAsync())).ConfigureAwait(false);
            var parked = perCpu.Where((_, i) => results[i] == 0).ToList();
            if (parked.Count > 0)
            {
                _parkedByHotplug[cpu] = parked;
            }
        }

        var result = await _kthreads.StopMachine.RunLockedAsync(_ =>
        {
            // Every CPU is held: nothing runs while the CPU leaves the mask and its waiters move.
            _cpus.Queue(cpu).GoOffline();
            _cpus.SetOnline(cpu, false);
            return 0;
        }, [cpu]).ConfigureAwait(false);
        if (result != 0)
        {
            _log.Error("cpuhp: cpu {0} could not be taken down: stop_machine returned {1}", cpu, result);
            return result;
        }

        await _kthreads.Kthreadd.Ask<Migrated>(new MigrateFrom(cpu), _settings.AskTimeout).ConfigureAwait(false);
        return 0;
    }

    /// <summary>One callback of one state on one CPU: bounded by callback-timeout (unless it bounds itself, as smpboot's does), a throw is -EFAULT, and the step is published.</summary>
    private async Task<int> InvokeAsync(StateEntry state, int cpu, bool startup)
    {
        var callback = startup ? state.Startup : state.Teardown;
        if (callback is null)
        {
            return 0;
        }

        int result;
        try
        {
            var run = HotplugCallback.RunAsync(callback, cpu);
            result = await (state.BoundsItself ? run : run.WaitAsync(_settings.HotplugCallbackTimeout)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log.Error("cpuhp: {0} of state {1} ({2}) on cpu {3} ran past {4} (kthreads.hotplug.callback-timeout)",
                startup ? "startup" : "teardown", state.Id, state.Name, cpu, _settings.HotplugCallbackTimeout);
            result = -Errno.ETIMEDOUT;
        }
        catch (Exception e)
        {
            _log.Error(e, "cpuhp: {0} of state {1} ({2}) on cpu {3} threw {4}",
                startup ? "startup" : "teardown", state.Id, state.Name, cpu, e.GetType().Name);
            result = -Errno.EFAULT;
        }

        _events.Publish(new HotplugStep(cpu, state.Id, state.Name, startup, result));
        return result;
    }

    private void PublishStates() => _cpus.SetStates(_states.Select(s => new HotplugState(s.Id, s.Name)));

    // BoundsItself: smpboot's callbacks wait park-timeout and ask-timeout per thread; cut short by callback-timeout, one
    // would go on parking or unparking in the background while the next request changes the same threads.
    private sealed record StateEntry(int Id, string Name, Func<int, Task<int>> Startup, Func<int, Task<int>>? Teardown, bool BoundsItself = false);
}
