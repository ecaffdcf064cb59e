using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.CpuHotplugProtocol;

namespace Akka.Kthreads.Tests.Hotplug;

/// <summary>The hotplug actor driven by hand with TestKit: every request gets a Result, a malformed one -EINVAL.</summary>
public sealed class HotplugProtocolSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task Up_and_Down_sent_by_hand_get_their_results()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(CpuOffline));

        Kthreads.Hotplug.Tell(new Down(2), TestActor);
        await ExpectMsgAsync(new Result(0));
        await events.ExpectMsgAsync(new CpuOffline(2));
        Kthreads.Hotplug.Tell(new Down(2), TestActor);
        await ExpectMsgAsync(new Result(-Errno.EINVAL));
        Kthreads.Hotplug.Tell(new Up(2), TestActor);
        await ExpectMsgAsync(new Result(0));
        Assert.Equal([0, 1, 2, 3], Kthreads.Cpus.Online);
    }

    [Fact]
    public async Task States_per_cpu_threads_and_stop_machine_by_hand()
    {
        Kthreads.Hotplug.Tell(new SetupState("test/by-hand", _ => Task.FromResult(0), null), TestActor);
        var id = (await ExpectMsgAsync<Result>()).Value;
        Assert.True(id > 0);
        Kthreads.Hotplug.Tell(new RemoveState(id), TestActor);
        await ExpectMsgAsync(new Result(0));

        var spec = new PerCpuThread("hand/{0}", _ => false, _ => Task.CompletedTask);
        Kthreads.Hotplug.Tell(new RegisterPerCpuThread(spec), TestActor);
        await ExpectMsgAsync(new Result(0));
        Assert.Equal(4, (await Kthreads.ListAsync()).Count(r => r.Comm.StartsWith("hand/", StringComparison.Ordinal)));
        Kthreads.Hotplug.Tell(new UnregisterPerCpuThread(spec), TestActor);
        await ExpectMsgAsync(new Result(0));

        // Answered once: by the CPU thread that ends the machine, not again by the actor (a second 42 would come before the 43).
        Kthreads.Hotplug.Tell(new RunStopMachine(cpu => 40 + cpu, [2]), TestActor);
        await ExpectMsgAsync(new Result(42));
        Kthreads.Hotplug.Tell(new RunStopMachine(cpu => 40 + cpu, [3]), TestActor);
        await ExpectMsgAsync(new Result(43));
    }

    [Fact]
    public async Task A_malformed_request_is_answered_with_EINVAL_and_the_actor_serves_the_next()
    {
        object[] malformed =
        [
            new Up(4), new Down(-1), new SetupState("test/x", null!, null), new SetupState(" ", _ => Task.FromResult(0), null),
            new RegisterPerCpuThread(null!), new UnregisterPerCpuThread(null!), new RunStopMachine(null!, null),
            new RunStopMachine(_ => 0, []), new RunStopMachine(_ => 0, [7]),
        ];
        foreach (var request in malformed)
        {
            Kthreads.Hotplug.Tell(request, TestActor);
            await ExpectMsgAsync(new Result(-Errno.EINVAL));
        }

        Kthreads.Hotplug.Tell(new RunStopMachine(_ => 3, null), TestActor);
        await ExpectMsgAsync(new Result(3));
    }
}
