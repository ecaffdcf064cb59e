using Akka.Actor;
using Akka.Event;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. kernel: struct multi_stop_data and multi_cpu_stop() — one stop_machine call. Each
/// participating CPU's stopper takes its CPU ahead of every kthread, then all of them step through
/// <see cref="MultiStopState"/> together: the last CPU to acknowledge a state moves everyone on.
/// </summary>
internal sealed class MultiStop
{
    private readonly object _lock = new();
    private readonly Func<int, int> _fn;
    private readonly int[] _cpus;
    private readonly HashSet<int> _active;
    private readonly int[] _results;
    private readonly Cpus _machine;
    private readonly ILoggingAdapter _log;

    // By CPU (its index in _cpus) and state, completed when the state is reached or the call gives up: DISABLE_IRQ, RUN
    // and EXIT for a CPU that runs fn, EXIT alone (its release) for the others. One task per CPU, not one per state
    // shared by all: a task completed with several awaiters runs all but the last of them on the pool, and each of
    // those steps then waited for a pool thread's wake-up before it could go on.
    private readonly TaskCompletionSource?[][] _reached;
    private readonly HotplugReply? _reply;
    private readonly CpuHotplugLock? _readLock;
    private readonly Action<MultiStop>? _ended;
    private readonly TaskCompletionSource<int> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MultiStopState _state = MultiStopState.Prepare;
    private int _acks;
    private int _remaining;
    private int _started;
    private int? _abort;
    private bool _finished;
    private List<CpuStopper>? _thenNext;
    private ICancelable? _timeout;

    // The caller's own bounds (ask-timeout, its token), armed only when it waits on this call directly.
    private WaitBounds _bounds;

    /// <param name="fn">Runs on every active CPU during Run.</param>
    /// <param name="cpus">The CPUs that take part: every online one for stop_machine, one for stop_one_cpu.</param>
    /// <param name="active">The CPUs fn runs on, a subset of <paramref name="cpus"/>.</param>
    /// <param name="machine">The CPUs whose run queues the stoppers take.</param>
    /// <param name="log">Where a throwing fn is reported.</param>
    /// <param name="reply">The caller's reply, sent by the thread that ends the call before anything else hears of it.</param>
    /// <param name="readLock">The hotplug lock's read side the call holds, let go by the thread that ends it before the caller hears of it.</param>
    /// <param name="ended">Told first by the thread that ends the call.</param>
    public MultiStop(Func<int, int> fn, int[] cpus, IEnumerable<int> active, Cpus machine, ILoggingAdapter log, HotplugReply? reply = null,
        CpuHotplugLock? readLock = null, Action<MultiStop>? ended = null)
    {
        _readLock = readLock;
        _ended = ended;
        _fn = fn;
        _cpus = cpus;
        _active = [.. active];
        _results = new int[cpus.Length];
        _machine = machine;
        _log = log;
        _reply = reply;
        _acks = cpus.Length;
        _remaining = cpus.Length;
        _reached = new TaskCompletionSource?[cpus.Length][];
        for (var i = 0; i < cpus.Length; i++)
        {
            // Continuations run inline in the last acker: a step only posts itself to its stopper's own CPU thread,
            // and a release lets a CPU go.
            var steps = _reached[i] = new TaskCompletionSource?[(int)MultiStopState.Exit + 1];
            var first = _active.Contains(cpus[i]) ? MultiStopState.DisableIrq : MultiStopState.Exit;
            for (var state = first; state <= MultiStopState.Exit; state++)
            {
                steps[(int)state] = new TaskCompletionSource();
            }
        }
    }

    /// <summary>The CPUs whose stoppers take part.</summary>
    public IReadOnlyList<int> Cpus => _cpus;

    /// <summary>The state the stoppers are in now.</summary>
    public MultiStopState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>The first non-zero result of fn in CPU order (0 if none), or the error that ended the call early.</summary>
    public Task<int> Completion => _done.Task;

    /// <summary>Moves <paramref name="stopper"/> on to its next work once this call is over (at once when it already is).</summary>
    public void ThenNext(CpuStopper stopper)
    {
        lock (_lock)
        {
            if (!_finished)
            {
                (_thenNext ??= new List<CpuStopper>(_cpus.Length)).Add(stopper);
                return;
            }
        }

        stopper.Next();
    }

    /// <summary>Cancels <paramref name="timeout"/> (stop-machine.timeout) once the call is over, at once when it already is.</summary>
    public void CancelOnEnd(ICancelable timeout)
    {
        lock (_lock)
        {
            if (!_finished)
            {
                _timeout = timeout;
                return;
            }
        }

        timeout.Cancel();
    }

    /// <summary>
    /// Lets the caller stop waiting when <paramref name="bound"/> fires (see <see cref="TimeOut"/>) or <paramref name="ct"/>
    /// is cancelled, as from an Ask: the call itself goes on and lets its CPUs go, and its result is dropped.
    /// </summary>
    public void GiveUpWaiting(ICancelable bound, CancellationToken ct) =>
        _bounds.Arm(this, bound, static (m, token) => ((MultiStop)m!)._done.TrySetCanceled(token), ct);

    /// <summary>The caller's wait ran past <paramref name="bound"/> (kthreads.ask-timeout): it gets a TimeoutException.</summary>
    public void TimeOut(TimeSpan bound) => _done.TrySetException(new TimeoutException(
        $"stop_machine did not return within {bound} (kthreads.ask-timeout); it goes on, and its result is dropped"));

    /// <summary>One CPU's stopper: take the CPU, hold it through the states in lockstep, give it back.</summary>
    /// <remarks>
    /// Called off the CPU, so that the holder's next checkpoint sees the stopper waiting. Every CPU
    /// acknowledges PREPARE once held; from there the CPUs that run fn step through DISABLE_IRQ, RUN
    /// and EXIT on their own threads, while the others only hold their run queues until EXIT is
    /// reached: nothing can run on them either way, and on a machine with fewer cores than CPUs a
    /// lockstep of idle threads would cost a thread hand-off per CPU and state.
    /// </remarks>
    public async Task ParticipateAsync(int cpu)
    {
        var queue = _machine.Queue(cpu);
        lock (_lock)
        {
            if (_abort is not null)
            {
                // Given up before this stopper started (its CPU was busy with an earlier one): Abort counted it as done.
                return;
            }

            _started++;
        }

        var held = false;
        try
        {
            var acquire = queue.AcquireAsStopperAsync(this);
            if (!acquire.IsCompleted && IsAborted)
            {
                // Aborted after we counted as started but before we stood in the queue: the Abort found
                // nothing to withdraw there, so withdraw now instead of waiting for the holder's checkpoint.
                queue.CancelStopper(this);
            }

            held = await acquire.ConfigureAwait(false);
            if (!held)
            {
                // The CPU went offline before its stopper ran (stop_one_cpu returns -ENOENT), or we gave up.
                Abort(-Errno.ENOENT);
                return;
            }

            if (IsAborted)
            {
                return;
            }

            var index = Array.IndexOf(_cpus, cpu);
            var steps = _reached[index];
            Ack(MultiStopState.Prepare);
            if (steps[(int)MultiStopState.Run] is null)
            {
                // Held until fn is done everywhere; released inline by the thread that reached EXIT (or gave up).
                await steps[(int)MultiStopState.Exit]!.Task.ConfigureAwait(false);
                return;
            }

            for (var state = MultiStopState.DisableIrq; state <= MultiStopState.Exit; state++)
            {
                await new ResumeOnCpu(steps[(int)state]!.Task, queue);
                if (IsAborted)
                {
                    return;
                }

                if (state == MultiStopState.Run)
                {
                    RunFn(index, cpu);
                }

                Ack(state);
            }
        }
        finally
        {
            if (held)
            {
                queue.Release(this);
            }

            Finish();
        }
    }

    /// <summary>
    /// Gives up while some CPU is still not held (stop-machine.timeout, or a CPU gone offline): fn
    /// never runs, the CPUs held are released, the stoppers still waiting withdraw. False once every CPU is held.
    /// </summary>
    public bool Abort(int errno)
    {
        int unstarted;
        lock (_lock)
        {
            if (_state != MultiStopState.Prepare || _abort is not null)
            {
                return false;
            }

            _abort = errno;
            unstarted = _cpus.Length - _started;
        }

        // A stopper that never started never will: the call must not wait for its CPU's thread.
        for (var i = 0; i < unstarted; i++)
        {
            Finish();
        }

        foreach (var cpu in _cpus)
        {
            _machine.Queue(cpu).CancelStopper(this);
        }

        foreach (var steps in _reached)
        {
            foreach (var step in steps)
            {
                step?.TrySetResult();
            }
        }

        return true;
    }

    private void Finish()
    {
        if (Interlocked.Decrement(ref _remaining) != 0)
        {
            return;
        }

        var result = _abort ?? FirstNonZero();
        List<CpuStopper>? thenNext;
        ICancelable? timeout;
        lock (_lock)
        {
            // Every stopper let its CPU go: the call no longer runs, whether it passed EXIT or gave up.
            _state = MultiStopState.None;
            _finished = true;
            thenNext = _thenNext;
            _thenNext = null;
            timeout = _timeout;
            _timeout = null;
        }

        timeout?.Cancel();
        _bounds.Disarm();
        _ended?.Invoke(this);
        // A caller that calls again once it hears of this one must find the read side free, not queue on the actor.
        _readLock?.ReadUnlock();
        _reply?.Send(result);
        _done.TrySetResult(result);
        if (thenNext is not null)
        {
            foreach (var stopper in thenNext)
            {
                stopper.Next();
            }
        }
    }

    private bool IsAborted
    {
        get
        {
            lock (_lock)
            {
                return _abort is not null;
            }
        }
    }

    // kernel: ack_state() — the last CPU to acknowledge moves every CPU to the next state. PREPARE
    // counts every CPU; the later states count the CPUs that run fn (with none, they pass at once).
    private void Ack(MultiStopState state)
    {
        MultiStopState last;
        lock (_lock)
        {
            if (_state != state || _abort is not null || --_acks > 0)
            {
                return;
            }

            do
            {
                _state = _state == MultiStopState.Exit ? MultiStopState.None : _state + 1;
                _acks = _active.Count;
            }
            while (_acks == 0 && _state != MultiStopState.None);

            last = _state == MultiStopState.None ? MultiStopState.Exit : _state;
        }

        // Every state passed on the way, in order (more than one only when no CPU runs fn).
        for (var next = state + 1; next <= last; next++)
        {
            if (_log.IsDebugEnabled)
            {
                // The CPU list is joined only when the line is written: each call passes four states.
                _log.Debug("stop_machine: cpus {0} reached {1}", string.Join(",", _cpus), next);
            }

            foreach (var steps in _reached)
            {
                steps[(int)next]?.SetResult();
            }
        }
    }

    // index: the CPU's place in _cpus, where its result goes.
    private void RunFn(int index, int cpu)
    {
        try
        {
            _results[index] = _fn(cpu);
        }
        catch (Exception e)
        {
            // Every CPU is still released: the others go on to Exit as usual.
            _log.Error(e, "stop_machine: fn threw {0} on cpu {1}; the call returns -EFAULT", e.GetType().Name, cpu);
            _results[index] = -Errno.EFAULT;
        }
    }

    private int FirstNonZero()
    {
        foreach (var result in _results)
        {
            if (result != 0)
            {
                return result;
            }
        }

        return 0;
    }
}
