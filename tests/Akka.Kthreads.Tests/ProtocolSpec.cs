using Akka.Actor;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreaddProtocol;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>The whole protocol driven by hand from a TestKit probe, checking each reply record.</summary>
public sealed class ProtocolSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task Every_message_sent_by_hand_gets_its_reply_record()
    {
        var probe = CreateTestProbe();
        ThreadFn fn = async current =>
        {
            while (!current.ShouldStop)
            {
                if (current.ShouldPark)
                {
                    await current.ParkMeAsync();
                    continue;
                }

                await current.ScheduleAsync();
            }

            return 31;
        };

        probe.Send(Kthreads.Kthreadd, new Create(fn, "data", "byhand"));
        var thread = (await probe.ExpectMsgAsync<Created>()).Thread;
        var k = thread.Ref;

        probe.Send(k, GetInfo.Instance);
        var info = await probe.ExpectMsgAsync<KthreadInfo>();
        Assert.Equal(new KthreadInfo(thread.Pid, 2, "byhand", KthreadState.New, null, false, null, info.Node), info);

        probe.Send(k, new Bind(1));
        await probe.ExpectMsgAsync(new BindResult(0));
        probe.Send(k, WakeUp.Instance);
        await probe.ExpectMsgAsync(new Woken(true));
        probe.Send(k, Park.Instance);
        await probe.ExpectMsgAsync(new ParkResult(0));
        probe.Send(k, Unpark.Instance);
        await probe.ExpectMsgAsync(Unparked.Instance);
        // The park came before the function was entered: once unparked it runs, then sleeps (a Stop
        // before that point would rightly give -EINTR with the function never run).
        await AwaitAssertAsync(async () =>
        {
            probe.Send(k, GetInfo.Instance);
            Assert.Equal(KthreadState.Sleeping, (await probe.ExpectMsgAsync<KthreadInfo>()).State);
        });

        probe.Send(Kthreads.Kthreadd, List.Instance);
        var row = Assert.Single((await probe.ExpectMsgAsync<KthreadList>()).Threads);
        Assert.Equal(thread.Pid, row.Pid);
        Assert.Equal(1, row.Cpu);

        probe.Send(k, Stop.Instance);
        await probe.ExpectMsgAsync(new Stopped(31));
        probe.Send(Kthreads.Kthreadd, List.Instance);
        Assert.Empty((await probe.ExpectMsgAsync<KthreadList>()).Threads);
    }

    [Fact]
    public async Task Create_with_Run_by_hand_is_kthread_run_and_the_thread_is_never_seen_New()
    {
        var probe = CreateTestProbe();
        var fnProbe = CreateTestProbe(); // the function's own messages race with the replies
        ThreadFn fn = current =>
        {
            fnProbe.Tell("running");
            return Task.FromResult(0);
        };

        probe.Send(Kthreads.Kthreadd, new Create(fn, null, "runbyhand") { Run = true });
        var thread = (await probe.ExpectMsgAsync<Created>()).Thread;
        // kthreadd answers List after it marked the thread woken: never D.
        probe.Send(Kthreads.Kthreadd, List.Instance);
        var row = Assert.Single((await probe.ExpectMsgAsync<KthreadList>()).Threads);
        Assert.NotEqual(KthreadState.New, row.State);
        await fnProbe.ExpectMsgAsync("running");

        // Woken already: a WakeUp finds nothing to start, and Bind is refused.
        probe.Send(thread.Ref, new Bind(0));
        await probe.ExpectMsgAsync(new BindResult(-Errno.EINVAL));
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.False(await thread.WakeUpAsync());
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Create_with_Run_of_a_per_cpu_thread_is_refused_with_EINVAL()
    {
        var probe = CreateTestProbe();
        probe.Send(Kthreads.Kthreadd, new Create(_ => Task.FromResult(0), null, "k/{0}", 1, PerCpu: true) { Run = true });

        Assert.Equal(-Errno.EINVAL, (await probe.ExpectMsgAsync<CreateFailed>()).Errno);
    }

    [Fact]
    public async Task The_thread_function_sees_its_pid_name_and_data()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(current =>
        {
            probe.Tell((current.Pid, current.Comm, current.Data));
            return Task.FromResult(0);
        }, "payload", "ident");

        await probe.ExpectMsgAsync((thread.Pid, "ident", (object?)"payload"));
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
    }
}
