using Akka.Kthreads.Cli.Demo;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// The demo's counter, an md_thread-style daemon: woken from plain code it handles every request,
/// across a park too, and a long timeout shows that no wake-up was lost and picked up late.
/// </summary>
public sealed class MdThreadSpec(ITestOutputHelper output) : SpecBase(output)
{
    // Far above any test: a request handled only when this runs out was a lost wake-up.
    private static readonly TimeSpan Forever = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan HandledWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Every_wakeup_from_outside_is_handled_without_waiting_for_the_timeout()
    {
        const int wakeUps = 200;
        var daemon = new MdThread(Forever);
        var thread = await Kthreads.RunAsync(MdThread.ThreadFnAsync, daemon, "counter");

        // Each right after the last was handled: they race the daemon going back to sleep.
        for (var i = 1; i <= wakeUps; i++)
        {
            daemon.Wakeup();
            await daemon.Handled.WaitAsync().WaitAsync(HandledWithin);
            Assert.Equal(i, daemon.Requests);
        }

        Assert.Equal(0, await thread.StopAsync());
        Assert.Equal(wakeUps, daemon.Requests);
        Assert.Equal(0, daemon.Timeouts);
    }

    [Fact]
    public async Task A_wakeup_while_parked_is_handled_after_the_unpark_and_neither_counts_a_tick()
    {
        var daemon = new MdThread(Forever);
        var thread = await Kthreads.RunAsync(MdThread.ThreadFnAsync, daemon, "counter");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(0, await thread.ParkAsync());
        daemon.Wakeup(); // on no wait queue while parked: only THREAD_WAKEUP is set
        Assert.False(daemon.Handled.IsDone);
        Assert.Equal(0, daemon.Requests);

        await thread.UnparkAsync();
        await daemon.Handled.WaitAsync().WaitAsync(HandledWithin);
        Assert.Equal(1, daemon.Requests);

        // A stop or park ends the wait with TimeSpan.Zero too; the daemon does not take it for a timeout.
        Assert.Equal(0, await thread.StopAsync());
        Assert.Equal(0, daemon.Timeouts);
    }

    [Fact]
    public async Task With_no_request_it_counts_a_timeout_tick_per_timeout_and_a_stop_ends_it_with_0()
    {
        var daemon = new MdThread(TimeSpan.FromMilliseconds(10));
        var thread = await Kthreads.RunAsync(MdThread.ThreadFnAsync, daemon, "counter");

        await AwaitAssertAsync(() => Assert.True(daemon.Timeouts >= 3, $"{daemon.Timeouts} timeout ticks"));

        Assert.Equal(0, await thread.StopAsync());
        Assert.Equal(0, daemon.Requests);
    }
}
