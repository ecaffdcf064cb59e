namespace Akka.Kthreads.Cluster.StopMachine;

/// <summary>INTERNAL API. Sent to every node's query actor: hold all your CPUs and cpu_hotplug_lock for machine <paramref name="Id"/>.</summary>
/// <param name="Id">The machine.</param>
/// <param name="Timeout">How long a node holds before it lets go by itself (the caller gave up by then).</param>
internal sealed record MachineHold(Guid Id, TimeSpan Timeout) : IClusterKthreadsMessage;

/// <summary>INTERNAL API. A node's answer to the caller's ask: 0 once it holds everything; -EBUSY while one of its CPUs is being handed off.</summary>
/// <param name="Id">The machine.</param>
/// <param name="Node">The answering node.</param>
/// <param name="Result">0 held, or a negative errno.</param>
internal sealed record MachineHeld(Guid Id, string Node, int Result) : IClusterKthreadsMessage;

/// <summary>INTERNAL API. fn has run (or the machine gave up): let go of everything held for <paramref name="Id"/>, and say so.</summary>
/// <param name="Id">The machine.</param>
internal sealed record MachineRelease(Guid Id) : IClusterKthreadsMessage;

/// <summary>
/// INTERNAL API. A node's answer to a release: its stoppers are gone and its cpu_hotplug_lock is free, so the
/// caller's stop_machine returns with the whole cluster running again, as the kernel's returns after every stopper.
/// </summary>
/// <param name="Id">The machine.</param>
/// <param name="Node">The answering node.</param>
internal sealed record MachineReleased(Guid Id, string Node) : IClusterKthreadsMessage;
