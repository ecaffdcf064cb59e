using System.Reflection;
using Akka.Actor;
using Xunit;

namespace Akka.Kthreads.Tests;

/// <summary>
/// Akka's scheduler starts its clock on first use, queued on the thread pool while the caller blocks (akka.net
/// #7130); a burst of first park timers on every pool thread stalled a system for minutes. Kthreads starts it.
/// </summary>
public sealed class SchedulerClockSpec
{
    private static readonly FieldInfo StartTime =
        typeof(HashedWheelTimerScheduler).GetField("_startTime", BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException(nameof(HashedWheelTimerScheduler), "_startTime");

    [Fact]
    public async Task A_plain_system_leaves_the_clock_to_its_first_timer_and_Kthreads_starts_it_when_it_comes_up()
    {
        var system = ActorSystem.Create("clock", SpecBase.SpecConfig);
        try
        {
            // The Akka behaviour this guards against: nothing of a fresh system has started the clock yet.
            Assert.Equal(0L, (long)StartTime.GetValue(system.Scheduler)!);

            Kthreads.Get(system);

            Assert.NotEqual(0L, (long)StartTime.GetValue(system.Scheduler)!);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
