namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The kernel's <c>xchg(&amp;create-&gt;done, NULL)</c>: whoever of kthreadd and the
/// creator moves first owns the request. A creator that gives up first makes kthreadd skip it;
/// otherwise the thread exists and the creator reaps it through <see cref="Result"/>.
/// </summary>
internal sealed class CreateHandshake
{
    private const int Pending = 0;
    private const int Claimed = 1;
    private const int Abandoned = 2;

    private int _state;

    /// <summary>The thread kthreadd made; written before <see cref="TryClaim"/> so a failed abandon can read it.</summary>
    public Kthread? Result { get; private set; }

    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary>kthreadd's side: true if the creator still waits for <paramref name="thread"/>.</summary>
    public bool TryClaim(Kthread thread)
    {
        Result = thread;
        return Interlocked.CompareExchange(ref _state, Claimed, Pending) == Pending;
    }

    /// <summary>The creator's side: true if kthreadd had not made the thread yet (and now never will).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Pending) == Pending;
}
