using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>
/// DESIGN §4.16 for a thread that is gone (stopped and reaped): every message still gets its usual
/// reply record, never a dead letter and a hang; and an oops (§4.9) takes only its own thread.
/// </summary>
public sealed class GoneThreadSpec(ITestOutputHelper output) : SpecBase(output)
{
    private string Node => ((ExtendedActorSystem)Sys).Provider.DefaultAddress.ToString();

    public static TheoryData<string> WaysToGo() => new("stopped before any wake-up", "stopped while asleep", "returned, then stopped");

    [Theory]
    [MemberData(nameof(WaysToGo))]
    public async Task Every_message_sent_by_hand_to_a_reaped_thread_gets_its_usual_reply(string way)
    {
        var thread = await GoneAsync(way);
        var probe = CreateTestProbe();

        probe.Send(thread.Ref, WakeUp.Instance);
        await probe.ExpectMsgAsync(new Woken(false));
        probe.Send(thread.Ref, Stop.Instance);
        await probe.ExpectMsgAsync(new Stopped(-Errno.ESRCH));
        probe.Send(thread.Ref, Park.Instance);
        await probe.ExpectMsgAsync(new ParkResult(-Errno.ESRCH));
        probe.Send(thread.Ref, Unpark.Instance);
        await probe.ExpectMsgAsync(Unparked.Instance);
        probe.Send(thread.Ref, new Bind(0));
        await probe.ExpectMsgAsync(new BindResult(-Errno.ESRCH));
        probe.Send(thread.Ref, new SetCpusAllowed([0]));
        await probe.ExpectMsgAsync(new SetCpusAllowedResult(-Errno.ESRCH));
        probe.Send(thread.Ref, GetInfo.Instance);
        var info = await probe.ExpectMsgAsync<KthreadInfo>();

        Assert.Equal(thread.Pid, info.Pid);
        Assert.Equal(2, info.PPid);
        Assert.Equal(KthreadState.Dead, info.State);
        Assert.Equal(Node, info.Node);
        // kthreadd remembers the reaped (kthreads.kthreadd.reaped-history): name and exit code survive.
        Assert.Equal(thread.Comm, info.Comm);
        Assert.NotNull(info.ExitCode);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [MemberData(nameof(WaysToGo))]
    public async Task Every_handle_call_on_a_reaped_thread_returns_its_gone_value(string way)
    {
        var thread = await GoneAsync(way);

        Assert.False(await thread.WakeUpAsync());
        Assert.Equal(-Errno.ESRCH, await thread.StopAsync());
        Assert.Equal(-Errno.ESRCH, await thread.ParkAsync());
        await thread.UnparkAsync();
        Assert.Equal(-Errno.ESRCH, await thread.BindAsync(0));
        var info = await thread.InfoAsync();

        Assert.Equal(thread.Pid, info.Pid);
        Assert.Equal(KthreadState.Dead, info.State);
        Assert.Equal(thread.Comm, info.Comm);
        Assert.Equal(Node, info.Node);
        Assert.Empty(await Kthreads.ListAsync());
    }

    [Fact]
    public async Task Messages_sent_right_after_the_stop_reply_are_answered_too()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(_ => Task.FromResult(0), null, "just-gone");
        probe.Send(thread.Ref, Stop.Instance);
        await probe.ExpectMsgAsync(new Stopped(-Errno.EINTR));

        // No wait for the actor to end: whether it or kthreadd answers, every ask gets its record.
        probe.Send(thread.Ref, WakeUp.Instance);
        probe.Send(thread.Ref, Stop.Instance);
        probe.Send(thread.Ref, Park.Instance);
        probe.Send(thread.Ref, Unpark.Instance);
        probe.Send(thread.Ref, new Bind(0));
        probe.Send(thread.Ref, GetInfo.Instance);
        var replies = new List<object>();
        for (var i = 0; i < 6; i++)
        {
            replies.Add(await probe.ExpectMsgAsync<object>());
        }

        Assert.Contains(new Woken(false), replies);
        Assert.Contains(new Stopped(-Errno.ESRCH), replies);
        Assert.Contains(new ParkResult(-Errno.ESRCH), replies);
        Assert.Contains(Unparked.Instance, replies);
        Assert.Contains(new BindResult(-Errno.ESRCH), replies);
        var info = Assert.Single(replies.OfType<KthreadInfo>());
        Assert.Equal((thread.Pid, KthreadState.Dead), (info.Pid, info.State));
        Assert.Equal(KthreadState.Dead, (await thread.InfoAsync()).State);
    }

    [Fact]
    public async Task A_function_that_throws_exits_with_EFAULT_and_kthreadd_and_the_other_threads_carry_on()
    {
        var probe = CreateTestProbe();
        var bystander = await Kthreads.RunAsync(SleepUntilStopped(probe.Ref, 5), null, "bystander");
        await probe.ExpectMsgAsync(("started", bystander.Pid));
        var oopser = await Kthreads.RunAsync(async current =>
        {
            probe.Tell("oopser asleep");
            await current.ScheduleAsync();
            throw new InvalidOperationException("unable to handle kernel paging request");
        }, null, "oopser");
        await probe.ExpectMsgAsync("oopser asleep");
        await AwaitStateAsync(oopser, KthreadState.Sleeping);

        // The oops is logged as an error naming the pid and the thread.
        await EventFilter.Exception<InvalidOperationException>(contains: $"kthread {oopser.Pid} (oopser)")
            .ExpectOneAsync(async () => Assert.True(await oopser.WakeUpAsync()));

        await AwaitStateAsync(oopser, KthreadState.Zombie);
        Assert.Equal(-Errno.EFAULT, (await oopser.InfoAsync()).ExitCode);
        Assert.Equal(-14, await oopser.StopAsync());

        // kthreadd serves the next create; the bystander still runs and stops with its own code.
        var next = await Kthreads.CreateAsync(_ => Task.FromResult(9), null, "after-oops");
        Assert.Equal(oopser.Pid + 1, next.Pid);
        Assert.Equal([bystander.Pid, next.Pid], (await Kthreads.ListAsync()).Select(t => t.Pid));
        await AwaitStateAsync(bystander, KthreadState.Sleeping);
        Assert.Equal(5, await bystander.StopAsync());
        Assert.Equal(-Errno.EINTR, await next.StopAsync());

        // And the oopsed thread, reaped, answers as any gone thread.
        await AwaitAssertAsync(async () => Assert.Equal(-Errno.ESRCH, await oopser.StopAsync()));
    }

    // A thread made, taken to its end one way, stopped, and its actor terminated.
    private async Task<Kthread> GoneAsync(string way)
    {
        var probe = CreateTestProbe();
        Kthread thread;
        int code;
        switch (way)
        {
            case "stopped before any wake-up":
                thread = await Kthreads.CreateAsync(SleepUntilStopped(probe.Ref, 1), null, "gone-new");
                code = -Errno.EINTR;
                break;
            case "stopped while asleep":
                thread = await Kthreads.RunAsync(SleepUntilStopped(probe.Ref, 1), null, "gone-asleep");
                await probe.ExpectMsgAsync(("started", thread.Pid));
                await AwaitStateAsync(thread, KthreadState.Sleeping);
                code = 1;
                break;
            case "returned, then stopped":
                thread = await Kthreads.RunAsync(_ => Task.FromResult(42), null, "gone-zombie");
                await AwaitStateAsync(thread, KthreadState.Zombie);
                code = 42;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(way), way, null);
        }

        Watch(thread.Ref);
        Assert.Equal(code, await thread.StopAsync());
        await ExpectTerminatedAsync(thread.Ref);
        return thread;
    }
}
