using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// The node's CPUs (cpu_possible_mask, cpu_online_mask), each with a run queue that runs at
/// most one kthread at a time.
/// </summary>
public sealed class Cpus
{
    private readonly RunQueue[] _runQueues;
    private int _nextUnbound = -1;

    internal Cpus(int possible)
    {
        if (possible <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(possible), possible, "at least one CPU must be possible");
        }

        _runQueues = new RunQueue[possible];
        var ids = new int[possible];
        for (var cpu = 0; cpu < possible; cpu++)
        {
            _runQueues[cpu] = new RunQueue(cpu);
            ids[cpu] = cpu;
        }

        Possible = ids;
        Online = ids;
    }

    /// <summary>cpu_possible_mask: CPUs 0 .. n-1, fixed at start by <c>kthreads.cpus.possible</c>.</summary>
    public IReadOnlyList<int> Possible { get; }

    /// <summary>cpu_online_mask: the CPUs that run kthreads now, in ascending order.</summary>
    public IReadOnlyList<int> Online { get; }

    /// <summary>True when <paramref name="cpu"/> is in <see cref="Possible"/>.</summary>
    /// <param name="cpu">A CPU number.</param>
    /// <returns>Whether a thread may be bound to it.</returns>
    public bool IsPossible(int cpu) => cpu >= 0 && cpu < _runQueues.Length;

    /// <summary>
    /// The run queue a resuming kthread should wait in: its bound CPU, else the least loaded
    /// online CPU (ties broken round robin, so idle CPUs share new work).
    /// </summary>
    internal RunQueue Select(int? bound)
    {
        if (bound is { } cpu)
        {
            return _runQueues[cpu];
        }

        var online = Online;
        var start = (int)((uint)Interlocked.Increment(ref _nextUnbound) % (uint)online.Count);
        var best = _runQueues[online[start]];
        for (var i = 1; i < online.Count && best.Load > 0; i++)
        {
            var candidate = _runQueues[online[(start + i) % online.Count]];
            if (candidate.Load < best.Load)
            {
                best = candidate;
            }
        }

        return best;
    }

    /// <summary>Throws at the door when <paramref name="cpu"/> is not a possible CPU.</summary>
    internal void CheckPossible(int cpu, string paramName)
    {
        if (!IsPossible(cpu))
        {
            throw new ArgumentOutOfRangeException(paramName, cpu,
                $"cpu {cpu} is not possible: this node has CPUs 0..{_runQueues.Length - 1} (kthreads.cpus.possible)");
        }
    }
}
