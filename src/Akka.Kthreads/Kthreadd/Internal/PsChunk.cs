namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. A run of <see cref="PsSlot"/>s, filled in creation order; small, since one living thread keeps all of it.</summary>
internal sealed class PsChunk
{
    /// <summary>Slots per chunk: 64 slots of 64 bytes, a 4 KiB page.</summary>
    /// <remarks>
    /// A chunk stays while any of its threads lives, so a long-lived thread made among short-lived ones keeps up to
    /// 4 KiB here; smaller chunks lie apart and cost ps a miss each (32 slots: a list of 10,000 went from 1.4x to 1.6x
    /// the raw copy; 128 slots gained nothing measurable over 64).
    /// </remarks>
    public const int Size = 64;

    /// <param name="node">The node of the kthreadd that owns it.</param>
    public PsChunk(string node) => Node = node;

    /// <summary>The node every row of it shows: one kthreadd's, kept here rather than in each thread's context.</summary>
    public string Node { get; }

    /// <summary>The slots; only the first <see cref="Used"/> belong to threads.</summary>
    public PsSlot[] Slots { get; } = new PsSlot[Size];

    /// <summary>Slots handed out so far (kthreadd only).</summary>
    public int Used { get; set; }

    /// <summary>Slots handed out and not reaped (kthreadd only).</summary>
    public int Live { get; set; }

    /// <summary>True when no slot is left to hand out.</summary>
    public bool IsFull => Used == Size;
}
