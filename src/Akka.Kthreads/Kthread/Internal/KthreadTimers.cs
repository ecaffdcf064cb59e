namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. A kthread actor's sleep, stop and park timers, made when one starts and dropped when
/// none is pending: a parked or sleeping thread without a timeout keeps none of them.
/// </summary>
internal sealed class KthreadTimers
{
    public OneShotTimer Sleep;
    public OneShotTimer Stop;
    public OneShotTimer Park;

    /// <summary>True when no timer is pending: the holder can go.</summary>
    public bool Idle => !Sleep.IsPending && !Stop.IsPending && !Park.IsPending;
}
