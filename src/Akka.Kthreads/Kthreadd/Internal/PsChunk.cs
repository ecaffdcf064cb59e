namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. A run of <see cref="PsSlot"/>s, filled in creation order; small enough to stay off the large object heap.</summary>
internal sealed class PsChunk
{
    /// <summary>Slots per chunk: 128 slots of 64 bytes, 8 KiB.</summary>
    public const int Size = 128;

    /// <summary>The slots; only the first <see cref="Used"/> belong to threads.</summary>
    public PsSlot[] Slots { get; } = new PsSlot[Size];

    /// <summary>Slots handed out so far (kthreadd only).</summary>
    public int Used { get; set; }

    /// <summary>Slots handed out and not reaped (kthreadd only).</summary>
    public int Live { get; set; }

    /// <summary>True when no slot is left to hand out.</summary>
    public bool IsFull => Used == Size;
}
