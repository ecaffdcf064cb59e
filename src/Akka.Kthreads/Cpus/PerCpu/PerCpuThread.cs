namespace Akka.Kthreads;

/// <summary>
/// struct smp_hotplug_thread: what one per-CPU thread does. Register it with
/// <see cref="PerCpuThreads.RegisterAsync"/> and a thread runs on every online CPU, following hotplug.
/// </summary>
/// <param name="Comm">The thread name, "{0}" standing for the cpu ("ksoftirqd/{0}").</param>
/// <param name="ThreadShouldRun">True when there is work: then <paramref name="ThreadFn"/> runs, else the thread sleeps until woken.</param>
/// <param name="ThreadFn">One round of work, on its CPU; the loop calls it again while ThreadShouldRun holds.</param>
/// <remarks>The spec is compared by reference: register and unregister the same instance.</remarks>
public sealed record PerCpuThread(string Comm, Func<PerCpu, bool> ThreadShouldRun, Func<PerCpu, Task> ThreadFn)
{
    /// <summary>Makes the per-CPU state once per CPU (the kernel's per-CPU variable); kept across down and up.</summary>
    public Func<int, object?>? CreateState { get; init; }

    /// <summary>Runs once on its CPU before the first ThreadFn.</summary>
    public Func<PerCpu, Task>? Setup { get; init; }

    /// <summary>Runs when the thread is stopped (unregister) after Setup ran; the bool says whether its CPU is online.</summary>
    public Func<PerCpu, bool, Task>? Cleanup { get; init; }

    /// <summary>Runs on its CPU before the thread parks (its CPU goes down).</summary>
    public Func<PerCpu, Task>? Park { get; init; }

    /// <summary>Runs on its CPU when the thread is unparked again (its CPU came back), after a <see cref="Park"/> ran: the kernel pairs them.</summary>
    public Func<PerCpu, Task>? Unpark { get; init; }

    /// <summary>The thread parks and unparks itself (its owner calls Park / Unpark): hotplug leaves it alone.</summary>
    public bool SelfParking { get; init; }

    /// <summary>Compared by reference, so two registrations of look-alike specs stay two.</summary>
    /// <param name="other">Another spec.</param>
    /// <returns>Whether it is this very instance.</returns>
    public bool Equals(PerCpuThread? other) => ReferenceEquals(this, other);

    /// <summary>The identity hash, matching reference equality.</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this);
}
