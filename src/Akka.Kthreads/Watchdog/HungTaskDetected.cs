namespace Akka.Kthreads;

/// <summary>
/// khungtaskd's report, published on the ActorSystem's event stream: a thread has slept in D
/// (TASK_UNINTERRUPTIBLE) without a single switch for longer than kthreads.watchdog.hung-task-timeout.
/// </summary>
/// <param name="Pid">The hung thread's pid.</param>
/// <param name="Comm">The hung thread's name.</param>
/// <param name="BlockedFor">How long its switch count has not moved, as khungtaskd last saw it.</param>
/// <param name="WaitSite">Where it waits: "WaitEventUninterruptibleAsync in {caller}", or "ScheduleAsync" for a raw D sleep.</param>
public sealed record HungTaskDetected(int Pid, string Comm, TimeSpan BlockedFor, string WaitSite)
{
    /// <summary>The report's line in the kernel's words (with where it waits), so tools (kps) show it as dmesg does without formatting it again.</summary>
    public string Message { get; init; } = "";
}
