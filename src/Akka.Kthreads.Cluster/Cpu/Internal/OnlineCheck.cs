namespace Akka.Kthreads.Cluster.Internal;

/// <summary>INTERNAL API. Asked of every other node's query actor before a CPU comes up: is <paramref name="Cpu"/> online there?</summary>
/// <param name="Cpu">The CPU about to come up on the asking node.</param>
internal sealed record IsCpuOnline(int Cpu) : IClusterKthreadsMessage;

/// <summary>INTERNAL API. The answer: true while the CPU is online on the answering node (its entity there stopped before its hand-off finished).</summary>
/// <param name="Cpu">The CPU asked about.</param>
/// <param name="Online">Online on the answering node.</param>
internal sealed record CpuOnlineHere(int Cpu, bool Online) : IClusterKthreadsMessage;

/// <summary>INTERNAL API. The nodes that answered that a CPU is online there, and those that did not answer: it comes up only when both are empty.</summary>
/// <param name="Online">Nodes that still have the CPU online.</param>
/// <param name="Unanswered">Nodes that run kthreads and did not answer in time (unreachable, busy, or too old to know the question).</param>
internal sealed record OnlineElsewhere(IReadOnlyList<string> Online, IReadOnlyList<string> Unanswered);

/// <summary>INTERNAL API. Told to every member by a leaving node once it has no CPU online and will bring none up: it need not be asked again.</summary>
/// <param name="Node">The leaving node's address.</param>
/// <param name="Uid">Its incarnation, so a node started again on the same address is asked again.</param>
internal sealed record NodeDrained(Akka.Actor.Address Node, int Uid) : IClusterKthreadsMessage;
