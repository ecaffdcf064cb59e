using Akka.Kthreads.Cli.Demo;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>Turns a command's failure into a message on stderr and a non-zero exit code, never a stack dump.</summary>
internal static class CommandRunner
{
    public const int Failed = 1;
    public const int Interrupted = 130;

    public static async Task<int> RunAsync(KpsConsole console, Func<Task> body, CancellationToken ct)
    {
        try
        {
            await body().ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await console.Error.WriteLineAsync("kps: interrupted").ConfigureAwait(false);
            return Interrupted;
        }
        catch (DemoFailedException e)
        {
            await console.Error.WriteLineAsync($"kps: {e.Message}").ConfigureAwait(false);
            return Failed;
        }
        catch (Exception e)
        {
            await console.Error.WriteLineAsync($"kps: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            return Failed;
        }
    }
}
