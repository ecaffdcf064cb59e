namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. Where one thread's <see cref="PsSlot"/> lives: its chunk and index.</summary>
internal readonly record struct PsSlotRef(PsChunk Chunk, int Index);
