using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.KthreaddProtocol;

namespace Akka.Kthreads.Tests;

/// <summary>
/// DESIGN §3: bad arguments throw ArgumentException at the door, before any message is sent; kthreadd
/// checks a Create sent by hand itself (-EINVAL) and refuses past max-threads (-EAGAIN).
/// </summary>
public sealed class DoorSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static readonly ThreadFn Returns0 = _ => Task.FromResult(0);

    // The facade's bad calls (SpecBase: cpus.possible = 4), with the exception type and the parameter named.
    private static readonly Dictionary<string, (Type Thrown, string Param, Func<Kthreads, Task> Call)> BadCalls = new()
    {
        ["CreateAsync with a null function"] = (typeof(ArgumentNullException), "fn", k => k.CreateAsync(null!, null, "x")),
        ["CreateAsync with a null name"] = (typeof(ArgumentNullException), "name", k => k.CreateAsync(Returns0, null, null!)),
        ["CreateAsync with an empty name"] = (typeof(ArgumentException), "name", k => k.CreateAsync(Returns0, null, "")),
        ["CreateAsync with a blank name"] = (typeof(ArgumentException), "name", k => k.CreateAsync(Returns0, null, " \t ")),
        ["RunAsync with a null function"] = (typeof(ArgumentNullException), "fn", k => k.RunAsync(null!, null, "x")),
        ["RunAsync with a null name"] = (typeof(ArgumentNullException), "name", k => k.RunAsync(Returns0, null, null!)),
        ["RunAsync with an empty name"] = (typeof(ArgumentException), "name", k => k.RunAsync(Returns0, null, "")),
        ["RunAsync with a blank name"] = (typeof(ArgumentException), "name", k => k.RunAsync(Returns0, null, "   ")),
        ["CreateOnCpuAsync with a null function"] = (typeof(ArgumentNullException), "fn", k => k.CreateOnCpuAsync(null!, null, 0, "w/{0}")),
        ["CreateOnCpuAsync with an empty format"] = (typeof(ArgumentException), "nameFormat", k => k.CreateOnCpuAsync(Returns0, null, 0, "")),
        ["CreateOnCpuAsync with a blank format"] = (typeof(ArgumentException), "nameFormat", k => k.CreateOnCpuAsync(Returns0, null, 0, "  ")),
        ["CreateOnCpuAsync with cpu -1"] = (typeof(ArgumentOutOfRangeException), "cpu", k => k.CreateOnCpuAsync(Returns0, null, -1, "w/{0}")),
        ["CreateOnCpuAsync with cpu == Possible.Count"] = (typeof(ArgumentOutOfRangeException), "cpu", k => k.CreateOnCpuAsync(Returns0, null, k.Cpus.Possible.Count, "w/{0}")),
        ["CreateOnCpuAsync with cpu int.MaxValue"] = (typeof(ArgumentOutOfRangeException), "cpu", k => k.CreateOnCpuAsync(Returns0, null, int.MaxValue, "w/{0}")),
        ["CreateOnCpuAsync with format kworker/{1}"] = (typeof(ArgumentException), "nameFormat", k => k.CreateOnCpuAsync(Returns0, null, 1, "kworker/{1}")),
        ["CreateOnCpuAsync with format x{"] = (typeof(ArgumentException), "nameFormat", k => k.CreateOnCpuAsync(Returns0, null, 1, "x{")),
        ["CreateOnCpuAsync with format x}"] = (typeof(ArgumentException), "nameFormat", k => k.CreateOnCpuAsync(Returns0, null, 1, "x}")),
    };

    // Creates kthreadd must refuse itself when they come by hand, past the facade's checks.
    private static readonly Dictionary<string, Create> BadCreates = new()
    {
        ["a null function"] = new Create(null!, null, "x"),
        ["a null name"] = new Create(Returns0, null, null!),
        ["an empty name"] = new Create(Returns0, null, ""),
        ["a blank name"] = new Create(Returns0, null, "  "),
        ["cpu -1"] = new Create(Returns0, null, "x", -1),
        ["cpu == Possible.Count"] = new Create(Returns0, null, "x", 4),
        ["per-CPU cpu -1"] = new Create(Returns0, null, "x/{0}", -1, PerCpu: true),
        ["per-CPU without a cpu"] = new Create(Returns0, null, "x/{0}", null, PerCpu: true),
        ["per-CPU with format x{"] = new Create(Returns0, null, "x{", 0, PerCpu: true),
        ["per-CPU with format kworker/{1}"] = new Create(Returns0, null, "kworker/{1}", 1, PerCpu: true),
    };

    public static TheoryData<string> BadCallNames() => new(BadCalls.Keys);

    public static TheoryData<string> BadCreateNames() => new(BadCreates.Keys);

    [Theory]
    [MemberData(nameof(BadCallNames))]
    public async Task A_bad_argument_throws_ArgumentException_and_makes_no_thread(string call)
    {
        var (thrown, param, bad) = BadCalls[call];

        var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => bad(Kthreads));

        Assert.IsAssignableFrom(thrown, e);
        Assert.Equal(param, e.ParamName);
        // No thread, no pid used: pids are consecutive from 3 in a fresh system.
        Assert.Empty(await Kthreads.ListAsync());
        var next = await Kthreads.CreateAsync(Returns0, null, "next");
        Assert.Equal(3, next.Pid);
    }

    [Fact]
    public async Task Bad_arguments_send_nothing_to_kthreadd()
    {
        // A dead kthreadd turns every message sent to it into a DeadLetter we can see.
        var kthreadd = Kthreads.Kthreadd;
        Watch(kthreadd);
        Sys.Stop(kthreadd);
        await ExpectTerminatedAsync(kthreadd);
        var letters = CreateTestProbe();
        Sys.EventStream.Subscribe(letters.Ref, typeof(DeadLetter));

        foreach (var (thrown, _, bad) in BadCalls.Values)
        {
            var e = await Assert.ThrowsAnyAsync<ArgumentException>(() => bad(Kthreads));
            Assert.IsAssignableFrom(thrown, e);
        }

        // Anything a bad call had sent would be ahead of this marker.
        kthreadd.Tell("marker", letters.Ref);
        Assert.Equal("marker", (await FirstLetterToAsync(letters, kthreadd)).Message);

        // The control: a good create does send, so the marker above proves something.
        using var giveUp = new CancellationTokenSource();
        var good = Kthreads.CreateAsync(Returns0, null, "good", giveUp.Token);
        Assert.IsType<Create>((await FirstLetterToAsync(letters, kthreadd)).Message);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => good);
    }

    [Fact]
    public async Task Bind_to_a_cpu_outside_Possible_throws_ArgumentOutOfRangeException_before_sending()
    {
        var thread = await Kthreads.CreateAsync(Returns0, null, "bind-door");

        var low = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => thread.BindAsync(-1));
        var high = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => thread.BindAsync(Kthreads.Cpus.Possible.Count));
        Assert.Equal("cpu", low.ParamName);
        Assert.Equal("cpu", high.ParamName);

        // Still never woken and unbound: a bind inside Possible works.
        Assert.Null((await thread.InfoAsync()).Cpu);
        Assert.Equal(0, await thread.BindAsync(3));
        Assert.Equal(3, (await thread.InfoAsync()).Cpu);
        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
    }

    [Fact]
    public async Task Bind_outside_Possible_sends_nothing_to_the_thread()
    {
        // A reaped thread turns every message sent to it into a DeadLetter we can see.
        var thread = await Kthreads.CreateAsync(Returns0, null, "bind-gone");
        Watch(thread.Ref);
        Assert.Equal(-Errno.EINTR, await thread.StopAsync());
        await ExpectTerminatedAsync(thread.Ref);
        var letters = CreateTestProbe();
        Sys.EventStream.Subscribe(letters.Ref, typeof(DeadLetter));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => thread.BindAsync(-1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => thread.BindAsync(Kthreads.Cpus.Possible.Count));
        thread.Ref.Tell("marker", letters.Ref);
        Assert.Equal("marker", (await FirstLetterToAsync(letters, thread.Ref)).Message);

        // The control: a bind inside Possible is sent (and answered as a gone thread).
        Assert.Equal(-Errno.ESRCH, await thread.BindAsync(0));
        Assert.Equal(new KthreadProtocol.Bind(0), (await FirstLetterToAsync(letters, thread.Ref)).Message);
    }

    [Fact]
    public async Task ScheduleTimeoutAsync_with_a_negative_timeout_throws_before_sleeping()
    {
        var probe = CreateTestProbe();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TimeSpan[] negatives = [TimeSpan.FromMilliseconds(-2), TimeSpan.FromDays(-1), TimeSpan.MinValue];
        var thread = await Kthreads.RunAsync(async current =>
        {
            foreach (var timeout in negatives)
            {
                try
                {
                    await current.ScheduleTimeoutAsync(timeout);
                    probe.Tell($"slept {timeout}");
                }
                catch (Exception e)
                {
                    probe.Tell(e);
                }
            }

            probe.Tell("checked");
            await gate.Task; // not a checkpoint: the thread stays Running here
            var woken = await current.ScheduleTimeoutAsync(Timeout.InfiniteTimeSpan);
            probe.Tell(("infinite", woken));
            return 17;
        }, null, "neg-sleep");

        foreach (var _ in negatives)
        {
            var e = await probe.ExpectMsgAsync<ArgumentException>();
            Assert.Equal("timeout", e.ParamName);
        }

        await probe.ExpectMsgAsync("checked");
        // A Sleep sent to the thread's actor would be ahead of this GetInfo and show as Sleeping.
        Assert.Equal(KthreadState.Running, (await thread.InfoAsync()).State);

        // Infinite (-1 ms) is not negative: it sleeps until woken.
        gate.SetResult();
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.True(await thread.WakeUpAsync());
        await probe.ExpectMsgAsync(("infinite", true));
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(17, await thread.StopAsync());
    }

    [Theory]
    [MemberData(nameof(BadCreateNames))]
    public async Task Kthreadd_refuses_a_bad_Create_sent_by_hand_with_EINVAL_and_serves_the_next(string create)
    {
        var probe = CreateTestProbe();

        probe.Send(Kthreads.Kthreadd, BadCreates[create]);
        var failed = await probe.ExpectMsgAsync<CreateFailed>();

        Assert.Equal(-Errno.EINVAL, failed.Errno);
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
        probe.Send(Kthreads.Kthreadd, new Create(Returns0, null, "next"));
        var next = (await probe.ExpectMsgAsync<Created>()).Thread;
        Assert.Equal(3, next.Pid);
        probe.Send(Kthreads.Kthreadd, List.Instance);
        Assert.Equal([3], (await probe.ExpectMsgAsync<KthreadList>()).Threads.Select(t => t.Pid));
    }

    private static async Task<DeadLetter> FirstLetterToAsync(Akka.TestKit.TestProbe letters, IActorRef recipient) =>
        await letters.FishForMessageAsync<DeadLetter>(d => d.Recipient.Equals(recipient));

    /// <summary>kthreads.max-threads = 2: the third create is refused with -EAGAIN until one is reaped.</summary>
    public sealed class AtMaxThreads(ITestOutputHelper output)
        : SpecBase(output, ConfigurationFactory.ParseString("kthreads.max-threads = 2"))
    {
        [Fact]
        public async Task The_third_create_replies_EAGAIN_until_one_is_stopped()
        {
            var probe = CreateTestProbe();
            var started = CreateTestProbe();
            var first = await Kthreads.CreateAsync(Returns0, null, "one");
            var second = await Kthreads.RunAsync(SleepUntilStopped(started.Ref, 2), null, "two");
            await started.ExpectMsgAsync(("started", second.Pid));

            probe.Send(Kthreads.Kthreadd, new Create(Returns0, null, "three"));
            var failed = await probe.ExpectMsgAsync<CreateFailed>();
            Assert.Equal(-Errno.EAGAIN, failed.Errno);
            Assert.Contains("2", failed.Reason, StringComparison.Ordinal);

            var e = await Assert.ThrowsAsync<KthreadCreateException>(() => Kthreads.CreateAsync(Returns0, null, "three"));
            Assert.Equal(-Errno.EAGAIN, e.Errno);
            await Assert.ThrowsAsync<KthreadCreateException>(() => Kthreads.RunAsync(Returns0, null, "three"));
            await Assert.ThrowsAsync<KthreadCreateException>(() => Kthreads.CreateOnCpuAsync(Returns0, null, 0, "three/{0}"));
            Assert.Equal([first.Pid, second.Pid], (await Kthreads.ListAsync()).Select(t => t.Pid));

            // Once the stopped thread's actor is gone its slot is free (the spec below pins the
            // stronger promise: free as soon as Stop replies).
            Watch(first.Ref);
            Assert.Equal(-Errno.EINTR, await first.StopAsync());
            await ExpectTerminatedAsync(first.Ref);
            var third = await Kthreads.CreateAsync(Returns0, null, "three");
            Assert.Equal(second.Pid + 1, third.Pid); // refused creates used no pid

            Assert.Equal(2, await second.StopAsync());
            Assert.Equal(-Errno.EINTR, await third.StopAsync());
        }

        [Fact]
        public async Task A_stopped_threads_slot_is_free_as_soon_as_Stop_replies()
        {
            // Stopped means reaped (KthreadProtocol.Stopped), and max-threads counts live threads and
            // zombies only: a create right after the reply must never see -EAGAIN. One slot is held,
            // the other cycles through threads stopped never woken, asleep, and returned (zombie).
            // The race this pins down shows about once in a few hundred to a few thousand cycles.
            const int Cycles = 15000;
            var started = CreateTestProbe();
            var held = await Kthreads.RunAsync(SleepUntilStopped(started.Ref, 2), null, "held");
            await started.ExpectMsgAsync(("started", held.Pid));
            ThreadFn sleeper = async current =>
            {
                while (!current.ShouldStop)
                {
                    await current.ScheduleAsync();
                }

                return 0;
            };
            Func<int, Task<Kthread>> make = i => (i % 3) switch
            {
                0 => Kthreads.CreateAsync(sleeper, null, "cycle"),
                1 => Kthreads.RunAsync(sleeper, null, "cycle"),
                _ => Kthreads.RunAsync(Returns0, null, "cycle"),
            };

            var refused = new List<int>();
            var thread = await make(0);
            for (var i = 1; i <= Cycles; i++)
            {
                await thread.StopAsync();
                try
                {
                    thread = await make(i);
                }
                catch (KthreadCreateException e) when (e.Errno == -Errno.EAGAIN)
                {
                    refused.Add(i);
                    var again = i;
                    await AwaitAssertAsync(async () => thread = await make(again));
                }
            }

            Assert.True(refused.Count == 0,
                $"{refused.Count} of {Cycles} creates right after a Stop reply were refused with -EAGAIN (cycles {string.Join(", ", refused.Take(10))})");
            Assert.Equal(2, await held.StopAsync());
        }
    }
}
