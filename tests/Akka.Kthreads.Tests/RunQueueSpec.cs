using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>A CPU runs at most one kthread at a time; a kthread holds it from a resume to its next checkpoint.</summary>
public sealed class RunQueueSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString("kthreads.cpus.possible = 2"))
{
    [Fact]
    public async Task A_cpu_runs_at_most_one_kthread_at_a_time()
    {
        // Four threads on two CPUs, each checking that nobody else on its CPU is between checkpoints.
        var inside = new int[2];
        var overlaps = 0;
        var threads = new List<Kthread>();
        for (var i = 0; i < 4; i++)
        {
            var thread = await Kthreads.CreateAsync(async current =>
            {
                for (var round = 0; round < 500; round++)
                {
                    var cpu = current.Cpu!.Value;
                    if (Interlocked.Increment(ref inside[cpu]) != 1)
                    {
                        Interlocked.Increment(ref overlaps);
                    }

                    Thread.SpinWait(50); // CPU work between checkpoints
                    Interlocked.Decrement(ref inside[cpu]);
                    await current.YieldAsync();
                }

                return 0;
            }, null, $"spin{i}");
            Assert.Equal(0, await thread.BindAsync(i % 2));
            threads.Add(thread);
        }

        foreach (var thread in threads)
        {
            await thread.WakeUpAsync();
        }

        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Zombie);
            Assert.Equal(0, await thread.StopAsync());
        }

        Assert.Equal(0, Volatile.Read(ref overlaps));
    }

    [Fact]
    public async Task A_thread_that_holds_its_cpu_keeps_another_bound_there_from_running_until_its_checkpoint()
    {
        var probe = CreateTestProbe();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = await Kthreads.CreateAsync(async current =>
        {
            probe.Tell("holder running");
            await release.Task; // not a checkpoint: the CPU stays taken
            await current.ScheduleAsync();
            return 0;
        }, null, "holder");
        var waiter = await Kthreads.CreateAsync(current =>
        {
            probe.Tell("waiter running");
            return Task.FromResult(0);
        }, null, "waiter");
        await holder.BindAsync(1);
        await waiter.BindAsync(1);

        await holder.WakeUpAsync();
        await probe.ExpectMsgAsync("holder running");
        Assert.True(await waiter.WakeUpAsync());
        Assert.Equal(KthreadState.Running, (await waiter.InfoAsync()).State);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));

        release.SetResult();
        await probe.ExpectMsgAsync("waiter running");
        Assert.Equal(0, await holder.StopAsync());
        Assert.Equal(0, await waiter.StopAsync());
    }

    [Fact]
    public async Task YieldAsync_lets_a_thread_waiting_for_the_cpu_run()
    {
        var probe = CreateTestProbe();
        var yielder = await Kthreads.CreateAsync(async current =>
        {
            probe.Tell("yielder running");
            while (!current.ShouldStop)
            {
                await current.YieldAsync(); // busy, but giving the CPU away at every turn
            }

            return 0;
        }, null, "yielder");
        var other = await Kthreads.CreateAsync(_ =>
        {
            probe.Tell("other running");
            return Task.FromResult(0);
        }, null, "other");
        await yielder.BindAsync(0);
        await other.BindAsync(0);

        await yielder.WakeUpAsync();
        await probe.ExpectMsgAsync("yielder running");
        await other.WakeUpAsync();
        await probe.ExpectMsgAsync("other running");
        Assert.Equal(0, await yielder.StopAsync());
        Assert.Equal(0, await other.StopAsync());
    }
}
