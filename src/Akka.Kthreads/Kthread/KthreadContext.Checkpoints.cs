using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// The checkpoints: every await on `current` gives the CPU up and takes it back before returning.
public sealed partial class KthreadContext
{
    /// <summary>kthread_parkme(): park here while <see cref="ShouldPark"/>; returns once unparked (or stopped).</summary>
    /// <returns>A task that completes when the thread may go on, holding its CPU again.</returns>
    public Task ParkMeAsync()
    {
        if (ShouldPark)
        {
            return ParkCoreAsync();
        }

        if (Volatile.Read(ref Ps.Held) is { } held)
        {
            held.Touch(); // a checkpoint that keeps the CPU still tells the watchdog
            return Task.CompletedTask;
        }

        return RunsWithoutCpu ? ReacquireAsync().AsTask() : Task.CompletedTask;
    }

    /// <summary>schedule(): sleep off the CPU until woken; returns at once if a stop or park is requested.</summary>
    /// <returns>A task that completes when the thread runs again.</returns>
    /// <remarks>
    /// A loop that sleeps here must also check <see cref="ShouldPark"/> (and call <see cref="ParkMeAsync"/>
    /// or return): while a park is pending this returns at once, so such a loop would spin until park-timeout.
    /// </remarks>
    public Task ScheduleAsync() => SleepAsync(null);

    /// <summary>schedule_timeout(): sleep until woken or until <paramref name="timeout"/> passes.</summary>
    /// <param name="timeout">How long to sleep at most; <see cref="Timeout.InfiniteTimeSpan"/> sleeps like <see cref="ScheduleAsync"/>.</param>
    /// <returns>True if woken (also by a stop or park request) before the timeout; false if it ran out.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A negative timeout other than infinite.</exception>
    public Task<bool> ScheduleTimeoutAsync(TimeSpan timeout) => SleepAsync(WaitTimeout.Limit(timeout));

    /// <summary>cond_resched(): a point where the CPU may go to another thread waiting for it, or the thread to a CPU its mask allows.</summary>
    /// <returns>Completes at once when nobody waits for this CPU and the thread may stay on it.</returns>
    public ValueTask YieldAsync()
    {
        var held = Ps.Held;
        if (held is null)
        {
            // A flow that went on while a wait it did not await was off holds no CPU: here it takes one again.
            return RunsWithoutCpu ? ReacquireAsync() : default;
        }

        // Work queued for the CPU's thread (a wait's end hopping there, a continuation) counts as a waiter: a loop of
        // YieldAsync must not keep it from running.
        if (!held.HasWaiters && !MustMove(held.Cpu) && held.OsThread?.HasQueuedWork != true)
        {
            // kernel: cond_resched() with nothing to switch to still passes rcu/softlockup quiescent points.
            held.Touch();
            return default;
        }

        return ReacquireAsync();
    }

    private async ValueTask ReacquireAsync()
    {
        await LetCallerAwait();
        // kernel: cond_resched() -> __schedule(SM_PREEMPT): the CPU was taken, not given up (nivcsw).
        SwitchOut(voluntary: false);
        await AcquireCpuAsync().ConfigureAwait(false);
        await OnHeldCpu();
    }

    private async Task<bool> SleepAsync(TimeSpan? timeout)
    {
        bool woken;
        // TASK_UNINTERRUPTIBLE: a pending request is no wake-up for it (the kernel's signal_pending_state() is false).
        var uninterruptible = _myPreparedUninterruptible;
        var requested = RequestEnds(uninterruptible);
        if (requested || timeout == TimeSpan.Zero)
        {
            // A pending request is a wake-up that already happened; a zero timeout has run out.
            woken = requested;
            SetRunning();
            await YieldAsync().ConfigureAwait(false);
        }
        else
        {
            // Completed by the actor or by a waker (TryToWakeUp); the continuation only queues for a CPU
            // (AcquireCpuAsync posts the grant to that CPU's thread), so it runs inline in either.
            var wake = new TaskCompletionSource<bool>();
            var prepared = TakePreparedGen();
            _myPreparedUninterruptible = false;
            await LetCallerAwait();
            SwitchOut(voluntary: true);
            var note = new SleepNote(_self, new Sleep(wake, timeout, prepared, uninterruptible));
            // A full fence: a waker or request that comes after this finds the note; one that came before is seen below.
            Interlocked.Exchange(ref _wakeable, note);
            if (WokenOnTheWay(prepared, uninterruptible))
            {
                // schedule() returns at once, here on this CPU's thread, unless that waker ended the note itself (it
                // completes the wake then).
                if (TryTakeUnsent(note, requestOnly: false))
                {
                    wake.TrySetResult(true);
                }
            }
            else
            {
                CpuThread.HoldBack(note);
            }

            woken = await wake.Task.ConfigureAwait(false);
            Interlocked.CompareExchange(ref _wakeable, null, note);
            await AcquireCpuAsync().ConfigureAwait(false);
        }

        await OnHeldCpu();
        return woken;
    }

    // Taken while this flow went from its PrepareToSleep to its note: a wake-up took the prepared state, or a stop
    // or park came after the check at the top of SleepAsync. Held back, that note would wait out the CPU's idle poll.
    private bool WokenOnTheWay(int prepared, bool uninterruptible) =>
        (prepared != 0 && Volatile.Read(ref _prepared) != prepared) || RequestEnds(uninterruptible);

    /// <summary>signal_pending_state(): a stop or park request is pending and ends a sleep in this state (not a TASK_UNINTERRUPTIBLE one).</summary>
    internal bool RequestEnds(bool uninterruptible) => !uninterruptible && (ShouldStop || ShouldPark);

    // kernel: __kthread_parkme() — loop, since an unpark can race with a new park request. Made by hand rather than
    // as an async method: a parked kthread then keeps one bare task (what its caller awaits) instead of a suspended
    // frame, its continuation delegate and the gate it awaited (280 bytes for each of a million parked threads).
    private Task ParkCoreAsync()
    {
        var done = ParkGate.Make(this);
        var afterCaller = LetCallerAwait();
        if (afterCaller.IsCompleted)
        {
            ParkOrGoOn(done);
        }
        else
        {
            afterCaller.Post(static d => ParkGate.Owner((Task)d!).ParkOrGoOn((Task)d!), done);
        }

        return done;
    }

    // Still asked to park: give the CPU up and tell the actor, which calls Unparked when it lets the flow go.
    private void ParkOrGoOn(Task done)
    {
        if (!ShouldPark)
        {
            OpenOnHeldCpu(done);
            return;
        }

        SwitchOut(voluntary: true);
        _self.Tell(new Parking(done));
    }

    /// <summary>
    /// The actor lets the parked flow go (kthread_unpark, a stop, its own end): runs inline there, and only
    /// queues for a CPU; the flow then parks again if asked meanwhile, or its caller goes on on that CPU's thread.
    /// </summary>
    internal void Unparked(Task done) => _ = UnparkedAsync(done);

    private async Task UnparkedAsync(Task done)
    {
        try
        {
            await AcquireCpuAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // What the frame would have thrown to its caller: the park's task rethrows it.
            _parkFault = e;
            ParkGate.Open(done);
            return;
        }

        ParkOrGoOn(done);
    }

    // The last step of the park, as OnHeldCpu is of the other checkpoints: the caller goes on on its CPU's thread.
    private void OpenOnHeldCpu(Task done)
    {
        if (OnHeldCpu().Queue is { RunsHere: false } queue)
        {
            queue.Run(static d => ParkGate.Open((Task)d!), done);
        }
        else
        {
            ParkGate.Open(done);
        }
    }

    /// <summary>The park's task itself as it opens: completes it, or faults it with what the acquire threw.</summary>
    internal void EndPark()
    {
        if (Interlocked.Exchange(ref _parkFault, null) is { } fault)
        {
            ExceptionDispatchInfo.Throw(fault);
        }
    }

    // The flow's own acquire, at every checkpoint and at the start.
    private ValueTask<bool> AcquireCpuAsync() => AcquireCpuAsync(forFlowOf: null);

    /// <summary>
    /// Queues for an allowed online CPU until one is granted and holds it: for the flow itself, or (with
    /// <paramref name="forFlowOf"/>) for the flow the last off-CPU wait of a group ends for; see <see cref="HoldForFlow"/>.
    /// </summary>
    /// <returns>False when an off-CPU wait took no CPU, since the flow went on without it.</returns>
    private async ValueTask<bool> AcquireCpuAsync(OffCpuGroup? forFlowOf)
    {
        while (true)
        {
            // Not queued when the flow holds a CPU already: it may be this very one, a queue that never grants itself.
            if (forFlowOf is not null && (FlowWentOn(forFlowOf) || Volatile.Read(ref Ps.Held) is not null))
            {
                return false;
            }

            // An offline queue sends us back: choose again (hotplug moved the CPU away meanwhile).
            var next = _cpus.NextOnline;
            var queue = _cpus.Select(this);
            if (queue is null)
            {
                // A cluster node hosting no CPU: runnable, on no CPU, until one comes (read before Select, so none is missed).
                await next.ConfigureAwait(false);
                continue;
            }

            // A wait's end never queues behind its own kthread (the flow, or another wait's end, holds that CPU already):
            // a queue does not grant its holder. An earlier group's end that holds it gives it back on seeing the flow
            // went on, and this direct await then resumes without a CPU until the flow's next checkpoint (rare: it takes
            // a wait forgotten before this one, ending at the same moment).
            if (await (forFlowOf is null ? queue.AcquireAsync(this) : queue.AcquireUnlessHeldByAsync(this)).ConfigureAwait(false))
            {
                if (MustMove(queue.Cpu))
                {
                    // The mask changed while we waited in this queue (kernel: move_queued_task): choose again.
                    queue.Release(this);
                    continue;
                }

                return forFlowOf is not null ? HoldForFlow(queue, forFlowOf) : Hold(queue);
            }

            if (forFlowOf is not null && queue.IsHeldBy(this))
            {
                return false;
            }
        }
    }

    // An off-CPU wait's end may have put a CPU here meanwhile (HoldForFlow): the flow's own wins, and the other goes
    // back once, here or by that wait, whichever finds it.
    private bool Hold(RunQueue queue)
    {
        if (Interlocked.Exchange(ref Ps.Held, queue) is { } other && !ReferenceEquals(other, queue))
        {
            other.Release(this);
        }

        Volatile.Write(ref Ps.LastCpu, queue.Cpu);
        _inCheckpoint = false;
        return true;
    }

    /// <summary>
    /// The last step of every checkpoint: go on on the thread of the CPU this kthread holds (at once
    /// when already there). A grant usually resumes its waiter there, but not when it ran before the
    /// waiter awaited it; and a hop made inside an awaited call does not carry over to a caller that
    /// found the call already complete. So each checkpoint makes sure on its way out.
    /// </summary>
    /// <remarks>It also touches the soft-lockup watchdog: whatever the checkpoint did, the thread was at one.</remarks>
    private ResumeOnCpu OnHeldCpu()
    {
        var held = Volatile.Read(ref Ps.Held);
        held?.Touch();
        return new(Task.CompletedTask, held);
    }

    /// <summary>The first step of every checkpoint that gives its CPU up: see <see cref="AfterCaller"/>.</summary>
    private AfterCaller LetCallerAwait() => new(Volatile.Read(ref Ps.Held));

    // The flow gives its CPU up (a checkpoint, its exit): counted first, so an off-CPU wait that ends sees the flow went on.
    private void ReleaseCpu()
    {
        Interlocked.Increment(ref _releases);
        Interlocked.Exchange(ref Ps.Held, null)?.Release(this);
    }
}
