using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

public sealed class SmokeSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task Create_wake_stop()
    {
        var probe = CreateTestProbe();
        var t = await Kthreads.CreateAsync(SleepUntilStopped(probe.Ref, 7), null, "smoke");
        Assert.Equal(3, t.Pid);
        Assert.True(await t.WakeUpAsync());
        await probe.ExpectMsgAsync(("started", t.Pid));
        await AwaitStateAsync(t, KthreadState.Sleeping);
        Assert.Equal(7, await t.StopAsync());
        Assert.Empty(await Kthreads.ListAsync());
    }
}
