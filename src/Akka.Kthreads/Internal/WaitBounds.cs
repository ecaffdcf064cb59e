using Akka.Actor;

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
    private ICancelable? _scheduled;
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

        ArmToken(owner, canceled, ct);
    }

    /// <summary>
    /// As the other Arm, with the timeout already scheduled by the caller on Akka's scheduler (<paramref name="timeout"/>):
    /// an entry in its queue, where a wait on a hot path paid for a timer on .NET's timer queue.
    /// </summary>
    public void Arm(object owner, ICancelable timeout, Action<object?, CancellationToken> canceled, CancellationToken ct)
    {
        _scheduled = timeout;
        ArmToken(owner, canceled, ct);
    }

    // The token last: once it is registered, an end that came while arming takes back what was armed.
    private void ArmToken(object owner, Action<object?, CancellationToken> canceled, CancellationToken ct)
    {
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

    /// <summary>The wait ended: the timer and the registration go, now or as soon as an <c>Arm</c> has made them.</summary>
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
        _scheduled?.Cancel();
        _cancel.Unregister();
    }
}
