namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. What a parking kthread's caller awaits: a bare task opened once, on the CPU's thread when the
/// thread goes on, completing inline there as a TaskCompletionSource would, without the source object every
/// parked thread would otherwise keep.
/// </summary>
internal static class ParkGate
{
    private static readonly Lazy<ExecutionContext> Empty = new(static () => FreshContext.Capture());

    [ThreadStatic]
    private static Task? _made;

    [ThreadStatic]
    private static Action<object?>? _onOpen;

    /// <summary>A closed gate that runs <paramref name="onOpen"/> as it opens (a throw there faults it).</summary>
    public static Task Make(Action<object?> onOpen, object? state)
    {
        // Made in an empty context: a task made in the kthread's own keeps that context in an 80-byte side object, and
        // SuppressFlow would leave the kthread a fresh copy of its context to keep besides. Run restores the very same one.
        _onOpen = onOpen;
        ExecutionContext.Run(Empty.Value, static s => _made = new Task(_onOpen!, s), state);
        var made = _made!;
        _made = null;
        _onOpen = null;
        return made;
    }

    /// <summary>Opens <paramref name="gate"/> (its awaiter goes on inline); a second open does nothing.</summary>
    public static void Open(Task gate)
    {
        if (gate.Status == TaskStatus.Created)
        {
            gate.RunSynchronously(TaskScheduler.Default);
        }
    }
}
