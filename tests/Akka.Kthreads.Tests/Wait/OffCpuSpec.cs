using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>OffCpuAsync: blocking I/O sleeps off the CPU, so another kthread runs there meanwhile.</summary>
public sealed class OffCpuSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task Awaits_inside_OffCpu_do_not_hold_the_cpu_and_ps_shows_the_thread_sleeping()
    {
        var probe = CreateTestProbe();
        var io = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = await Kthreads.CreateAsync(async current =>
        {
            probe.Tell("reading");
            var value = await current.OffCpuAsync(_ => io.Task);
            probe.Tell(("read", value, current.Cpu));
            return 0;
        }, null, "reader");
        var other = await Kthreads.CreateAsync(_ =>
        {
            probe.Tell("other ran");
            return Task.FromResult(0);
        }, null, "other");
        await reader.BindAsync(1);
        await other.BindAsync(1);

        await reader.WakeUpAsync();
        await probe.ExpectMsgAsync("reading");
        await AwaitStateAsync(reader, KthreadState.Sleeping);
        Assert.False(await reader.WakeUpAsync()); // not in ScheduleAsync: a WakeUp does not end I/O
        await other.WakeUpAsync();
        await probe.ExpectMsgAsync("other ran"); // same CPU, while the reader awaits its I/O

        io.SetResult(42);
        await probe.ExpectMsgAsync(("read", 42, (int?)1));
        Assert.Equal(0, await reader.StopAsync());
        Assert.Equal(0, await other.StopAsync());
    }

    [Fact]
    public async Task A_stop_request_cancels_the_token_OffCpu_passes_in()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            try
            {
                await current.OffCpuAsync(ct => Task.Delay(Timeout.InfiniteTimeSpan, ct));
                return 1;
            }
            catch (OperationCanceledException)
            {
                probe.Tell("io cancelled");
                return 5;
            }
        }, null, "blocked");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(5, await thread.StopAsync());
        await probe.ExpectMsgAsync("io cancelled");
    }
}
