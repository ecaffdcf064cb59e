using System.Diagnostics;
using Akka.Kthreads.Internal;
using FsCheck;
using FsCheck.Xunit;
using Xunit;

namespace Akka.Kthreads.Tests;

/// <summary>
/// kthreads.cpus.idle-poll-max: a CPU thread's idle spin adapts as cpuidle-haltpoll's governor does, between idle-poll
/// and idle-poll-max, from how long each sleep lasted.
/// </summary>
public sealed class HaltPollSpec
{
    private static readonly TimeSpan Start = TimeSpan.FromMicroseconds(50);
    private static readonly TimeSpan Max = TimeSpan.FromMicroseconds(200);

    private static long Idle(double micros) => (long)(micros * Stopwatch.Frequency / 1_000_000);

    // The spin after each sleep of the given idle times (µs), from the default start.
    private static double[] PollsAfter(params double[] idleMicros)
    {
        var poll = new HaltPoll(Start, Max);
        return idleMicros.Select(idle =>
        {
            poll.Adjust(Idle(idle));
            return poll.Poll.TotalMicroseconds;
        }).ToArray();
    }

    [Fact]
    public void Sleeps_ended_by_work_within_the_max_double_the_spin_up_to_the_max() =>
        Assert.Equal([100, 200, 200], PollsAfter(120, 150, 199));

    [Fact]
    public void Sleeps_longer_than_the_max_halve_the_spin_down_to_idle_poll() =>
        Assert.Equal([100, 200, 100, 50, 50], PollsAfter(120, 150, 10_000, 10_000, 10_000));

    [Fact]
    public void A_wake_up_the_spin_would_have_caught_leaves_it_as_it_is() =>
        Assert.Equal([100, 100], PollsAfter(120, 80));

    [Fact]
    public void A_zero_idle_poll_never_spins_and_a_max_no_longer_than_idle_poll_keeps_it_fixed()
    {
        var none = new HaltPoll(TimeSpan.Zero, Max);
        var fixedPoll = new HaltPoll(TimeSpan.FromSeconds(60), Max);

        foreach (var idle in new[] { 1.0, 150, 10_000, 100_000_000 })
        {
            none.Adjust(Idle(idle));
            fixedPoll.Adjust(Idle(idle));
            Assert.Equal(TimeSpan.Zero, none.Poll);
            Assert.Equal(TimeSpan.FromSeconds(60), fixedPoll.Poll);
        }
    }

    [Property]
    public bool Whatever_the_sleeps_the_spin_stays_between_idle_poll_and_the_larger_of_the_two(
        NonNegativeInt startMicros, NonNegativeInt maxMicros, NonNegativeInt[] idleMicros)
    {
        var start = TimeSpan.FromMicroseconds(startMicros.Get);
        var max = TimeSpan.FromMicroseconds(maxMicros.Get);
        var ceiling = start > max ? start : max;
        var poll = new HaltPoll(start, max);
        foreach (var idle in idleMicros)
        {
            poll.Adjust(Idle(idle.Get));
            if (poll.Poll < start - TimeSpan.FromTicks(1) || poll.Poll > ceiling + TimeSpan.FromTicks(1))
            {
                return false;
            }
        }

        return true;
    }
}
