using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Timers;

/// <summary>del_timer_sync() is a wait like every other: bounded by kthreads.ask-timeout when a callback blocks.</summary>
public sealed class DelTimerSyncTimeoutSpec(ITestOutputHelper output)
    : SpecBase(output, ConfigurationFactory.ParseString("""
        kthreads.ask-timeout = 300ms
        kthreads.kthread.stop-timeout = 200ms
        kthreads.kthread.park-timeout = 200ms
        kthreads.worker.flush-timeout = 200ms
        """))
{
    [Fact]
    public async Task A_callback_that_blocks_past_ask_timeout_makes_DelTimerSync_throw_TimeoutException_with_the_timer_disarmed()
    {
        var probe = CreateTestProbe();
        using var gate = new ManualResetEventSlim();
        using var timer = Kthreads.TimerSetup(_ =>
        {
            probe.Tell("entered");
            gate.Wait(TimeSpan.FromSeconds(30));
        });
        timer.ModTimer(TimeSpan.Zero);
        await probe.ExpectMsgAsync("entered");

        var e = await Assert.ThrowsAsync<TimeoutException>(() => timer.DelTimerSyncAsync());

        Assert.Contains("kthreads.ask-timeout", e.Message, StringComparison.Ordinal);
        Assert.False(timer.IsPending);
        gate.Set();
        Assert.Equal(0, await timer.DelTimerSyncAsync()); // once the callback returned, it answers at once
    }
}
