using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. The facade's one way to ask: a timeout from config, the caller's token, and a TimeoutException.</summary>
internal static class Asks
{
    public static async Task<T> AskAsync<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await target.Ask<T>(message, timeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new TimeoutException($"{message.GetType().Name} to {target.Path} got no reply within {timeout} (kthreads.ask-timeout)", e);
        }
    }
}
