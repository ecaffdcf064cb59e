using System.Diagnostics;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. How long an idle CPU thread spins before it sleeps, adapted as cpuidle-haltpoll's governor
/// adapts a guest CPU's poll (adjust_poll_limit): a sleep ended within <c>idle-poll-max</c> of going idle
/// doubles the poll, since a longer spin would have caught that wake-up; a longer one halves it.
/// </summary>
/// <remarks>
/// The poll stays between <c>idle-poll</c> (the kernel's guest_halt_poll_grow_start, here also the floor, so
/// that a zero poll never grows) and <c>idle-poll-max</c> (guest_halt_poll_ns); a max no longer than the
/// start keeps it fixed. Only the CPU's own thread touches it.
/// </remarks>
internal struct HaltPoll
{
    private readonly long _start;
    private readonly long _max;

    public HaltPoll(TimeSpan start, TimeSpan max)
    {
        _start = StopwatchSpan.Ticks(start);
        _max = Math.Max(_start, StopwatchSpan.Ticks(max));
        Ticks = _start;
    }

    /// <summary>A spin that never adapts, for CPU threads outside a system (the benchmarks' floors).</summary>
    public static HaltPoll Fixed(TimeSpan poll) => new(poll, TimeSpan.Zero);

    /// <summary>The spin now, in Stopwatch ticks.</summary>
    public long Ticks { get; private set; }

    /// <summary>The spin now.</summary>
    public readonly TimeSpan Poll => Stopwatch.GetElapsedTime(0, Ticks);

    /// <summary>After a sleep: <paramref name="idleTicks"/> is how long the thread was idle, spin included, until work came.</summary>
    public void Adjust(long idleTicks)
    {
        if (idleTicks > Ticks && idleTicks <= _max)
        {
            // kernel: grow by guest_halt_poll_grow (2), from guest_halt_poll_grow_start, up to guest_halt_poll_ns.
            Ticks = Math.Min(_max, Math.Max(_start, Ticks * 2));
        }
        else if (idleTicks > _max)
        {
            // kernel: shrink by guest_halt_poll_shrink (2); below grow_start it would be 0, here the floor.
            Ticks = Math.Max(_start, Ticks / 2);
        }
    }
}
