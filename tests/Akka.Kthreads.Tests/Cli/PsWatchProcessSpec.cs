using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary><c>kps ps --watch</c> as a real process, piped: it watches until Ctrl+C (SIGINT), then ends cleanly with 0.</summary>
public sealed class PsWatchProcessSpec(ITestOutputHelper log)
{
    // Starting a process (JIT, a node, the demo's threads) is slow on a loaded machine.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ctrl_C_ends_a_watch_with_exit_0_after_its_threads_are_reaped()
    {
        using var kps = KpsProcess.Start(log, "kps ps --watch", "ps --watch --interval 0.2 --cpus 2");

        await kps.WaitLineAsync("Table 2 at", Bound);
        kps.Interrupt();

        Assert.Equal(0, await kps.WaitExitAsync(Bound));
    }
}
