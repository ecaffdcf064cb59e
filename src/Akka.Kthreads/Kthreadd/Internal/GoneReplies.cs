using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The reply a thread that is gone gives to each message, so no ask on a reaped
/// thread ever waits for its timeout: -ESRCH where the record holds an int.
/// </summary>
internal static class GoneReplies
{
    public static object For(IKthreadCommand command, int pid, string comm, string node) => command switch
    {
        WakeUp => new Woken(false),
        Stop => new Stopped(-Errno.ESRCH),
        Park => new ParkResult(-Errno.ESRCH),
        Unpark => Unparked.Instance,
        Bind => new BindResult(-Errno.ESRCH),
        GetInfo => new KthreadInfo(pid, 2, comm, KthreadState.Dead, null, false, null, node),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "not a kthread command"),
    };
}
