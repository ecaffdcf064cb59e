using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Kthreads.Internal;
using static Akka.Kthreads.KthreaddProtocol;

namespace Akka.Kthreads;

/// <summary>
/// The door to kthreads in an ActorSystem (<c>Kthreads.Get(system)</c>): kthreadd, the CPUs, and
/// kthread_create / kthread_run / kthread_create_on_cpu / ps.
/// </summary>
/// <remarks>
/// Every method checks its arguments before sending anything, then asks kthreadd and unwraps the
/// reply. A creator that gives up (cancelled token, timeout) never leaves a thread behind.
/// </remarks>
public sealed partial class Kthreads : IExtension
{
    // Parsed once per process: the extension's fallback and every KthreadsSettings.Create read it.
    private static readonly Lazy<Config> Reference =
        new(() => ConfigurationFactory.FromResource<Kthreads>("Akka.Kthreads.kthreads.conf"));

    // The message of the one timer that starts Akka's scheduler clock; it is cancelled at once and never sent.
    private static readonly object ClockStarted = new();

    private readonly Lazy<IActorRef> _kthreadd;
    private readonly Lazy<IActorRef> _hotplug;
    private readonly Lazy<IReadOnlyList<IActorRef>> _cpuActors;
    private readonly ExtendedActorSystem _system;

    /// <summary>Made by <see cref="Get"/>; one per ActorSystem.</summary>
    /// <param name="system">The system that owns kthreadd.</param>
    public Kthreads(ExtendedActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        system.Settings.InjectTopLevelFallback(DefaultConfig());
        Settings = KthreadsSettings.Create(system);
        var log = Akka.Event.Logging.GetLogger(system, "kthreads");
        Cpus = new Cpus(Settings, log, () => _hotplug!.Value);
        _kthreadd = new Lazy<IActorRef>(() =>
        {
            var kthreadd = system.SystemActorOf(KthreaddActor.Props(Settings, Cpus), Settings.KthreaddName);
            StartWatchdogs(system, kthreadd);
            return kthreadd;
        });
        _cpuActors = new Lazy<IReadOnlyList<IActorRef>>(() => Cpus.Possible
            .Select(cpu => system.SystemActorOf(CpuActor.Props(Cpus.Stopper(cpu)), $"{Settings.KthreaddName}-cpu-{cpu}"))
            .ToArray());
        _hotplug = new Lazy<IActorRef>(() =>
            system.SystemActorOf(HotplugActor.Props(this), $"{Settings.KthreaddName}-cpuhp"));
        PerCpuThreads = new PerCpuThreads(Cpus);
        // The CPUs' OS threads live as long as the system: after termination nothing runs kthreads.
        system.RegisterOnTermination(Cpus.ShutDown);
        StopMachine = new StopMachine(Cpus, Settings, system.Scheduler, log);
        StartSchedulerClock(system.Scheduler);
    }

    // Both watchdogs start with kthreadd: only a kthread can hold a CPU without a checkpoint or sleep in D, so a
    // system that never makes one (a cluster node hosting no CPU, a stop_machine-only user) pays for neither.
    private void StartWatchdogs(ExtendedActorSystem system, IActorRef kthreadd)
    {
        if (Settings.SoftLockupThreshold > TimeSpan.Zero)
        {
            // kernel: lockup_detector_init().
            system.SystemActorOf(SoftLockupWatchdog.Props(Cpus, Settings.SoftLockupThreshold), $"{Settings.KthreaddName}-watchdog");
        }

        if (Settings.HungTaskTimeout > TimeSpan.Zero)
        {
            // kernel: hung_task_init() — khungtaskd runs while hung_task_timeout_secs is not 0.
            system.SystemActorOf(KhungtaskdActor.Props(kthreadd, Settings.HungTaskTimeout, Settings.HungTaskScanEvery),
                $"{Settings.KthreaddName}-khungtaskd");
        }
    }

    // Akka's scheduler starts its clock on first use: it queues the clock on the thread pool and blocks the caller
    // until it runs (akka.net #7130). Left to the first park or stop timers, a burst of them blocked every pool
    // thread at once and stalled the system for minutes; started here, one caller waits a moment.
    private static void StartSchedulerClock(IScheduler scheduler) =>
        scheduler.ScheduleTellOnceCancelable(TimeSpan.FromDays(1), ActorRefs.Nobody, ClockStarted, ActorRefs.NoSender).Cancel();

    /// <summary>kthreadd (pid 2), the parent of every kthread: send it <see cref="KthreaddProtocol"/> messages by hand.</summary>
    public IActorRef Kthreadd => _kthreadd.Value;

    /// <summary>The node's CPUs and their run queues.</summary>
    public Cpus Cpus { get; }

    /// <summary>smpboot: per-CPU threads (ksoftirqd/N, migration/N, ...) that follow CPU hotplug.</summary>
    public PerCpuThreads PerCpuThreads { get; }

    /// <summary>stop_machine and stop_one_cpu: run a function while CPUs are held by their stoppers.</summary>
    public StopMachine StopMachine { get; }

    /// <summary>The hotplug actor (cpu_hotplug_lock): send it <see cref="CpuHotplugProtocol"/> messages by hand.</summary>
    public IActorRef Hotplug => _hotplug.Value;

    /// <summary>Each CPU's actor (its stopper, migration/N), by CPU number: a stopper work told to one joins that CPU's stopper queue.</summary>
    public IReadOnlyList<IActorRef> CpuActors => _cpuActors.Value;

    /// <summary>The <c>kthreads</c> config section as read at start.</summary>
    public KthreadsSettings Settings { get; }

    /// <summary>The extension of <paramref name="system"/>, made on first use.</summary>
    /// <param name="system">The ActorSystem.</param>
    /// <returns>Its one <see cref="Kthreads"/>.</returns>
    public static Kthreads Get(ActorSystem system) => system.WithExtension<Kthreads, KthreadsExtension>();

    /// <summary>The reference config (hocon/kthreads.conf), embedded in this assembly.</summary>
    /// <returns>The <c>kthreads { }</c> defaults.</returns>
    public static Config DefaultConfig() => Reference.Value;

    /// <summary>kthread_create(): a thread in state New; its function runs on the first WakeUp.</summary>
    /// <param name="fn">The thread function.</param>
    /// <param name="data">Handed to the function as <c>current.Data</c>.</param>
    /// <param name="name">The name; cut to 15 characters.</param>
    /// <param name="ct">Gives up waiting: the call throws OperationCanceledException and no thread is left behind.</param>
    /// <returns>The new thread's handle.</returns>
    /// <exception cref="ArgumentException">A null function or an empty or blank name.</exception>
    /// <exception cref="KthreadCreateException">kthreadd refused (-EAGAIN past max-threads).</exception>
    /// <exception cref="TimeoutException">No reply within ask-timeout; no thread is left behind.</exception>
    public Task<Kthread> CreateAsync(ThreadFn fn, object? data, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return CreateCoreAsync(new Create(fn, data, name), ct);
    }

    /// <summary>kthread_run(): create and wake in one request to kthreadd.</summary>
    /// <param name="fn">The thread function.</param>
    /// <param name="data">Handed to the function as <c>current.Data</c>.</param>
    /// <param name="name">The name; cut to 15 characters.</param>
    /// <param name="ct">
    /// Gives up waiting: before kthreadd made the thread nothing is made; after, the thread is
    /// stopped (its function may have started and sees ShouldStop). Either way the call throws.
    /// </param>
    /// <returns>The running thread's handle.</returns>
    /// <exception cref="ArgumentException">A null function or an empty or blank name.</exception>
    public Task<Kthread> RunAsync(ThreadFn fn, object? data, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return CreateCoreAsync(new Create(fn, data, name) { Run = true }, ct);
    }

    /// <summary>kthread_create_on_cpu(): a per-CPU thread, created parked and bound to <paramref name="cpu"/>; Unpark starts it.</summary>
    /// <param name="fn">The thread function.</param>
    /// <param name="data">Handed to the function as <c>current.Data</c>.</param>
    /// <param name="cpu">A CPU in Possible.</param>
    /// <param name="nameFormat">The name, "{0}" standing for the cpu: "ksoftirqd/{0}" gives "ksoftirqd/3".</param>
    /// <param name="ct">Gives up waiting; no thread is left behind.</param>
    /// <returns>The parked thread's handle.</returns>
    /// <exception cref="ArgumentException">A null function, an empty or bad name format, or a cpu outside Possible.</exception>
    public Task<Kthread> CreateOnCpuAsync(ThreadFn fn, object? data, int cpu, string nameFormat, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentException.ThrowIfNullOrWhiteSpace(nameFormat);
        Cpus.CheckPossible(cpu, nameof(cpu));
        CheckNameFormat(nameFormat, cpu, nameof(nameFormat));
        return CreateCoreAsync(new Create(fn, data, nameFormat, cpu, PerCpu: true), ct);
    }

    /// <summary>kthread_create_worker(_on_cpu)(): a running kthread_worker, bound to <paramref name="cpu"/> if given.</summary>
    /// <param name="name">The worker thread's name; with a cpu, "{0}" stands for it ("kworker/{0}").</param>
    /// <param name="cpu">Bind the worker to this CPU: its works run only there. Null: any online CPU.</param>
    /// <param name="ct">Gives up waiting; no thread is left behind.</param>
    /// <returns>The worker, its thread running and waiting for work.</returns>
    /// <exception cref="ArgumentException">An empty or bad name, or a cpu outside Possible.</exception>
    public async Task<KthreadWorker> CreateWorkerAsync(string name, int? cpu = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (cpu is { } bound)
        {
            Cpus.CheckPossible(bound, nameof(cpu));
            CheckNameFormat(name, bound, nameof(name));
        }

        var worker = new KthreadWorker(Settings, _system.Scheduler, Akka.Event.Logging.GetLogger(_system, "kthread_worker"));
        var thread = await CreateCoreAsync(new Create(worker.LoopAsync, worker, name, cpu) { Run = true }, ct).ConfigureAwait(false);
        worker.Attach(thread);
        worker.Ref = _system.SystemActorOf(KthreadWorkerActor.Props(worker), $"kthread-worker-{thread.Pid}");
        return worker;
    }

    /// <summary>The actor of this node's thread <paramref name="pid"/> (kthreadd names its children by pid), for a KthreadProtocol message by pid.</summary>
    internal ActorSelection ThreadAt(int pid) => _system.ActorSelection(Kthreadd.Path / pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>ps: every live thread and zombie of this node, by pid (kthreadd itself is not listed).</summary>
    /// <param name="ct">Stops waiting for the reply.</param>
    /// <returns>The rows, ordered by pid.</returns>
    public async Task<IReadOnlyList<KthreadInfo>> ListAsync(CancellationToken ct = default) =>
        (await Kthreadd.AskAsync<KthreadList>(List.Instance, Settings.AskTimeout, ct).ConfigureAwait(false)).Threads;

    internal static void CheckNameFormat(string nameFormat, int cpu, string paramName)
    {
        try
        {
            _ = string.Format(CultureInfo.InvariantCulture, nameFormat, cpu);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"'{nameFormat}' is not a name format: use {{0}} for the cpu", paramName, e);
        }
    }

    // kernel: __kthread_create_on_node() — queue the request, wait killable, clean up if we gave up.
    private async Task<Kthread> CreateCoreAsync(Create create, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var handshake = new CreateHandshake();
        // The ask itself is never cancelled: if kthreadd made the thread, we must learn of it to reap it.
        var reply = Kthreadd.AskAsync<object>(create with { Handshake = handshake }, Settings.AskTimeout, CancellationToken.None);
        object result;
        try
        {
            result = await reply.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await AbandonAsync(handshake).ConfigureAwait(false);
            throw;
        }
        catch (TimeoutException e)
        {
            await AbandonAsync(handshake).ConfigureAwait(false);
            throw new TimeoutException($"kthreadd made no thread '{create.Name}' within {Settings.AskTimeout} (kthreads.ask-timeout)", e);
        }

        return result switch
        {
            Created created => created.Thread,
            CreateFailed failed => throw new KthreadCreateException(failed.Errno, failed.Reason),
            _ => throw new InvalidOperationException($"kthreadd replied {result.GetType().Name} to Create"),
        };
    }

    // kernel: xchg(&create->done, NULL) — either kthreadd never makes it, or we reap what it made.
    internal static async Task AbandonAsync(CreateHandshake handshake)
    {
        if (handshake.TryAbandon())
        {
            return;
        }

        if (handshake.Result is { } thread)
        {
            await thread.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}

/// <summary>Makes the one <see cref="Kthreads"/> of an ActorSystem; used by <see cref="Kthreads.Get"/>.</summary>
public sealed class KthreadsExtension : ExtensionIdProvider<Kthreads>
{
    /// <summary>Akka makes the provider itself; users call <see cref="Kthreads.Get"/> instead.</summary>
    public KthreadsExtension()
    {
    }

    /// <summary>Creates the extension for <paramref name="system"/>.</summary>
    /// <param name="system">The system.</param>
    /// <returns>A new <see cref="Kthreads"/>.</returns>
    public override Kthreads CreateExtension(ExtendedActorSystem system) => new(system);
}
