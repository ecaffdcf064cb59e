using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>
/// ps over many threads: kthreadd keeps their ps fields in a table of its own, in chunks filled in creation
/// order; whatever is reaped, ListAsync shows exactly the living threads, in pid order, with their own fields.
/// </summary>
public sealed class PsListSpec(ITestOutputHelper output) : SpecBase(output)
{
    // Over many chunks of the table (64 threads each), so that whole chunks empty out and others keep a few.
    private const int Threads = 300;

    [Fact]
    public async Task Ps_lists_exactly_the_living_threads_in_pid_order_as_hundreds_are_created_and_reaped()
    {
        var threads = await CreateAsync(Threads, "first");

        // The first 150 (a whole chunk and some), then every other one up to 260.
        var reaped = threads.Take(150).Concat(threads.Skip(150).Take(110).Where((_, i) => i % 2 == 0)).ToHashSet();
        foreach (var thread in reaped)
        {
            Assert.Equal(-Errno.EINTR, await thread.StopAsync());
        }

        var living = threads.Where(t => !reaped.Contains(t)).ToList();
        await AssertListedAsync(living, KthreadState.New);

        // Threads made after the reaps come after every earlier one, each row with its own fields.
        var probe = CreateTestProbe();
        var sleeper = await Kthreads.RunAsync(SleepUntilStopped(probe), null, "sleeper");
        await probe.ExpectMsgAsync(("started", sleeper.Pid));
        await AwaitStateAsync(sleeper, KthreadState.Sleeping);
        var later = await CreateAsync(140, "later");
        var rows = await Kthreads.ListAsync();
        Assert.Equal(living.Append(sleeper).Concat(later).Select(t => t.Pid), rows.Select(r => r.Pid));
        Assert.All(rows, r => Assert.Equal(r.Pid == sleeper.Pid ? KthreadState.Sleeping : KthreadState.New, r.State));
        Assert.All(rows, r => Assert.Equal(r.Pid < sleeper.Pid ? "first" : r.Pid == sleeper.Pid ? "sleeper" : "later", r.Comm));

        Assert.Equal(0, await sleeper.StopAsync());
        foreach (var thread in living.Concat(later))
        {
            Assert.Equal(-Errno.EINTR, await thread.StopAsync());
        }

        Assert.Empty(await Kthreads.ListAsync());

        // With every slot so far reaped, a new thread is still listed.
        var last = await Kthreads.CreateAsync(static _ => Task.FromResult(0), null, "last");
        Assert.Equal([(last.Pid, "last")], (await Kthreads.ListAsync()).Select(r => (r.Pid, r.Comm)));
        Assert.Equal(-Errno.EINTR, await last.StopAsync());
    }

    private async Task<List<Kthread>> CreateAsync(int count, string name)
    {
        var threads = new List<Kthread>(count);
        for (var i = 0; i < count; i++)
        {
            threads.Add(await Kthreads.CreateAsync(static _ => Task.FromResult(0), null, name));
        }

        return threads;
    }

    private async Task AssertListedAsync(IReadOnlyList<Kthread> expected, KthreadState state)
    {
        var rows = await Kthreads.ListAsync();
        Assert.Equal(expected.Select(t => t.Pid), rows.Select(r => r.Pid));
        Assert.All(rows, r => Assert.Equal(state, r.State));
    }
}
