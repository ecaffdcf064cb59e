using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The one reply to a hotplug request, sent by whoever has its result first: the CPU thread that
/// ends a stop_machine (its caller goes on without waiting for the hotplug actor to hear of it), else the actor.
/// </summary>
internal sealed class HotplugReply(IActorRef to)
{
    private int _sent;

    /// <summary>Replies <paramref name="result"/> unless a reply went already.</summary>
    public void Send(int result)
    {
        if (Interlocked.Exchange(ref _sent, 1) == 0)
        {
            to.Tell(new CpuHotplugProtocol.Result(result), ActorRefs.NoSender);
        }
    }
}
