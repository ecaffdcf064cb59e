namespace Akka.Kthreads.Cli.Demo;

/// <summary>One kthread_stop() of the demo: the thread, the exit code the protocol promises, and the one it gave.</summary>
internal sealed record StopOutcome(Kthread Thread, int Expected, int ExitCode)
{
    public bool AsExpected => Expected == ExitCode;
}
