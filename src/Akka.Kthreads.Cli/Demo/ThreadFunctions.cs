namespace Akka.Kthreads.Cli.Demo;

/// <summary>
/// The demo's thread functions, written as kernel threads are: check the flags, sleep, return a code.
/// The counter's is <see cref="MdThread.ThreadFnAsync"/>.
/// </summary>
internal static class ThreadFunctions
{
    /// <summary>The exit code of the one-shot thread, kept by its zombie until a Stop collects it.</summary>
    public const int OneshotExitCode = 42;

    /// <summary>A per-CPU worker: parked while asked, otherwise asleep until woken; 0 once stopped.</summary>
    public static async Task<int> KworkerAsync(KthreadContext current)
    {
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                await current.ParkMeAsync().ConfigureAwait(false);
                continue;
            }

            await current.ScheduleAsync().ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>Returns at once, on its own: the thread stays a zombie holding the code.</summary>
    public static Task<int> OneshotAsync(KthreadContext current) => Task.FromResult(OneshotExitCode);
}
