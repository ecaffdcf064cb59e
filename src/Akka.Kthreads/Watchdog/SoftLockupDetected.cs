namespace Akka.Kthreads;

/// <summary>
/// Published on the ActorSystem's event stream when a kthread held its CPU past
/// <c>kthreads.watchdog.soft-lockup-threshold</c> without a checkpoint: the kernel's "BUG: soft lockup".
/// </summary>
/// <param name="Cpu">The CPU it holds (CPU#n in the log line).</param>
/// <param name="Pid">The stuck thread's pid.</param>
/// <param name="Comm">The stuck thread's name.</param>
/// <param name="StuckFor">How long it has held the CPU since its last checkpoint, when seen.</param>
/// <remarks>Once per stuck stretch: the thread is reported again only after it reached a checkpoint (or gave its CPU up) and got stuck anew.</remarks>
public sealed record SoftLockupDetected(int Cpu, int Pid, string Comm, TimeSpan StuckFor)
{
    /// <summary>The line the watchdog logged, in the kernel's words, so tools (kps) show the report as dmesg does without formatting it again.</summary>
    public string Message { get; init; } = "";
}
