using Akka.Actor;
using Akka.Kthreads.Internal;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads;

/// <summary>
/// A handle on one kthread, as a <c>task_struct*</c>: its pid, name and actor, and the
/// operations the kernel offers on it. Each operation is one message and its reply.
/// </summary>
public sealed class Kthread
{
    private readonly KthreadsSettings _settings;
    private readonly Cpus _cpus;

    internal Kthread(int pid, string comm, IActorRef @ref, KthreadsSettings settings, Cpus cpus)
    {
        Pid = pid;
        Comm = comm;
        Ref = @ref;
        _settings = settings;
        _cpus = cpus;
    }

    /// <summary>The thread's <c>current</c>, for the library's own callers (smpboot hands it to callbacks).</summary>
    internal KthreadContext? Context { get; init; }

    /// <summary>The pid, unique and increasing within its node; never reused.</summary>
    public int Pid { get; }

    /// <summary>The name (comm), at most 15 characters.</summary>
    public string Comm { get; }

    /// <summary>The thread's actor: send it <see cref="KthreadProtocol"/> messages by hand.</summary>
    public IActorRef Ref { get; }

    /// <summary>wake_up_process(): start a New thread, or wake one asleep in ScheduleAsync.</summary>
    /// <param name="ct">Stops waiting for the reply (the wake-up may still happen).</param>
    /// <returns>True if it was New or sleeping and is now runnable; false if running, parked or exited.</returns>
    public async Task<bool> WakeUpAsync(CancellationToken ct = default) =>
        (await Ref.AskAsync<Woken>(WakeUp.Instance, _settings.AskTimeout, ct).ConfigureAwait(false)).WasWoken;

    /// <summary>wake_up_process() without a reply: a Tell that returns at once, for timer callbacks and other code that must not wait.</summary>
    /// <remarks>
    /// Wakes as <see cref="WakeUpAsync"/> does, and is never lost: a thread woken between
    /// <c>current.PrepareToSleep()</c> and its <c>ScheduleAsync</c> returns from that sleep at once.
    /// </remarks>
    public void WakeUpProcess()
    {
        if (Context is { } k)
        {
            k.TryToWakeUp(); // from the caller, as try_to_wake_up: no hop through the actor first
        }
        else
        {
            Ref.Tell(Kick.Instance, ActorRefs.NoSender);
        }
    }

    /// <summary>kthread_stop(): set ShouldStop, wake (and unpark) the thread, wait for its function, reap it.</summary>
    /// <param name="ct">Stops waiting for the reply; the stop stays requested.</param>
    /// <returns>The function's result; -EINTR if never woken; -ESRCH if already reaped; -ETIMEDOUT past stop-timeout.</returns>
    /// <remarks>Called from a kthread, the caller sleeps off its CPU meanwhile, as wait_for_completion() does: the thread may need that CPU to return.</remarks>
    public Task<int> StopAsync(CancellationToken ct = default) =>
        KthreadContext.SleepingOffCpu(static a => a.Thread.StopCoreAsync(a.Ct), (Thread: this, Ct: ct));

    /// <summary>kthread_park(): set ShouldPark, wake the thread, wait until it parks.</summary>
    /// <param name="ct">Stops waiting for the reply; the park stays requested (for a per-CPU thread, until smpboot unparks it with its CPU).</param>
    /// <returns>0 once parked (also if it already was); -ENOSYS if it has exited; -ESRCH if reaped; -ETIMEDOUT past park-timeout.</returns>
    /// <remarks>Called from a kthread, the caller sleeps off its CPU meanwhile: the thread may need that CPU to park.</remarks>
    public Task<int> ParkAsync(CancellationToken ct = default) =>
        KthreadContext.SleepingOffCpu(static a => a.Thread.ParkCoreAsync(a.Ct), (Thread: this, Ct: ct));

    /// <summary>kthread_unpark(): clear ShouldPark and resume a parked thread; a per-CPU one is rebound to its CPU first.</summary>
    /// <param name="ct">Stops waiting for the reply.</param>
    /// <returns>A task that completes once the thread is runnable again (or at once if it was not parked).</returns>
    public Task UnparkAsync(CancellationToken ct = default) =>
        Ref.AskAsync<Unparked>(Unpark.Instance, _settings.AskTimeout, ct);

    /// <summary>smpboot's unpark: as <see cref="UnparkAsync"/>, and drops a park request nobody waits for any more.</summary>
    internal Task WithdrawParkAsync() =>
        Ref.AskAsync<Unparked>(Internal.WithdrawPark.Instance, _settings.AskTimeout, CancellationToken.None);

    /// <summary>kthread_bind(): bind a thread that has never been woken to <paramref name="cpu"/>.</summary>
    /// <param name="cpu">A CPU in Possible; it need not be online.</param>
    /// <param name="ct">Stops waiting for the reply.</param>
    /// <returns>0; -EINVAL if the thread has been woken; -ESRCH if reaped.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cpu"/> is not in Possible.</exception>
    public Task<int> BindAsync(int cpu, CancellationToken ct = default)
    {
        _cpus.CheckPossible(cpu, nameof(cpu));
        return BindCoreAsync(cpu, ct);
    }

    /// <summary>
    /// set_cpus_allowed_ptr(): move a thread at any time, unlike kthread_bind; a running one finishes its
    /// stretch where it is and moves at its next checkpoint, a sleeping or parked one resumes on an allowed CPU.
    /// </summary>
    /// <param name="cpus">The CPUs it may run on (a cpumask; one CPU pins it as kthread_bind does); offline ones count once they come up.</param>
    /// <param name="ct">Stops waiting for the reply (the new mask may still take effect).</param>
    /// <returns>0; -EINVAL if <paramref name="cpus"/> is empty, none of them is online, or the thread is per-CPU; -ESRCH if reaped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cpus"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A CPU in <paramref name="cpus"/> is not in Possible.</exception>
    /// <remarks>
    /// When hotplug takes the last online CPU of the mask down, the thread drops its mask and runs on any online
    /// CPU (logged "no longer affine"), as a bound thread does.
    /// </remarks>
    public Task<int> SetCpusAllowedAsync(IReadOnlyCollection<int> cpus, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        foreach (var cpu in cpus)
        {
            _cpus.CheckPossible(cpu, nameof(cpus));
        }

        return SetCpusAllowedCoreAsync(cpus.ToArray(), ct);
    }

    /// <summary>The thread's ps row now.</summary>
    /// <param name="ct">Stops waiting for the reply.</param>
    /// <returns>Its <see cref="KthreadInfo"/>; state Dead once reaped.</returns>
    public async Task<KthreadInfo> InfoAsync(CancellationToken ct = default)
    {
        var info = await Ref.AskAsync<KthreadInfo>(GetInfo.Instance, _settings.AskTimeout, ct).ConfigureAwait(false);
        return info.Comm.Length == 0 ? info with { Comm = Comm } : info;
    }

    /// <summary>Shows the thread as ps does: pid and name.</summary>
    /// <returns>For example "42 (kworker/0)".</returns>
    public override string ToString() => $"{Pid} ({Comm})";

    private async Task<int> StopCoreAsync(CancellationToken ct) =>
        (await Ref.AskAsync<Stopped>(Stop.Instance, _settings.AskTimeout, ct).ConfigureAwait(false)).ExitCode;

    private async Task<int> ParkCoreAsync(CancellationToken ct) =>
        (await Ref.AskAsync<ParkResult>(Park.Instance, _settings.AskTimeout, ct).ConfigureAwait(false)).Result;

    private async Task<int> SetCpusAllowedCoreAsync(int[] cpus, CancellationToken ct) =>
        (await Ref.AskAsync<SetCpusAllowedResult>(new SetCpusAllowed(cpus), _settings.AskTimeout, ct).ConfigureAwait(false)).Result;

    private async Task<int> BindCoreAsync(int cpu, CancellationToken ct) =>
        (await Ref.AskAsync<BindResult>(new Bind(cpu), _settings.AskTimeout, ct).ConfigureAwait(false)).Result;
}
