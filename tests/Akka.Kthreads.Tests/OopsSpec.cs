using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>DESIGN §4 behaviour 9: a function that throws is an oops; only its thread dies.</summary>
public sealed class OopsSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task A_function_that_throws_exits_with_EFAULT_logged_with_pid_and_name_and_nothing_else_is_affected()
    {
        var probe = CreateTestProbe();
        var bystander = await Kthreads.RunAsync(async current =>
        {
            probe.Tell("bystander up");
            while (!current.ShouldStop)
            {
                await current.ScheduleAsync();
                probe.Tell("bystander woken");
            }

            return 5;
        }, null, "bystander");
        await probe.ExpectMsgAsync("bystander up");

        var faulty = await Kthreads.CreateAsync(async current =>
        {
            await current.YieldAsync();
            throw new InvalidOperationException("null pointer dereference");
        }, null, "faulty");

        await EventFilter.Exception<InvalidOperationException>(contains: $"kthread {faulty.Pid} (faulty)")
            .ExpectOneAsync(async () => await faulty.WakeUpAsync());

        await AwaitAssertAsync(async () =>
        {
            var row = (await Kthreads.ListAsync()).Single(r => r.Pid == faulty.Pid);
            Assert.Equal(KthreadState.Zombie, row.State);
            Assert.Equal(-Errno.EFAULT, row.ExitCode);
        });
        Assert.Equal(-14, await faulty.StopAsync());

        // kthreadd and the other thread carry on.
        await AwaitStateAsync(bystander, KthreadState.Sleeping);
        Assert.True(await bystander.WakeUpAsync());
        await probe.ExpectMsgAsync("bystander woken");
        var next = await Kthreads.RunAsync(_ => Task.FromResult(8), null, "next");
        await AwaitStateAsync(next, KthreadState.Zombie);
        Assert.Equal(8, await next.StopAsync());
        Assert.Equal(5, await bystander.StopAsync());
    }

    [Fact]
    public async Task A_function_that_throws_before_its_first_await_is_an_oops_too()
    {
        ThreadFn throwsAtOnce = _ => throw new ArgumentException("bad data");
        var thread = await Kthreads.CreateAsync(throwsAtOnce, null, "early-oops");

        await EventFilter.Exception<ArgumentException>(contains: $"kthread {thread.Pid} (early-oops)")
            .ExpectOneAsync(async () => await thread.WakeUpAsync());

        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(-Errno.EFAULT, await thread.StopAsync());
    }
}
