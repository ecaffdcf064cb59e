using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. The facade's one way to ask: a timeout from config, the caller's token, and a TimeoutException.</summary>
internal static class Asks
{
    public static Task<T> AskAsync<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken ct) =>
        target is IInternalActorRef { IsLocal: true } local
            ? LocalReply<T>.Ask(local, message, timeout, ct)
            : RemoteAskAsync<T>(target, message, timeout, ct);

    /// <summary>The message a timed-out ask throws with.</summary>
    public static string TimedOut(object message, IActorRef target, TimeSpan timeout) =>
        $"{message.GetType().Name} to {target.Path} got no reply within {timeout} (kthreads.ask-timeout)";

    private static async Task<T> RemoteAskAsync<T>(IActorRef target, object message, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await target.Ask<T>(message, timeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new TimeoutException(TimedOut(message, target, timeout), e);
        }
    }
}
