using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>struct completion: counting complete(), complete_all() until reinit, for kthreads and plain code.</summary>
public sealed class CompletionSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public void Complete_twice_lets_exactly_two_waits_through()
    {
        var done = new Completion();
        Assert.False(done.IsDone);
        Assert.False(done.TryWait());

        done.Complete();
        done.Complete();
        Assert.True(done.IsDone);
        Assert.True(done.TryWait());
        Assert.True(done.TryWait());
        Assert.False(done.TryWait());
        Assert.False(done.IsDone);
    }

    [Fact]
    public async Task CompleteAll_lets_every_later_wait_through_until_Reinit()
    {
        var done = new Completion();
        done.CompleteAll();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(done.TryWait());
            await done.WaitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }

        done.Reinit();
        Assert.False(done.IsDone);
        Assert.False(done.TryWait());
        var pending = done.WaitAsync();
        Assert.False(pending.IsCompleted);
        done.Complete();
        await pending.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_kthread_waits_off_its_cpu_and_each_complete_lets_one_waiter_through()
    {
        var done = new Completion();
        var probe = CreateTestProbe();
        var threads = new List<Kthread>();
        for (var i = 0; i < 2; i++)
        {
            var name = $"waiter{i}";
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                probe.Tell((name, await current.WaitForCompletionAsync(done)));
                return 0;
            }, null, name));
        }

        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Sleeping);
        }

        done.Complete();
        Assert.Equal(0, (await probe.ExpectMsgAsync<(string, int)>()).Item2);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        done.Complete();
        Assert.Equal(0, (await probe.ExpectMsgAsync<(string, int)>()).Item2);
        Assert.False(done.IsDone); // both counts taken
    }

    [Fact]
    public async Task WaitForCompletion_ends_with_EINTR_on_a_stop_and_takes_no_count()
    {
        var done = new Completion();
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(await current.WaitForCompletionAsync(done));
            return 3;
        }, null, "interrupted");
        await AwaitStateAsync(thread, KthreadState.Sleeping);

        Assert.Equal(3, await thread.StopAsync());
        await probe.ExpectMsgAsync(-Errno.EINTR);
        done.Complete();
        Assert.True(done.TryWait()); // the count is still there
    }

    [Fact]
    public async Task WaitForCompletionTimeout_returns_false_on_timeout_and_true_when_completed()
    {
        var done = new Completion();
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(("first", await current.WaitForCompletionTimeoutAsync(done, TimeSpan.FromMilliseconds(50))));
            probe.Tell(("second", await current.WaitForCompletionTimeoutAsync(done, TimeSpan.FromMinutes(5))));
            return 0;
        }, null, "timed");

        await probe.ExpectMsgAsync(("first", false));
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        done.Complete();
        await probe.ExpectMsgAsync(("second", true));
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task WaitForCompletionTimeout_with_an_infinite_timeout_waits_until_completed()
    {
        var done = new Completion();
        var probe = CreateTestProbe();
        var thread = await Kthreads.RunAsync(async current =>
        {
            probe.Tell(await current.WaitForCompletionTimeoutAsync(done, Timeout.InfiniteTimeSpan));
            return 0;
        }, null, "forever");

        await AwaitStateAsync(thread, KthreadState.Sleeping);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
        done.Complete();
        await probe.ExpectMsgAsync(true);
        Assert.Equal(0, await thread.StopAsync());
    }

    [Fact]
    public async Task A_cancelled_plain_waiter_passes_its_wake_up_on_so_none_is_lost()
    {
        var done = new Completion();
        using var cts = new CancellationTokenSource();
        var cancelled = done.WaitAsync(cts.Token);
        var other = done.WaitAsync();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        done.Complete();
        await other.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(done.IsDone);
    }

    [Fact]
    public async Task Many_completes_against_many_plain_and_kthread_waiters_let_exactly_that_many_through()
    {
        var done = new Completion();
        var through = 0;
        var plain = Enumerable.Range(0, 50).Select(async _ =>
        {
            await done.WaitAsync();
            Interlocked.Increment(ref through);
        }).ToList();
        var threads = new List<Kthread>();
        for (var i = 0; i < 50; i++)
        {
            threads.Add(await Kthreads.RunAsync(async current =>
            {
                if (await current.WaitForCompletionAsync(done) == 0)
                {
                    Interlocked.Increment(ref through);
                }

                return 0;
            }, null, $"k{i}"));
        }

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(done.Complete)));
        await Task.WhenAll(plain).WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var thread in threads)
        {
            await AwaitStateAsync(thread, KthreadState.Zombie);
        }

        Assert.Equal(100, Volatile.Read(ref through));
        Assert.False(done.IsDone);
    }
}
