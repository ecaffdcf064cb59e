using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>
/// The facade's ask of a local actor (no temp actor): the reply, a bound, the caller's token, a failure and a
/// wrong reply each end the call as Akka's Ask would, and every ask is a sender of its own.
/// </summary>
public sealed class LocalReplySpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task The_reply_completes_the_call()
    {
        var probe = CreateTestProbe();
        var asked = probe.Ref.AskAsync<int>("question", TimeSpan.FromSeconds(5), CancellationToken.None);

        await probe.ExpectMsgAsync("question");
        probe.LastSender.Tell(42);
        Assert.Equal(42, await asked);
    }

    [Fact]
    public async Task No_reply_within_the_bound_is_a_TimeoutException_naming_message_and_target()
    {
        var probe = CreateTestProbe();

        var e = await Assert.ThrowsAsync<TimeoutException>(() => probe.Ref.AskAsync<int>("question", TimeSpan.FromMilliseconds(200), CancellationToken.None));

        Assert.Equal($"String to {probe.Ref.Path} got no reply within {TimeSpan.FromMilliseconds(200)} (kthreads.ask-timeout)", e.Message);
        // A reply after the bound changes nothing and throws nothing.
        await probe.ExpectMsgAsync("question");
        probe.LastSender.Tell(42);
    }

    [Fact]
    public async Task The_callers_token_cancels_the_wait_and_a_cancelled_token_sends_nothing()
    {
        var probe = CreateTestProbe();
        using var cts = new CancellationTokenSource();
        var asked = probe.Ref.AskAsync<int>("question", TimeSpan.FromSeconds(30), cts.Token);
        await probe.ExpectMsgAsync("question");

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => asked);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.Ref.AskAsync<int>("again", TimeSpan.FromSeconds(30), cts.Token));
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_Status_Failure_throws_its_cause_and_a_reply_of_another_type_is_an_InvalidCastException()
    {
        var probe = CreateTestProbe();
        var failed = probe.Ref.AskAsync<int>("fail", TimeSpan.FromSeconds(5), CancellationToken.None);
        var wrong = probe.Ref.AskAsync<int>("wrong", TimeSpan.FromSeconds(5), CancellationToken.None);

        await probe.ExpectMsgAsync("fail");
        probe.LastSender.Tell(new Status.Failure(new InvalidOperationException("because")));
        await probe.ExpectMsgAsync("wrong");
        probe.LastSender.Tell("not an int");

        Assert.Equal("because", (await Assert.ThrowsAsync<InvalidOperationException>(() => failed)).Message);
        await Assert.ThrowsAsync<InvalidCastException>(() => wrong);
    }

    [Fact]
    public async Task A_value_taker_completes_the_call_with_the_value_inside_a_reply_of_another_type()
    {
        var probe = CreateTestProbe();
        var asked = LocalReply<int>.Ask((IInternalActorRef)probe.Ref, "question", TimeSpan.FromSeconds(5), CancellationToken.None,
            value: static (object reply, out int value) => int.TryParse(reply as string, out value));

        await probe.ExpectMsgAsync("question");
        probe.LastSender.Tell("42");
        Assert.Equal(42, await asked);
    }

    [Fact]
    public async Task The_given_up_hook_runs_on_timeout_and_on_cancel_but_not_for_an_answered_call()
    {
        var probe = CreateTestProbe();
        var givenUp = 0;
        using var cts = new CancellationTokenSource();
        var timedOut = LocalReply<int>.Ask((IInternalActorRef)probe.Ref, "slow", TimeSpan.FromMilliseconds(200), CancellationToken.None, () => Interlocked.Increment(ref givenUp));
        var cancelled = LocalReply<int>.Ask((IInternalActorRef)probe.Ref, "cancelled", TimeSpan.FromSeconds(30), cts.Token, () => Interlocked.Increment(ref givenUp));
        var answered = LocalReply<int>.Ask((IInternalActorRef)probe.Ref, "answered", TimeSpan.FromSeconds(30), CancellationToken.None, () => Interlocked.Increment(ref givenUp));
        await probe.ExpectMsgAsync("slow");
        var slow = probe.LastSender;
        await probe.ExpectMsgAsync("cancelled");
        await probe.ExpectMsgAsync("answered");
        probe.LastSender.Tell(7);

        await Assert.ThrowsAsync<TimeoutException>(() => timedOut);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(7, await answered);
        slow.Tell(1); // a late reply: the call has ended, the hook does not run again
        // The timed-out call's hook runs on the timer's thread just after its exception is set.
        await AwaitAssertAsync(() => Assert.Equal(2, Volatile.Read(ref givenUp)));
    }

    [Fact]
    public async Task Each_ask_is_a_sender_of_its_own_and_its_caller_goes_on_off_the_replying_thread()
    {
        var probe = CreateTestProbe();
        var first = probe.Ref.AskAsync<int>(1, TimeSpan.FromSeconds(5), CancellationToken.None);
        var second = probe.Ref.AskAsync<int>(2, TimeSpan.FromSeconds(5), CancellationToken.None);
        await probe.ExpectMsgAsync(1);
        var one = probe.LastSender;
        await probe.ExpectMsgAsync(2);
        var two = probe.LastSender;
        Assert.NotEqual(one, two);
        Assert.Equal(2, new HashSet<IActorRef> { one, two }.Count);

        // The caller's continuation must not run inside the Tell of the one who replies (an actor, in the library).
        using var inTell = new ThreadLocal<bool>();
        var sawTell = first.ContinueWith(_ => inTell.Value, TaskContinuationOptions.ExecuteSynchronously);
        two.Tell(20);
        inTell.Value = true;
        one.Tell(10);
        inTell.Value = false;
        Assert.Equal((10, 20), (await first, await second));
        Assert.False(await sawTell, "the caller went on inside the replier's Tell");
    }
}
