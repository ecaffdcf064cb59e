using System.Diagnostics;
using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Timers;

/// <summary>struct timer_list: timer_setup, mod_timer, add_timer, del_timer, del_timer_sync, timer_pending.</summary>
public sealed class KernelTimerSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static readonly TimeSpan Far = TimeSpan.FromMinutes(5); // armed for the whole spec: never fires

    [Fact]
    public async Task ModTimer_returns_0_if_inactive_and_1_if_pending_and_DelTimer_likewise()
    {
        var probe = CreateTestProbe();
        using var timer = Kthreads.TimerSetup(_ => probe.Tell("fired"));

        Assert.False(timer.IsPending); // timer_setup: initialised, not pending
        Assert.Equal(0, timer.ModTimer(Far));
        Assert.True(timer.IsPending);
        Assert.Equal(1, timer.ModTimer(Far));
        Assert.True(timer.IsPending);
        Assert.Equal(1, timer.DelTimer());
        Assert.False(timer.IsPending);
        Assert.Equal(0, timer.DelTimer());
        Assert.Equal(0, await timer.DelTimerSyncAsync());

        timer.AddTimer(Far);
        Assert.True(timer.IsPending);
        Assert.Equal(1, await timer.DelTimerSyncAsync());
        Assert.False(timer.IsPending);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_callback_runs_once_per_arming_and_ModTimer_after_it_fired_re_arms_it()
    {
        var probe = CreateTestProbe();
        var fired = 0;
        using var timer = Kthreads.TimerSetup(_ => probe.Tell(Interlocked.Increment(ref fired)));

        Assert.Equal(0, timer.ModTimer(TimeSpan.FromMilliseconds(20)));
        await probe.ExpectMsgAsync(1);
        await AwaitAssertAsync(() => Assert.False(timer.IsPending));

        // Fired: inactive again, so the next mod_timer returns 0 and arms it anew.
        Assert.Equal(0, timer.ModTimer(TimeSpan.Zero));
        await probe.ExpectMsgAsync(2);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(2, Volatile.Read(ref fired));
        Assert.False(timer.IsPending);
    }

    [Fact]
    public async Task A_timer_never_fires_before_its_expiry()
    {
        // jiffies + delay is a lower bound (a late firing is only noise, an early one a bug): kjournald2 relies
        // on it, going back to sleep if woken before its transaction expired.
        var probe = CreateTestProbe();
        long armedAt = 0;
        using var timer = Kthreads.TimerSetup(_ => probe.Tell(Stopwatch.GetElapsedTime(Volatile.Read(ref armedAt))));
        for (var i = 0; i < 30; i++)
        {
            var delay = TimeSpan.FromMilliseconds(5 + i);
            Volatile.Write(ref armedAt, Stopwatch.GetTimestamp());
            timer.ModTimer(delay);
            var elapsed = await probe.ExpectMsgAsync<TimeSpan>();
            Assert.True(elapsed >= delay, $"armed for {delay.TotalMilliseconds} ms, fired after {elapsed.TotalMilliseconds} ms");
        }
    }

    [Fact]
    public async Task DelTimer_does_not_wait_for_a_running_callback_and_DelTimerSync_does()
    {
        var probe = CreateTestProbe();
        using var gate = new ManualResetEventSlim();
        var returned = 0;
        using var timer = Kthreads.TimerSetup(_ =>
        {
            probe.Tell("entered");
            gate.Wait(TimeSpan.FromSeconds(30));
            Volatile.Write(ref returned, 1);
        });

        timer.ModTimer(TimeSpan.Zero);
        await probe.ExpectMsgAsync("entered");

        // Running, so no longer pending: del_timer returns 0 at once, the callback still blocked.
        Assert.False(timer.IsPending);
        Assert.Equal(0, timer.DelTimer());
        Assert.Equal(0, Volatile.Read(ref returned));

        var sync = timer.DelTimerSyncAsync();
        Assert.False(sync.IsCompleted); // the callback is blocked on the gate: del_timer_sync must wait

        gate.Set();
        Assert.Equal(0, await sync);
        Assert.Equal(1, Volatile.Read(ref returned)); // it returned only after the callback did
    }

    [Fact]
    public async Task DelTimerSync_of_a_timer_re_armed_while_its_callback_runs_returns_1_and_the_new_arming_never_fires()
    {
        var probe = CreateTestProbe();
        using var gate = new ManualResetEventSlim();
        var fired = 0;
        using var timer = Kthreads.TimerSetup(_ =>
        {
            probe.Tell(Interlocked.Increment(ref fired));
            gate.Wait(TimeSpan.FromSeconds(30));
        });

        timer.ModTimer(TimeSpan.Zero);
        await probe.ExpectMsgAsync(1);

        // Re-armed to fire at once while the callback runs: this firing waits its turn (one callback at a time).
        Assert.Equal(0, timer.ModTimer(TimeSpan.Zero));
        Assert.True(timer.IsPending);
        var sync = timer.DelTimerSyncAsync();
        Assert.False(timer.IsPending);
        Assert.False(sync.IsCompleted);

        gate.Set();
        Assert.Equal(1, await sync);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // the stale firing did nothing
        Assert.Equal(1, Volatile.Read(ref fired));
    }

    [Fact]
    public async Task Every_arming_either_fires_once_or_is_deleted_over_2000_mixed_operations()
    {
        // Firings made stale by a re-arm or a delete while already on their way to the pool must do nothing:
        // then each arming ends exactly once, by its callback or by an operation that returned 1.
        var fired = 0;
        using var timer = Kthreads.TimerSetup(_ => Interlocked.Increment(ref fired));
        var armings = 0;
        var detached = 0;
        var random = new Random(17);
        for (var i = 0; i < 2000; i++)
        {
            switch (random.Next(3))
            {
                case 0:
                    detached += timer.ModTimer(TimeSpan.Zero);
                    armings++;
                    break;
                case 1:
                    detached += timer.ModTimer(TimeSpan.FromMilliseconds(random.Next(1, 5)));
                    armings++;
                    break;
                default:
                    detached += timer.DelTimer();
                    break;
            }

            if (i % 100 == 99)
            {
                await Task.Yield(); // let the pool run some callbacks between operations
            }
        }

        detached += await timer.DelTimerSyncAsync();

        // Nothing pending, nothing running: the count is final.
        Assert.Equal(armings - detached, Volatile.Read(ref fired));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(armings - detached, Volatile.Read(ref fired));
        Assert.True(detached > 0 && armings - detached > 0, $"{armings} armings, {detached} detached: the mix raced nothing");
    }

    [Fact]
    public async Task A_throwing_callback_is_an_oops_that_is_logged_and_leaves_the_timer_usable()
    {
        var probe = CreateTestProbe();
        var calls = 0;
        using var timer = Kthreads.TimerSetup(_ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("BUG: unable to handle page fault");
            }

            probe.Tell("fired again");
        });

        await EventFilter.Exception<InvalidOperationException>(contains: "oops: timer function")
            .ExpectOneAsync(() =>
            {
                timer.ModTimer(TimeSpan.Zero);
                return Task.CompletedTask;
            });

        Assert.False(timer.IsPending);
        Assert.Equal(0, timer.ModTimer(TimeSpan.Zero));
        await probe.ExpectMsgAsync("fired again");
        Assert.Equal(0, await timer.DelTimerSyncAsync());
    }

    [Fact]
    public async Task DelTimerSync_from_the_timers_own_callback_throws_instead_of_waiting_for_itself()
    {
        var probe = CreateTestProbe();
        KernelTimer? timer = null;
        timer = Kthreads.TimerSetup(self =>
        {
            try
            {
                _ = self.DelTimerSyncAsync();
                probe.Tell("returned");
            }
            catch (InvalidOperationException)
            {
                probe.Tell("refused");
            }

            probe.Tell(self.DelTimer()); // del_timer is fine there: 0, nothing pending
        });

        timer.ModTimer(TimeSpan.Zero);
        await probe.ExpectMsgAsync("refused");
        await probe.ExpectMsgAsync(0);
        Assert.Equal(0, await timer.DelTimerSyncAsync()); // from outside it works
        timer.Dispose();
    }

    [Fact]
    public void Bad_arguments_are_refused_at_the_door_and_leave_the_timer_inactive()
    {
        Assert.Throws<ArgumentNullException>(() => Kthreads.TimerSetup(null!));

        using var timer = Kthreads.TimerSetup(_ => { });
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.ModTimer(TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.AddTimer(TimeSpan.FromSeconds(-1)));
        Assert.False(timer.IsPending);

        timer.AddTimer(Far);
        Assert.Throws<InvalidOperationException>(() => timer.AddTimer(Far)); // add_timer of a pending timer
        Assert.True(timer.IsPending);
        Assert.Equal(1, timer.DelTimer());
    }

    [Fact]
    public async Task Arming_a_timer_of_a_terminated_system_throws_and_leaves_it_inactive()
    {
        var other = ActorSystem.Create("timers-down", Sys.Settings.Config);
        var timer = Kthreads.Get(other).TimerSetup(_ => { });
        await other.Terminate();

        Assert.Throws<SchedulerException>(() => timer.ModTimer(TimeSpan.FromSeconds(1)));
        Assert.False(timer.IsPending);
        Assert.Equal(0, timer.DelTimer());
    }

    [Fact]
    public async Task A_disposed_timer_is_shut_down_and_ignores_later_arming()
    {
        var probe = CreateTestProbe();
        var timer = Kthreads.TimerSetup(_ => probe.Tell("fired"));
        Assert.Equal(0, timer.ModTimer(TimeSpan.FromMilliseconds(50)));

        timer.Dispose(); // timer_shutdown
        Assert.False(timer.IsPending);
        Assert.Equal(0, timer.ModTimer(TimeSpan.Zero));
        Assert.False(timer.IsPending);
        await probe.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
