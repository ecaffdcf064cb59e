using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>
/// The PrepareToSleep idiom under wake-ups that land anywhere around the sleep: from plain code, through the actor
/// (WakeUpAsync), and from another kthread's CPU thread, each after a random spin. A lost wake-up leaves the sleeper
/// asleep and the round times out; every path of try_to_wake_up (a held-back note, a prepared state taken on the way
/// to sleep, a sleep the actor knows of) is met many times over.
/// </summary>
public abstract class WakeUpRaceSpecBase(ITestOutputHelper output, Config config) : SpecBase(output, config)
{
    private const int Rounds = 600;

    private enum Waker
    {
        Caller,
        Actor,
        Kthread,
    }

    [Fact]
    public async Task No_wake_up_is_lost_wherever_it_lands_around_the_sleep()
    {
        var probe = CreateTestProbe();
        var posted = 0;
        var sleeper = await Kthreads.RunAsync(async current =>
        {
            var seen = 0;
            while (!current.ShouldStop)
            {
                current.PrepareToSleep();
                if (Volatile.Read(ref posted) == seen)
                {
                    await current.ScheduleAsync();
                }

                current.SetRunning();
                var now = Volatile.Read(ref posted);
                if (now != seen)
                {
                    seen = now;
                    probe.Ref.Tell(seen, ActorRefs.NoSender);
                }
            }

            return 0;
        }, null, "sleeper");

        // Another kthread that wakes the sleeper from its own CPU thread each time it is completed.
        var relay = new Completion();
        var relayer = await Kthreads.RunAsync(async current =>
        {
            while (await current.WaitForCompletionAsync(relay) == 0 && !current.ShouldStop)
            {
                sleeper.WakeUpProcess();
            }

            return 0;
        }, null, "relayer");

        var random = new Random(12);
        for (var round = 1; round <= Rounds; round++)
        {
            var waker = (Waker)random.Next(3);
            var spin = random.Next(0, 2000);
            Interlocked.Increment(ref posted);
            Thread.SpinWait(spin);
            switch (waker)
            {
                case Waker.Caller:
                    sleeper.WakeUpProcess();
                    break;
                case Waker.Actor:
                    await sleeper.WakeUpAsync();
                    break;
                default:
                    relay.Complete();
                    break;
            }

            // Seen once (a later round never comes before this one is seen).
            await probe.ExpectMsgAsync(round);
        }

        // Afterwards ps and WakeUp agree that the thread sleeps, and a wake-up through the actor still runs it.
        await AwaitStateAsync(sleeper, KthreadState.Sleeping);
        Assert.Equal('S', await PsStatAsync(sleeper));
        Interlocked.Increment(ref posted);
        Assert.True(await sleeper.WakeUpAsync());
        await probe.ExpectMsgAsync(Rounds + 1);

        Assert.Equal(0, await sleeper.StopAsync());
        Assert.Equal(0, await relayer.StopAsync());
    }
}

/// <summary>With the default idle poll (50 µs): most sleeps are still held back when the wake-up comes.</summary>
public sealed class WakeUpRaceSpec(ITestOutputHelper output) : WakeUpRaceSpecBase(output, ConfigurationFactory.Empty);

/// <summary>With no idle poll: every sleep goes to the actor at once, so the wake-ups meet the sleeps the actor knows of.</summary>
public sealed class WakeUpRaceWithoutPollSpec(ITestOutputHelper output)
    : WakeUpRaceSpecBase(output, ConfigurationFactory.ParseString("kthreads.cpus.idle-poll = 0"));
