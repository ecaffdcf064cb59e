namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. What a parked kthread awaits: a bare task its actor opens once (kthread_unpark, a stop,
/// the actor's end), completing inline there as a TaskCompletionSource would, without the source object
/// every parked thread would otherwise keep.
/// </summary>
internal static class ParkGate
{
    private static readonly Action Nothing = static () => { };

    private static readonly Lazy<ExecutionContext> Empty = new(static () => FreshContext.Capture());

    [ThreadStatic]
    private static Task? _made;

    /// <summary>A closed gate.</summary>
    public static Task Make()
    {
        // Made in an empty context: a task made in the kthread's own keeps that context in an 80-byte side object, and
        // SuppressFlow would leave the kthread a fresh copy of its context to keep besides. Run restores the very same one.
        ExecutionContext.Run(Empty.Value, static _ => _made = new Task(Nothing), null);
        var made = _made!;
        _made = null;
        return made;
    }

    /// <summary>Opens <paramref name="gate"/> (its awaiter goes on inline); a second open does nothing. Only the thread's actor calls it.</summary>
    public static void Open(Task gate)
    {
        if (gate.Status == TaskStatus.Created)
        {
            gate.RunSynchronously(TaskScheduler.Default);
        }
    }
}
