using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. The library's one way to ask its own actors: a timeout from config, the caller's token, and a TimeoutException.</summary>
internal static class Asks
{
    /// <summary>Asks <paramref name="target"/>, an actor of this system (every kthread, kthreadd, the hotplug actor), through a <see cref="LocalReply{T}"/>.</summary>
    public static Task<T> AskAsync<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken ct) =>
        LocalReply<T>.Ask((IInternalActorRef)target, message, timeout, ct);

    /// <summary>The message a timed-out ask throws with.</summary>
    public static string TimedOut(object message, IActorRef target, TimeSpan timeout) =>
        $"{message.GetType().Name} to {target.Path} got no reply within {timeout} (kthreads.ask-timeout)";
}
