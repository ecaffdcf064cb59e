using System.Globalization;
using Akka.Actor;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// <c>current</c> inside a <see cref="ThreadFn"/>: the thread's identity, its stop and park flags,
/// and its checkpoints (every await on it gives the CPU up).
/// </summary>
/// <remarks>
/// The thread holds its CPU from a resume until its next checkpoint; code between checkpoints
/// runs alone on that CPU. Call the checkpoints only from the thread's own function.
/// </remarks>
public sealed partial class KthreadContext
{
    private readonly ThreadFn _fn;
    private readonly Cpus _cpus;
    private readonly PsSlotRef _ps;
    private IActorRef _self = ActorRefs.Nobody;
    private long _releases;
    private OffCpuGroup? _offCpuGroup;
    private volatile bool _exited;

    // True from a checkpoint's release until it holds a CPU again (and before the first): it takes one by itself.
    private volatile bool _inCheckpoint = true;
    private KthreadScheduler? _scheduler;
    private CancellationTokenSource? _stopCts;
    private volatile bool _shouldPark;
    private int _shouldStop;
    private Exception? _parkFault;

    // ps: the slot kthreadd made for the thread, its pid, comm, per-CPU flag and home CPU already in it.
    internal KthreadContext(PsSlotRef ps, object? data, ThreadFn fn, int? boundCpu, Cpus cpus)
    {
        _ps = ps;
        Data = data;
        _fn = fn;
        Ps.Allowed = boundCpu is { } cpu ? cpus.SingleMask(cpu) : null;
        _cpus = cpus;
    }

    /// <summary>The thread's pid (task_pid_nr(current)).</summary>
    public int Pid => Ps.Pid;

    /// <summary>The thread's name (current->comm), at most 15 characters.</summary>
    public string Comm => Ps.Comm;

    /// <summary>The data given at creation (kthread_data).</summary>
    public object? Data { get; }

    /// <summary>The CPU the thread runs on now (smp_processor_id), else the one it is bound to or last ran on.</summary>
    public int? Cpu => Ps.Held?.Cpu ?? BoundCpu ?? LastCpu;

    /// <summary>kthread_should_stop(): true once a Stop was requested; then return from the function.</summary>
    public bool ShouldStop => Volatile.Read(ref _shouldStop) != 0;

    /// <summary>kthread_should_park(): true once a Park was requested; then call <see cref="ParkMeAsync"/> (or return).</summary>
    public bool ShouldPark => _shouldPark;

    /// <summary>Cancelled when a Stop is requested, for awaits that are not checkpoints (I/O, Task.Delay).</summary>
    public CancellationToken StopToken
    {
        get
        {
            var cts = Volatile.Read(ref _stopCts);
            if (cts is null)
            {
                // Made lazily: most threads never ask. The flag is read after the publish so a
                // concurrent RequestStop either sees this source or is seen here.
                var created = new CancellationTokenSource();
                cts = Interlocked.CompareExchange(ref _stopCts, created, null) ?? created;
                if (ReferenceEquals(cts, created) && ShouldStop)
                {
                    cts.Cancel();
                }
            }

            return cts.Token;
        }
    }

    internal bool PerCpu => Ps.PerCpu;

    /// <summary>Where this thread's ps fields live (see <see cref="PsTable"/>).</summary>
    internal PsSlotRef PsRef => _ps;

    /// <summary>The CPU a per-CPU thread belongs to; -1 otherwise.</summary>
    internal int HomeCpu => Ps.HomeCpu;

    /// <summary>The CPU this thread last held, if any (prev_cpu).</summary>
    internal int? LastCpu => Volatile.Read(ref Ps.LastCpu) is var cpu and >= 0 ? cpu : null;

    /// <summary>The CPU a mask of one pins the thread to (kthread_bind, or set_cpus_allowed_ptr with one CPU).</summary>
    internal int? BoundCpu => Volatile.Read(ref Ps.Allowed) is [var cpu] ? cpu : null;

    /// <summary>cpus_mask: the CPUs the thread may run on, ascending; null for every CPU.</summary>
    internal int[]? Allowed => Volatile.Read(ref Ps.Allowed);

    internal KthreadState State
    {
        get => (KthreadState)Volatile.Read(ref Ps.State);
        set => Volatile.Write(ref Ps.State, (int)value);
    }

    internal int ExitCode
    {
        get => Volatile.Read(ref Ps.ExitCode);
        set => Volatile.Write(ref Ps.ExitCode, value);
    }

    /// <summary>The ps row, read without messages (kthreadd's List reads every thread this way).</summary>
    internal KthreadInfo Snapshot() => Ps.Row(_ps.Chunk.Node);

    // The ps fields: in kthreadd's table, side by side with every other thread's, for ps to read without reaching this object.
    private ref PsSlot Ps => ref _ps.Slot;

    internal void Attach(IActorRef self) => _self = self;

    internal void Bind(int cpu) => Volatile.Write(ref Ps.Allowed, _cpus.SingleMask(cpu));

    /// <summary>set_cpus_allowed_ptr()'s new mask (ascending, distinct; null for every CPU); the thread moves at its next checkpoint.</summary>
    internal void SetAllowed(int[]? cpus) => Volatile.Write(ref Ps.Allowed, cpus);

    /// <summary>True when the mask lets the thread run on <paramref name="cpu"/>.</summary>
    internal static bool Allows(int[]? mask, int cpu) => mask is null || Array.BinarySearch(mask, cpu) >= 0;

    /// <summary>
    /// select_fallback_rq() on a plain kthread: drop a mask none of whose CPUs is online (the one read as
    /// <paramref name="mask"/>, not a newer one); true for the one caller that did.
    /// </summary>
    internal bool LoseAffinity(int[] mask) => ReferenceEquals(Interlocked.CompareExchange(ref Ps.Allowed, null, mask), mask);

    /// <summary>
    /// True when the thread holds <paramref name="cpu"/> but its mask now excludes it and an allowed CPU is
    /// online: the checkpoint gives the CPU up and takes an allowed one (the kernel's migration_cpu_stop).
    /// </summary>
    internal bool MustMove(int cpu) => Allowed is { } mask && !Allows(mask, cpu) && _cpus.AnyOnline(mask);

    /// <summary>migrate_tasks() for a thread off the CPU: ps shows it on <paramref name="to"/> once <paramref name="from"/> is gone (-1: on no CPU).</summary>
    internal bool MoveOff(int from, int to) => Ps.Held is null && Interlocked.CompareExchange(ref Ps.LastCpu, to, from) == from;

    internal void SetShouldPark(bool value)
    {
        _shouldPark = value;
        // A full fence before the actor looks for a held-back note: a flow on its way to sleep looks at this flag after
        // putting its note out, so one of the two sees the other (see SleepAsync).
        Interlocked.MemoryBarrier();
    }

    /// <summary>kthread_stop's side on the flags: stop set, park cleared, the stop token cancelled.</summary>
    internal void RequestStop()
    {
        // A full fence between the flag and the token read pairs with StopToken's lazy publish.
        Interlocked.Exchange(ref _shouldStop, 1);
        _shouldPark = false;
        var cts = Volatile.Read(ref _stopCts);
        // Callbacks run on the pool, never inside the actor.
        _ = cts?.CancelAsync();
    }

    /// <summary>
    /// The thread that runs this kthread's continuations: its CPU's while it holds one, else the one
    /// of the CPU it last ran on; null when that CPU has no thread (then the pool runs them).
    /// </summary>
    internal CpuThread? CpuThreadForContinuations()
    {
        if (Volatile.Read(ref Ps.Held) is { } held)
        {
            return held.OsThread;
        }

        return LastCpu is { } last ? _cpus.Queue(last).OsThread : null;
    }

    /// <summary>
    /// Starts the kernel's kthread() loop in a clean environment: no creator's AsyncLocals (messages
    /// carry no execution context to the actor that calls this), invariant culture, no
    /// SynchronizationContext. Only the queueing for a CPU runs here; the function runs on the CPU's thread.
    /// </summary>
    internal void Start() => ExecutionContext.Run(Clean.Value, static k => _ = ((KthreadContext)k!).RunAsync(), this);

    // The environment every kthread starts from: invariant cultures and nothing else, made once. Each thread's own
    // context then differs from it by Current alone, and shares its culture-change notifications with all the others.
    private static readonly Lazy<ExecutionContext> Clean = new(static () => FreshContext.Capture(static () =>
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }));

    // kernel: kthread() — run threadfn until it returns without a park request, parking between calls.
    private async Task RunAsync()
    {
        // Set inside this async method, so the caller's own context is restored when it returns; the
        // invariant cultures come with the Clean context Start runs it in.
        EnterAsCurrent();
        SynchronizationContext.SetSynchronizationContext(null);
        var ret = -Errno.EINTR;
        Exception? oops = null;
        await AcquireCpuAsync().ConfigureAwait(false);
        try
        {
            while (!ShouldStop)
            {
                if (ShouldPark)
                {
                    await ParkCoreAsync().ConfigureAwait(false);
                    continue;
                }

                try
                {
                    ret = await CallThreadFn().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // An oops: this thread dies, nothing else does.
                    oops = e;
                    ret = -Errno.EFAULT;
                    break;
                }

                // The 2012 style: returning while ShouldPark parks, and Unpark calls threadfn again.
                if (!ShouldPark)
                {
                    break;
                }
            }
        }
        finally
        {
            // Before the release: an off-CPU wait that ends after it must not take a CPU for a thread that has exited.
            _exited = true;
            ReleaseCpu();
        }

        _self.Tell(new Exited(ret, oops));
    }

    // threadfn(data) under the kthread's own TaskScheduler: every continuation of the function's
    // awaits comes back to the CPU it holds, never to the pool.
    private Task<int> CallThreadFn()
    {
        var call = new Task<Task<int>>(static k => ((KthreadContext)k!)._fn((KthreadContext)k!), this);
        StartOnScheduler(call);
        return call.IsCompletedSuccessfully ? call.Result : call.Unwrap();
    }

    /// <summary>
    /// Calls user code from a library loop (a worker's work, a per-CPU thread's callbacks) under the
    /// kthread's TaskScheduler, so that its own awaits come back to the CPU like threadfn's do.
    /// </summary>
    internal Task CallUserAsync(Func<object?, Task> fn, object? state)
    {
        // Already inside a task of this thread's scheduler on its CPU: the call's awaits capture it as they are.
        if (_scheduler is { } mine && TaskScheduler.Current == mine && Volatile.Read(ref Ps.Held)?.RunsHere == true)
        {
            return fn(state);
        }

        var call = new Task<Task>(fn, state);
        StartOnScheduler(call);
        return call.IsCompletedSuccessfully ? call.Result : call.Unwrap();
    }

    // Inline when already on the held CPU's thread (the usual case), else queued to it.
    private void StartOnScheduler(Task call)
    {
        var scheduler = _scheduler ??= new KthreadScheduler(this);
        if (Volatile.Read(ref Ps.Held)?.RunsHere == true)
        {
            call.RunSynchronously(scheduler);
        }
        else
        {
            call.Start(scheduler);
        }
    }
}