namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The two bounds of a wait the library hands back as a task (an ask's reply, a flush): a timeout and the
/// caller's token, armed together and taken back once, by whichever end of the wait comes first, even one that comes
/// while they are being armed.
/// </summary>
/// <remarks>A mutable struct, so that a wait allocates nothing more for it: keep it in a field and call it there.</remarks>
internal struct WaitBounds
{
    private const int Unarmed = 0;
    private const int Armed = 1;
    private const int Released = 2;

    private Timer? _timer;
    private CancellationTokenRegistration _cancel;
    private int _state;

    /// <summary>
    /// Calls <paramref name="timedOut"/>(<paramref name="owner"/>) past <paramref name="timeout"/> (never for a timeout
    /// that is not positive) and <paramref name="canceled"/>(<paramref name="owner"/>, <paramref name="ct"/>) when ct is cancelled.
    /// </summary>
    public void Arm(object owner, TimerCallback timedOut, Action<object?, CancellationToken> canceled, TimeSpan timeout,
        CancellationToken ct)
    {
        if (timeout > TimeSpan.Zero)
        {
            _timer = new Timer(timedOut, owner, timeout, Timeout.InfiniteTimeSpan);
        }

        if (ct.CanBeCanceled)
        {
            _cancel = ct.UnsafeRegister(canceled, owner);
        }

        if (Interlocked.CompareExchange(ref _state, Armed, Unarmed) != Unarmed)
        {
            // The wait ended while they were armed: they are ours to take back.
            Release();
        }
    }

    /// <summary>The wait ended: the timer and the registration go, now or as soon as <see cref="Arm"/> has made them.</summary>
    public void Disarm()
    {
        if (Interlocked.Exchange(ref _state, Released) == Armed)
        {
            Release();
        }
    }

    private readonly void Release()
    {
        _timer?.Dispose();
        _cancel.Unregister();
    }
}
