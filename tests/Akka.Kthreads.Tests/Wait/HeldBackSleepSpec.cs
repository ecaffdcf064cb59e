using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>
/// try_to_wake_up from the waker: a kthread's Sleep is held back on its CPU's thread until that thread has
/// other work or goes idle, and a wake-up that comes first ends the sleep with no message to the actor.
/// </summary>
public sealed class HeldBackSleepSpec(ITestOutputHelper output) : SpecBase(output)
{
    private static SleepNote Note(IActorRef actor, bool uninterruptible = false) =>
        new(actor, new Sleep(new TaskCompletionSource<bool>(), null, 0, uninterruptible));

    private static Task<T> OnThread<T>(CpuThread cpu, Func<T> run)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(cpu.TryPost(_ => done.SetResult(run()), null));
        return done.Task;
    }

    // A CPU thread of its own and a note for a probe standing in for the kthread's actor.
    private async Task WithCpuThreadAsync(Func<CpuThread, SleepNote, Akka.TestKit.TestProbe, Task> test)
    {
        var actor = CreateTestProbe();
        var cpu = new CpuThread(-1, static e => throw e, HaltPoll.Fixed(CpuThread.DefaultIdlePoll));
        try
        {
            await test(cpu, Note(actor.Ref), actor);
        }
        finally
        {
            cpu.Close();
        }
    }

    [Fact]
    public Task A_held_back_Sleep_reaches_the_actor_before_the_cpu_threads_next_work_runs() =>
        WithCpuThreadAsync(async (cpu, note, actor) =>
        {
            var cancelledByNextWork = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            Assert.True(cpu.TryPost(_ =>
            {
                CpuThread.HoldBack(note);
                cpu.TryPost(_ => cancelledByNextWork.SetResult(note.TryCancel()), null);
            }, null));

            // Too late to cancel: it went out before the next work item ran.
            Assert.False(await cancelledByNextWork.Task);
            Assert.Same(note.Sleep, await actor.ExpectMsgAsync<Sleep>());
        });

    [Fact]
    public Task A_held_back_Sleep_reaches_the_actor_once_the_cpu_thread_has_nothing_else_to_do() =>
        WithCpuThreadAsync(async (cpu, note, actor) =>
        {
            await OnThread(cpu, () =>
            {
                CpuThread.HoldBack(note);
                return 0;
            });

            Assert.Same(note.Sleep, await actor.ExpectMsgAsync<Sleep>());
        });

    [Fact]
    public Task A_held_back_Sleep_that_a_waker_ended_never_reaches_the_actor() =>
        WithCpuThreadAsync(async (cpu, note, actor) =>
        {
            Assert.True(await OnThread(cpu, () =>
            {
                CpuThread.HoldBack(note);
                return note.TryCancel();
            }));

            // Work that runs after it, and the thread going idle after that, send nothing.
            Assert.Equal(1, await OnThread(cpu, () => 1));
            await actor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        });

    [Fact]
    public async Task A_stop_or_park_request_ends_a_held_back_interruptible_sleep_but_not_an_uninterruptible_one()
    {
        var actor = CreateTestProbe();
        Assert.True(Note(actor.Ref).TryCancel(byRequest: true));

        var dSleep = Note(actor.Ref, uninterruptible: true);
        Assert.False(dSleep.TryCancel(byRequest: true));
        // Still held back: a wake-up ends it, as it ends a D sleep the actor knows of.
        Assert.True(dSleep.TryCancel());
        dSleep.Send();
        await actor.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }
}
