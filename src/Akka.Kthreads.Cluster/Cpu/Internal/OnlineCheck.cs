namespace Akka.Kthreads.Cluster.Internal;

/// <summary>INTERNAL API. Asked of every other node's query actor before a CPU comes up: is <paramref name="Cpu"/> online there?</summary>
/// <param name="Cpu">The CPU about to come up on the asking node.</param>
internal sealed record IsCpuOnline(int Cpu) : IClusterKthreadsMessage;

/// <summary>INTERNAL API. The answer: true while the CPU is online on the answering node (its entity there stopped before its hand-off finished).</summary>
/// <param name="Cpu">The CPU asked about.</param>
/// <param name="Online">Online on the answering node.</param>
internal sealed record CpuOnlineHere(int Cpu, bool Online) : IClusterKthreadsMessage;
