using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// smpboot: per-CPU threads that follow hotplug. A registered <see cref="PerCpuThread"/> gets one
/// thread per online CPU (created on its CPU, then unparked), parked while its CPU is down.
/// </summary>
public sealed class PerCpuThreads
{
    private readonly Cpus _cpus;

    internal PerCpuThreads(Cpus cpus) => _cpus = cpus;

    // Copy-on-write, in registration order (smpboot's hotplug_threads list): only the hotplug actor writes.
    private volatile Registration[] _registered = [];

    /// <summary>Where per-CPU state and items live beyond this node (set by the cluster before any CPU comes up); null on a single node.</summary>
    internal IPerCpuStore? Store { get; set; }

    /// <summary>The registered specs with their threads by CPU, in registration order.</summary>
    internal IReadOnlyList<Registration> Registered => _registered;

    /// <summary>smpboot_register_percpu_thread(): one thread per online CPU, each running smpboot's loop.</summary>
    /// <param name="spec">What each thread does; keep the instance to unregister it.</param>
    /// <param name="ct">Gives up waiting; a registration that has not started yet never starts.</param>
    /// <returns>0; -EEXIST if this spec is registered already; a create error (threads made so far are stopped).</returns>
    /// <exception cref="ArgumentException">A null spec or callback, or a bad name format.</exception>
    public Task<int> RegisterAsync(PerCpuThread spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spec.ThreadShouldRun, nameof(spec) + "." + nameof(spec.ThreadShouldRun));
        ArgumentNullException.ThrowIfNull(spec.ThreadFn, nameof(spec) + "." + nameof(spec.ThreadFn));
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Comm, nameof(spec) + "." + nameof(spec.Comm));
        Kthreads.CheckNameFormat(spec.Comm, 0, nameof(spec));
        return _cpus.HotplugAsync(new CpuHotplugProtocol.RegisterPerCpuThread(spec), ct);
    }

    /// <summary>smpboot_unregister_percpu_thread(): stop every thread of <paramref name="spec"/> (each runs Cleanup).</summary>
    /// <param name="spec">The instance given to <see cref="RegisterAsync"/>; an unknown one is ignored.</param>
    /// <param name="ct">Gives up waiting; an unregistration that has not started yet never starts.</param>
    /// <returns>Completes once every thread has exited.</returns>
    public Task UnregisterAsync(PerCpuThread spec, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return _cpus.HotplugAsync(new CpuHotplugProtocol.UnregisterPerCpuThread(spec), ct);
    }

    /// <summary>The thread of <paramref name="spec"/> on <paramref name="cpu"/>, to wake it; null before one was made there.</summary>
    /// <param name="spec">A registered spec.</param>
    /// <param name="cpu">A CPU number.</param>
    /// <returns>Its <see cref="PerCpu"/> (state, thread), or null.</returns>
    public PerCpu? Get(PerCpuThread spec, int cpu) =>
        Find(spec) is { } registration && cpu >= 0 && cpu < registration.Threads.Length ? registration.Threads[cpu] : null;

    /// <summary>The registration of <paramref name="spec"/>, or null.</summary>
    internal Registration? Find(PerCpuThread spec) => Array.Find(_registered, r => ReferenceEquals(r.Spec, spec));

    /// <summary>Appends a registration (the hotplug actor, after its threads were made).</summary>
    internal void Add(Registration registration) => _registered = [.. _registered, registration];

    /// <summary>Drops the registration of <paramref name="spec"/>; null if it was not registered.</summary>
    internal Registration? Remove(PerCpuThread spec)
    {
        var registration = Find(spec);
        if (registration is not null)
        {
            _registered = Array.FindAll(_registered, r => !ReferenceEquals(r, registration));
        }

        return registration;
    }

    /// <summary>One registered spec and its thread on each CPU (null until one was made there).</summary>
    internal sealed record Registration(PerCpuThread Spec, PerCpu?[] Threads);
}
