using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>select_idle_sibling: a new unbound thread takes the idle CPU that ran something last, whose OS thread is still awake.</summary>
public sealed class IdleCpuChoiceSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task A_new_unbound_thread_runs_on_the_idle_cpu_that_ran_last()
    {
        var probe = CreateTestProbe();
        ThreadFn report = current =>
        {
            probe.Tell(current.Cpu);
            return Task.FromResult(0);
        };

        // Each round another CPU runs last; round-robin placement would miss most of them.
        foreach (var last in new[] { 3, 1, 0, 2, 3 })
        {
            var bound = await Kthreads.CreateAsync(report, null, "runs-last");
            Assert.Equal(0, await bound.BindAsync(last));
            await bound.WakeUpAsync();
            Assert.Equal(last, await probe.ExpectMsgAsync<int>());
            await AwaitStateAsync(bound, KthreadState.Zombie);

            var unbound = await Kthreads.RunAsync(report, null, "unbound");
            Assert.Equal(last, await probe.ExpectMsgAsync<int>());
            await AwaitStateAsync(unbound, KthreadState.Zombie);
            Assert.Equal(0, await bound.StopAsync());
            Assert.Equal(0, await unbound.StopAsync());
        }
    }
}
