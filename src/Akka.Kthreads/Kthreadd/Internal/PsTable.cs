namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. kthreadd's task list as ps reads it: each kthread's ps fields live in a slot of a dense chunk, not
/// in its context, so a list of 10,000 threads reads rows side by side instead of reaching 10,000 contexts scattered
/// over the heap, each a cache and TLB miss of its own.
/// </summary>
/// <remarks>
/// Only kthreadd adds and removes. A slot is never reused: a reaped thread's context may still be reachable (a stale
/// handle, the hotplug actor's walk), and what it writes then lands in its own dead slot. A chunk leaves the list once
/// every slot of it was reaped.
/// </remarks>
internal sealed class PsTable
{
    private readonly List<PsChunk> _chunks = [];
    private readonly string _node;
    private PsChunk? _tail;

    /// <param name="node">The node of the kthreadd that owns the table, which every row shows.</param>
    public PsTable(string node) => _node = node;

    /// <summary>A slot for a new thread, after every slot made before it (so the rows come in pid order).</summary>
    public PsSlotRef Add(int pid, string comm, bool perCpu, int homeCpu)
    {
        if (_tail is not { IsFull: false } tail)
        {
            tail = _tail = new PsChunk(_node);
            _chunks.Add(tail);
        }

        var index = tail.Used++;
        tail.Live++;
        ref var slot = ref tail.Slots[index];
        slot.Pid = pid;
        slot.Comm = comm;
        slot.PerCpu = perCpu;
        slot.HomeCpu = homeCpu;
        slot.LastCpu = -1;
        return new PsSlotRef(tail, index);
    }

    /// <summary>The thread was reaped: ps no longer lists it.</summary>
    public void Remove(PsSlotRef reaped)
    {
        var chunk = reaped.Chunk;
        if (chunk.Slots[reaped.Index].Reaped)
        {
            return;
        }

        chunk.Slots[reaped.Index].Reaped = true;
        if (--chunk.Live == 0 && chunk.IsFull)
        {
            _chunks.Remove(chunk);
        }
    }

    /// <summary>
    /// The rows of every live thread in slot order; <paramref name="ordered"/> is false when pids did not come in
    /// ascending order (they only wrap after pid_max).
    /// </summary>
    public KthreadInfo[] Rows(int count, out bool ordered)
    {
        var rows = new KthreadInfo[count];
        var n = 0;
        ordered = true;
        foreach (var chunk in _chunks)
        {
            var slots = chunk.Slots;
            for (var i = 0; i < chunk.Used && n < rows.Length; i++)
            {
                ref var slot = ref slots[i];
                if (slot.Reaped || slot.ReadState() == KthreadState.Dead)
                {
                    continue;
                }

                var info = slot.Row(_node);
                if (info.State == KthreadState.Dead)
                {
                    continue;
                }

                ordered &= n == 0 || rows[n - 1].Pid < info.Pid;
                rows[n++] = info;
            }
        }

        Array.Resize(ref rows, n);
        return rows;
    }
}
