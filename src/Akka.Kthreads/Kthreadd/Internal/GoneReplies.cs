using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The reply a thread that is gone gives to each message, so no ask on a reaped
/// thread ever waits for its timeout: -ESRCH where the record holds an int.
/// </summary>
internal static class GoneReplies
{
    /// <summary>The reply to <paramref name="command"/> from a reaped thread whose last row was <paramref name="gone"/>.</summary>
    public static object For(IKthreadCommand command, KthreadInfo gone) => command switch
    {
        WakeUp => new Woken(false),
        Stop => new Stopped(-Errno.ESRCH),
        Park => new ParkResult(-Errno.ESRCH),
        Unpark or WithdrawPark => Unparked.Instance,
        Bind => new BindResult(-Errno.ESRCH),
        SetCpusAllowed => new SetCpusAllowedResult(-Errno.ESRCH),
        GetInfo => gone with { State = KthreadState.Dead },
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "not a kthread command"),
    };
}
