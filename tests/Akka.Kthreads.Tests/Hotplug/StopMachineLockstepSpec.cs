using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Hotplug;

/// <summary>multi_cpu_stop's lockstep, watched through the stoppers' DEBUG log of each state they reach together.</summary>
public sealed class StopMachineLockstepSpec(ITestOutputHelper output)
    : SpecBase(output, ConfigurationFactory.ParseString("akka.loglevel = DEBUG"))
{
    private StopMachine Machine => Kthreads.StopMachine;

    [Fact]
    public async Task No_stopper_leaves_Prepare_until_every_cpu_is_held_then_they_step_through_the_states_together()
    {
        var release = new ManualResetEventSlim();
        var hog = await HogAsync(Kthreads, 2, release); // cpu 2 is held until the check below
        var logs = CreateTestProbe();
        Sys.EventStream.Subscribe(logs.Ref, typeof(Akka.Event.Debug));
        var ran = 0;

        var machine = Machine.RunAsync(cpu =>
        {
            Interlocked.Increment(ref ran);
            return cpu + 1;
        }, [0, 1, 2, 3]);
        await AwaitAssertAsync(() => Assert.Equal(MultiStopState.Prepare, Machine.State));
        Assert.Equal(0, Volatile.Read(ref ran)); // cpus 0, 1, 3 are held, cpu 2 is not: nobody moves on
        Assert.False(machine.IsCompleted);
        release.Set();

        Assert.Equal(1, await machine); // the first non-zero in cpu order: cpu 0's
        Assert.Equal(4, ran);
        foreach (var state in new[] { "DisableIrq", "Run", "Exit" })
        {
            // In order: fishing skips other log lines, so a state logged early would be fished past and missed.
            await logs.FishForMessageAsync(o => o is Akka.Event.Debug d && d.Message.ToString() == $"stop_machine: cpus 0,1,2,3 reached {state}");
        }

        Assert.Equal(0, await hog.StopAsync());
    }
}
