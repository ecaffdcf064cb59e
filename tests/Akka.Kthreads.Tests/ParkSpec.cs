using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>DESIGN §4 behaviours 10, 11 and 12: kthread_park / kthread_unpark (seed 001).</summary>
public sealed class ParkSpec(ITestOutputHelper output) : SpecBase(output)
{
    /// <summary>The modern loop: park where told to, sleep otherwise.</summary>
    private ThreadFn Parkable(IActorRef probe) => async current =>
    {
        probe.Tell("entered");
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                probe.Tell("parking");
                await current.ParkMeAsync();
                probe.Tell(("resumed", current.ShouldPark, current.Cpu));
                continue;
            }

            await current.ScheduleAsync();
        }

        return 0;
    };

    [Fact]
    public async Task Park_sets_ShouldPark_wakes_the_thread_and_replies_0_once_it_has_parked()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(Parkable(probe.Ref), null, "parkme");
        await probe.ExpectMsgAsync("entered");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        probe.Send(thread.Ref, Park.Instance);
        await probe.ExpectMsgAsync("parking");
        await probe.ExpectMsgAsync(new ParkResult(0));

        var info = await thread.InfoAsync();
        Assert.Equal(KthreadState.Parked, info.State);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_function_that_returns_while_ShouldPark_parks_and_is_called_again_on_Unpark()
    {
        // The 2012 style (seed 001): return while should_park, be called again after unpark.
        var probe = CreateTestProbe();
        var calls = 0;
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(("call", Interlocked.Increment(ref calls)));
            while (!current.ShouldStop && !current.ShouldPark)
            {
                await current.ScheduleAsync();
            }

            return 7;
        }, null, "style2012");
        await probe.ExpectMsgAsync(("call", 1));

        Assert.Equal(0, await thread.ParkAsync());
        Assert.Equal(KthreadState.Parked, (await thread.InfoAsync()).State);
        await thread.UnparkAsync();
        await probe.ExpectMsgAsync(("call", 2));
        Assert.Equal(7, await thread.StopAsync());
    }

    [Fact]
    public async Task Park_right_after_Run_parks_before_the_function_is_entered()
    {
        // kernel: kthread() runs __kthread_parkme() before threadfn, so a park that wins the
        // race with the first run parks a woken thread whose function has not begun.
        var probe = CreateTestProbe();
        var fnProbe = CreateTestProbe(); // the function's own messages race with the replies
        var thread = await Kthreads.CreateAsync(Parkable(fnProbe.Ref), null, "racepark");
        probe.Send(thread.Ref, WakeUp.Instance);
        probe.Send(thread.Ref, Park.Instance);
        await probe.ExpectMsgAsync(new Woken(true));
        await probe.ExpectMsgAsync(new ParkResult(0));

        // Either the function ran first and parked in ParkMeAsync, or it was parked before it ran.
        var exit = await thread.StopAsync();
        if (exit == 0)
        {
            await fnProbe.ExpectMsgAsync("entered");
            await fnProbe.ExpectMsgAsync("parking");
        }
        else
        {
            Assert.Equal(-Errno.EINTR, exit);
            await fnProbe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public async Task Park_of_a_parked_thread_replies_0_at_once()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(Parkable(probe.Ref), null, "twice");
        await probe.ExpectMsgAsync("entered");
        Assert.Equal(0, await thread.ParkAsync());

        // Seed 001 returns 0 for an already parked thread (kernels since 2018 return -EBUSY).
        Assert.Equal(0, await thread.ParkAsync());
        Assert.Equal(KthreadState.Parked, (await thread.InfoAsync()).State);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Park_of_an_exited_thread_replies_ENOSYS()
    {
        var thread = await Kthreads.RunAsync(_ => Task.FromResult(1), null, "exited");
        await AwaitStateAsync(thread, KthreadState.Zombie);

        Assert.Equal(-Errno.ENOSYS, await thread.ParkAsync());
        Assert.Equal(1, await thread.StopAsync());
    }

    [Fact]
    public async Task A_park_pending_when_the_thread_is_stopped_replies_ENOSYS()
    {
        var probe = CreateTestProbe();
        var finish = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = await Kthreads.RunAsync(async _ =>
        {
            probe.Tell("running");
            await finish.Task; // never looks at ShouldPark
            return 6;
        }, null, "ignores");
        await probe.ExpectMsgAsync("running");

        probe.Send(thread.Ref, Park.Instance);
        // Answered in mailbox order: once GetInfo is answered, the Park is waiting for the thread.
        probe.Send(thread.Ref, GetInfo.Instance);
        Assert.Equal(KthreadState.Running, (await probe.ExpectMsgAsync<KthreadInfo>()).State);
        probe.Send(thread.Ref, Stop.Instance);
        probe.Send(thread.Ref, GetInfo.Instance);
        await probe.ExpectMsgAsync<KthreadInfo>();
        finish.SetResult();

        // kthread_stop clears the park request; the thread exits instead of parking.
        await probe.ExpectMsgAsync(new ParkResult(-Errno.ENOSYS));
        await probe.ExpectMsgAsync(new Stopped(6));
    }

    [Fact]
    public async Task Park_right_after_Create_parks_without_running_the_function_and_Unpark_runs_it()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(Parkable(probe.Ref), null, "early");

        Assert.Equal(0, await thread.ParkAsync());
        Assert.Equal(KthreadState.Parked, (await thread.InfoAsync()).State);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        await thread.UnparkAsync();
        await probe.ExpectMsgAsync("entered");
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Unpark_clears_ShouldPark_and_resumes_the_thread()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(Parkable(probe.Ref), null, "resume");
        await probe.ExpectMsgAsync("entered");
        Assert.Equal(0, await thread.ParkAsync());
        await probe.ExpectMsgAsync("parking");

        var replies = CreateTestProbe(); // the function's own messages race with the reply
        replies.Send(thread.Ref, Unpark.Instance);
        await replies.ExpectMsgAsync(Unparked.Instance);
        var resumed = await probe.ExpectMsgAsync<(string, bool, int?)>();
        Assert.Equal("resumed", resumed.Item1);
        Assert.False(resumed.Item2);
        await AwaitAssertAsync(async () => Assert.NotEqual(KthreadState.Parked, (await thread.InfoAsync()).State));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Unpark_of_a_thread_that_is_not_parked_does_nothing()
    {
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(Parkable(probe.Ref), null, "notparked");
        await probe.ExpectMsgAsync("entered");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        await thread.UnparkAsync();
        Assert.Equal(KthreadState.Sleeping, (await thread.InfoAsync()).State);

        var fresh = await Kthreads.CreateAsync(Parkable(probe.Ref), null, "new");
        await fresh.UnparkAsync();
        Assert.Equal(KthreadState.New, (await fresh.InfoAsync()).State);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(-Errno.EINTR, await fresh.StopAsync());
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task Unpark_binds_a_per_cpu_thread_to_its_cpu_again_first()
    {
        var probe = CreateTestProbe();
        KthreadContext? seen = null;
        var thread = await Kthreads.CreateOnCpuAsync(async current =>
        {
            seen = current;
            return await Parkable(probe.Ref)(current);
        }, null, 2, "percpu/{0}");
        await thread.UnparkAsync();
        await probe.ExpectMsgAsync("entered");
        Assert.Equal(0, await thread.ParkAsync());
        await probe.ExpectMsgAsync("parking");

        // What a CPU going down does to it (issue 6): it loses its binding while parked.
        seen!.Bind(0);
        Assert.Equal(0, (await thread.InfoAsync()).Cpu);

        await thread.UnparkAsync();
        Assert.Equal(("resumed", false, (int?)2), await probe.ExpectMsgAsync<(string, bool, int?)>());
        Assert.Equal(2, (await thread.InfoAsync()).Cpu);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_park_asked_again_before_the_unparked_thread_runs_keeps_it_in_ParkMeAsync()
    {
        // kernel: __kthread_parkme() loops, so a park that races with the unpark parks the thread again before
        // kthread_parkme() returns to its caller.
        var probe = CreateTestProbe();
        var thread = await Kthreads.CreateAsync(Parkable(probe.Ref), null, "reparked");
        Assert.Equal(0, await thread.BindAsync(2));
        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync("entered");
        Assert.Equal(0, await thread.ParkAsync());
        await probe.ExpectMsgAsync("parking");

        // CPU 2 taken by a thread that holds it without a checkpoint until released: the unparked one queues for it.
        using var release = new ManualResetEventSlim();
        try
        {
            var hog = await Kthreads.CreateAsync(_ =>
            {
                probe.Tell("holding");
                release.Wait();
                return Task.FromResult(7);
            }, null, "hog");
            Assert.Equal(0, await hog.BindAsync(2));
            Assert.True(await hog.WakeUpAsync());
            await probe.ExpectMsgAsync("holding");

            await thread.UnparkAsync();
            var parker = CreateTestProbe();
            parker.Send(thread.Ref, Park.Instance);
            await thread.InfoAsync(); // behind the Park in the actor's mailbox: ShouldPark is set
            release.Set();
            await parker.ExpectMsgAsync(new ParkResult(0));
            Assert.Equal(KthreadState.Parked, (await thread.InfoAsync()).State);
            Assert.Equal(7, await hog.StopAsync());
        }
        finally
        {
            release.Set(); // never leave CPU 2's thread blocked, whatever failed above
        }

        // Still inside the first ParkMeAsync: what the function does next is return from it after this unpark.
        await thread.UnparkAsync();
        Assert.Equal(("resumed", false, (int?)2), await probe.ExpectMsgAsync<(string, bool, int?)>());
        Assert.Equal(0, await thread.StopAsync());
    }
}
