using System.Diagnostics;
using System.Globalization;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The OS thread of one online CPU ("cpu/N"): it runs whatever holds that CPU — a
/// kthread from a resume to its next checkpoint, or the CPU's stopper — and nothing else.
/// </summary>
/// <remarks>
/// Kthread code never runs on the .NET thread pool, which Akka's dispatchers share: a kthread that
/// computes between checkpoints holds this thread, never a pool thread, so the actors (kthreadd,
/// the user's own, the cluster's heartbeats) go on at any load. Work is run in arrival order; a
/// thread with nothing to run spins a moment (a CPU handed back and forth often comes back at once),
/// then sleeps. A kthread's message to its actor that it sleeps waits until then too (<see cref="HoldBack"/>).
/// <see cref="Close"/> lets it finish what it has and exit: hotplug took the CPU down.
/// </remarks>
internal sealed class CpuThread
{
    /// <summary>kthreads.cpus.idle-poll's default, as the reference config has it.</summary>
    public static readonly TimeSpan DefaultIdlePoll = TimeSpan.FromMicroseconds(50);

    /// <summary>kthreads.cpus.idle-poll-max's default: cpuidle-haltpoll's guest_halt_poll_ns.</summary>
    public static readonly TimeSpan DefaultIdlePollMax = TimeSpan.FromMicroseconds(200);

    // One turn of the idle spin: about 0.4 µs of pause instructions between two looks at the queue.
    private const int SpinsPerTurn = 10;

    // Every this many turns the spin yields its core instead (about every 3 µs).
    private const int YieldEvery = 8;

    [ThreadStatic]
    private static CpuThread? _current;

    private readonly object _lock = new();
    private readonly Queue<Work> _work = new();
    private readonly Action<Exception> _onFault;

    // How long an idle thread spins before it sleeps (kthreads.cpus.idle-poll, growing up to idle-poll-max while
    // wake-ups come soon after): long enough to catch a quick hand-back, short enough not to steal a core from the actors.
    private HaltPoll _poll;

    // Sleeps whose message to their actor waits until this thread has other work or goes to sleep (own thread only).
    private List<SleepNote>? _notes;
    private volatile int _queued;
    private bool _sleeping;
    private volatile bool _closing;
    private bool _exited;

    /// <summary>Starts the thread of CPU <paramref name="cpu"/>, its idle spin starting as <paramref name="poll"/> (a copy of its own).</summary>
    public CpuThread(int cpu, Action<Exception> onFault, HaltPoll poll)
    {
        _onFault = onFault;
        _poll = poll;
        var thread = new Thread(Loop)
        {
            Name = $"cpu/{cpu}",
            // A kthread that never reaches a checkpoint must not keep the process alive.
            IsBackground = true,
        };
        thread.Start();
    }

    /// <summary>The CPU thread the caller runs on, or null on any other thread.</summary>
    public static CpuThread? Current => _current;

    /// <summary>True once the thread has run its last work and ended (after <see cref="Close"/>).</summary>
    public bool HasExited
    {
        get
        {
            lock (_lock)
            {
                return _exited;
            }
        }
    }

    /// <summary>True while the thread sleeps, its spin over and nothing to run.</summary>
    public bool IsAsleep
    {
        get
        {
            lock (_lock)
            {
                return _sleeping;
            }
        }
    }

    /// <summary>The idle spin now; read on this thread only (from work posted to it), which alone adapts it.</summary>
    public TimeSpan Poll => _poll.Poll;

    /// <summary>True while work is queued for this thread (a hop, a grant, a continuation): a cond_resched gives the thread to it.</summary>
    public bool HasQueuedWork => _queued > 0;

    /// <summary>True on this CPU's own thread.</summary>
    public bool IsCurrent => ReferenceEquals(_current, this);

    /// <summary>Queues <paramref name="run"/>(<paramref name="state"/>) for this thread; false once it has exited.</summary>
    public bool TryPost(Action<object?> run, object? state) => TryPost(new Work(run, state, null));

    /// <summary>Queues a task of <paramref name="scheduler"/> for this thread; false once it has exited.</summary>
    public bool TryPost(KthreadScheduler scheduler, Task task) => TryPost(new Work(null, task, scheduler));

    /// <summary>
    /// Holds back a kthread's Sleep until the CPU thread the caller runs on has other work or goes to sleep, at most
    /// its idle spin (kthreads.cpus.idle-poll) later, and never past its timeout: a wake-up within that time ends the sleep
    /// with no message at all. Off a CPU thread the Sleep goes at once.
    /// </summary>
    public static void HoldBack(SleepNote note)
    {
        if (_current is not { } here)
        {
            note.Send();
            return;
        }

        note.HeldOn = here;
        (here._notes ??= new List<SleepNote>(1)).Add(note);
    }

    /// <summary>The CPU went down: run what is queued, then exit. Later posts fail and go elsewhere.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closing = true;
            if (_sleeping)
            {
                Monitor.Pulse(_lock);
            }
        }
    }

    private bool TryPost(Work work)
    {
        lock (_lock)
        {
            if (_exited)
            {
                return false;
            }

            _work.Enqueue(work);
            _queued = _work.Count;
            if (_sleeping)
            {
                Monitor.Pulse(_lock);
            }
        }

        return true;
    }

    private void Loop()
    {
        _current = this;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        while (Next() is { } work)
        {
            try
            {
                work.Execute();
            }
            catch (Exception e)
            {
                // Kthread code catches its own (an oops); this is a library bug, and the CPU must go on.
                _onFault(e);
            }
        }
    }

    private Work? Next()
    {
        // Stay runnable a moment first: a CPU handed back and forth (a park, a wake-up, a stopper's steps)
        // is usually needed again within microseconds, and waking a sleeping thread costs more than that.
        // The kernel's poll_idle spins on cpu_relax() alone; here every few turns also give the core away
        // (sched_yield), or a small machine's actors would wait for the spin. Not at every turn: each yield
        // is a system call of over 1 µs on a 2-core VM, and work posted meanwhile waited 2-9 µs instead of 1.
        // A closing thread stops spinning at once: it only runs what is queued, then exits. A held-back timed sleep
        // ends the spin at its timeout, so that its actor hears of it in time to time it out.
        var idleAt = Stopwatch.GetTimestamp();
        var until = Math.Min(idleAt + _poll.Ticks, EarliestNoteDeadline());
        var turns = 0;
        while (_queued == 0 && !_closing && Stopwatch.GetTimestamp() < until)
        {
            if (++turns % YieldEvery == 0)
            {
                Thread.Yield();
            }
            else
            {
                Thread.SpinWait(SpinsPerTurn);
            }
        }

        // Held-back sleeps go to their actors before anything else runs here or this thread sleeps: only a
        // wake-up that came during the spin ended them unsent. Only work run here adds to them, so none comes later.
        SendNotes();
        var slept = false;
        Work work;
        lock (_lock)
        {
            while (_work.Count == 0)
            {
                if (_closing)
                {
                    _exited = true;
                    return null;
                }

                _sleeping = slept = true;
                Monitor.Wait(_lock);
                _sleeping = false;
            }

            work = _work.Dequeue();
            _queued = _work.Count;
        }

        if (slept)
        {
            // Work that came during the spin leaves the poll as it is: only a sleep says whether it was too short or too long.
            _poll.Adjust(Stopwatch.GetTimestamp() - idleAt);
        }

        return work;
    }

    private long EarliestNoteDeadline()
    {
        var earliest = long.MaxValue;
        if (_notes is { Count: > 0 } notes)
        {
            foreach (var note in notes)
            {
                earliest = Math.Min(earliest, note.Sleep.Deadline);
            }
        }

        return earliest;
    }

    private void SendNotes()
    {
        if (_notes is not { Count: > 0 } notes)
        {
            return;
        }

        foreach (var note in notes)
        {
            note.Send();
        }

        notes.Clear();
    }

    // An action with its state, or a task of a kthread's scheduler (which alone may run it).
    private readonly record struct Work(Action<object?>? Run, object? State, KthreadScheduler? Scheduler)
    {
        public void Execute()
        {
            if (Scheduler is not null)
            {
                Scheduler.Execute((Task)State!);
            }
            else
            {
                Run!(State);
            }
        }
    }
}
