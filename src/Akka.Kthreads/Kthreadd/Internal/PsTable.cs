namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. kthreadd's task list as ps reads it: each kthread's ps fields live in a slot of a dense chunk, not
/// in its context, so a list of 10,000 threads reads rows side by side instead of reaching 10,000 contexts scattered
/// over the heap, each a cache and TLB miss of its own.
/// </summary>
/// <remarks>
/// Only kthreadd adds and removes, once per thread. A slot is never reused: a reaped thread's context may still be
/// reachable (a stale handle, an off-CPU wait that ends late), and what it writes then lands in its own dead slot, whose
/// state Dead (set before the reap) keeps it out of every list. A chunk leaves the list once all of its slots are reaped.
/// </remarks>
internal sealed class PsTable
{
    private readonly List<PsChunk> _chunks = [];
    private readonly string _node;
    private PsChunk? _tail;
    private int _live;

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

        var added = new PsSlotRef(tail, tail.Used++);
        tail.Live++;
        _live++;
        ref var slot = ref added.Slot;
        slot.Pid = pid;
        slot.Comm = comm;
        slot.PerCpu = perCpu;
        slot.HomeCpu = homeCpu;
        slot.LastCpu = -1;
        return added;
    }

    /// <summary>The thread was reaped (kthreadd calls this once per thread).</summary>
    public void Remove(PsSlotRef reaped)
    {
        _live--;
        var chunk = reaped.Chunk;
        if (--chunk.Live == 0 && chunk.IsFull)
        {
            _chunks.Remove(chunk);
        }
    }

    /// <summary>The rows of every thread not reaped and not Dead, in pid order.</summary>
    public KthreadInfo[] Rows()
    {
        var rows = new KthreadInfo[_live];
        var n = 0;
        var ordered = true;
        foreach (var chunk in _chunks)
        {
            var slots = chunk.Slots;
            // Bounded by the count as well: a slot left un-Dead after its reap would be a bug, never a crash of kthreadd.
            for (var i = 0; i < chunk.Used && n < rows.Length; i++)
            {
                var info = slots[i].Row(_node);
                if (info.State == KthreadState.Dead)
                {
                    continue;
                }

                ordered &= n == 0 || rows[n - 1].Pid < info.Pid;
                rows[n++] = info;
            }
        }

        Array.Resize(ref rows, n);
        if (!ordered)
        {
            // Creation order is pid order until pids wrap: only then sort, by int keys.
            var pids = Array.ConvertAll(rows, r => r.Pid);
            Array.Sort(pids, rows);
        }

        return rows;
    }
}
