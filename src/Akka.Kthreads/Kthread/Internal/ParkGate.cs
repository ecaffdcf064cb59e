namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. What a parking kthread's caller awaits: a bare task opened once, on the CPU's thread when the
/// thread goes on, completing inline there as a TaskCompletionSource would, without the source object every
/// parked thread would otherwise keep.
/// </summary>
internal static class ParkGate
{
    private static readonly Lazy<ExecutionContext> Empty = new(static () => FreshContext.Capture());

    // A gate's own work as it opens: complete it, or fault it with what the park's acquire threw.
    private static readonly Action<object?> End = static k => ((KthreadContext)k!).EndPark();

    [ThreadStatic]
    private static Task? _made;

    /// <summary>A closed gate for a park of <paramref name="k"/>, which its <see cref="Task.AsyncState"/> then names.</summary>
    public static Task Make(KthreadContext k)
    {
        // Made in an empty context: a task made in the kthread's own keeps that context in an 80-byte side object, and
        // SuppressFlow would leave the kthread a fresh copy of its context to keep besides. Run restores the very same one.
        ExecutionContext.Run(Empty.Value, static k => _made = new Task(End, k), k);
        var made = _made!;
        _made = null;
        return made;
    }

    /// <summary>The kthread whose park <paramref name="gate"/> belongs to.</summary>
    public static KthreadContext Owner(Task gate) => (KthreadContext)gate.AsyncState!;

    /// <summary>Opens <paramref name="gate"/> (its awaiter goes on inline); a second open does nothing.</summary>
    public static void Open(Task gate)
    {
        if (gate.Status == TaskStatus.Created)
        {
            gate.RunSynchronously(TaskScheduler.Default);
        }
    }
}
