namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. Where a per-CPU thread's state and queued items live beyond this node (the
/// cluster's store); smpboot calls it at the hotplug points, so state moves with its CPU.
/// </summary>
/// <remarks>Attach and Detach run on the hotplug actor, between the thread's park and unpark: the thread is not running.</remarks>
internal interface IPerCpuStore
{
    /// <summary>The thread is about to run on its CPU here (created, or unparked on up): restore its saved state and items.</summary>
    /// <returns>False when nothing was saved for it: then its state comes from CreateState.</returns>
    bool Attach(PerCpu td);

    /// <summary>The thread parked because its CPU goes down here (or it stopped): capture its state and untaken items.</summary>
    void Detach(PerCpu td);

    /// <summary>PerCpu.SaveStateAsync: make <paramref name="state"/> durable with the items taken up to <paramref name="taken"/>.</summary>
    /// <remarks>Serializes the state before it returns, so later changes by the thread are not in this save.</remarks>
    Task<bool> Save(PerCpu td, object? state, long taken);
}
