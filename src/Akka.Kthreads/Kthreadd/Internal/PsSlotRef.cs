namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. Where one thread's <see cref="PsSlot"/> lives: its chunk and index.</summary>
internal readonly record struct PsSlotRef(PsChunk Chunk, int Index)
{
    /// <summary>The slot itself, to read and write in place.</summary>
    public ref PsSlot Slot => ref Chunk.Slots[Index];
}
