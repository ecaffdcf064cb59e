using Akka.Kthreads.Internal;
using Xunit;

namespace Akka.Kthreads.Tests;

/// <summary>kthreadd's memory of reaped threads is bounded: the oldest row is forgotten first.</summary>
public sealed class ReapedHistorySpec
{
    private static KthreadInfo Row(int pid) => new(pid, 2, $"t{pid}", KthreadState.Dead, 0, false, -Errno.EINTR, "node");

    [Fact]
    public void The_oldest_reaped_thread_is_forgotten_first()
    {
        var history = new ReapedHistory(2);
        history.Add(Row(3));
        history.Add(Row(4));
        history.Add(Row(5));

        Assert.Equal(string.Empty, history.Find(3, "node").Comm);
        Assert.Equal("t4", history.Find(4, "node").Comm);
        Assert.Equal(-Errno.EINTR, history.Find(5, "node").ExitCode);
    }

    [Fact]
    public void A_history_of_zero_remembers_nothing_but_still_answers_with_a_dead_row()
    {
        var history = new ReapedHistory(0);
        history.Add(Row(3));

        var row = history.Find(3, "node");
        Assert.Equal(new KthreadInfo(3, 2, string.Empty, KthreadState.Dead, null, false, null, "node"), row);
    }
}
