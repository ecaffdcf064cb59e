using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The sender of one ask of a local actor: the reply completes the caller's task directly.
/// </summary>
/// <remarks>
/// Akka's Ask makes a temp actor, registers it under /temp (a name, a dictionary entry) and unregisters
/// it with a continuation; a reply from an actor of the same system needs none of that, only a sender
/// to Tell. It keeps what the caller relies on: a bound (ask-timeout, TimeoutException), the caller's
/// token, a Status.Failure thrown as its cause, and continuations that never run inside the replying actor.
/// </remarks>
internal sealed class LocalReply<T> : MinimalActorRef
{
    private static long _uids;

    private readonly TaskCompletionSource<T> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IInternalActorRef _target;
    private readonly object _message;
    private readonly TimeSpan _timeout;
    private readonly Action? _givenUp;
    private readonly ReplyValue<T>? _value;
    private WaitBounds _bounds;

    private LocalReply(IInternalActorRef target, object message, TimeSpan timeout, Action? givenUp, ReplyValue<T>? value)
    {
        _target = target;
        _message = message;
        _timeout = timeout;
        _givenUp = givenUp;
        _value = value;
        // Unique by uid, as temp actors are: an actor that keeps its askers apart (a list of stoppers) sees two asks as two.
        Path = new ChildActorPath(target.Provider.TempContainer.Path, "kthreads-reply", Interlocked.Increment(ref _uids));
    }

    /// <inheritdoc />
    public override ActorPath Path { get; }

    /// <inheritdoc />
    public override IActorRefProvider Provider => _target.Provider;

    /// <summary>Tells <paramref name="message"/> to <paramref name="target"/> with a new reply as its sender.</summary>
    /// <remarks>
    /// <paramref name="givenUp"/> runs once if the caller stops waiting (timeout or token): a request not yet served can be withdrawn.
    /// <paramref name="value"/> takes <typeparamref name="T"/> out of a reply of another type.
    /// </remarks>
    public static Task<T> Ask(IInternalActorRef target, object message, TimeSpan timeout, CancellationToken ct, Action? givenUp = null, ReplyValue<T>? value = null)
    {
        if (ct.IsCancellationRequested)
        {
            givenUp?.Invoke();
            return Task.FromCanceled<T>(ct);
        }

        var ask = new LocalReply<T>(target, message, timeout, givenUp, value);
        ask.Start(ct);
        return ask._reply.Task;
    }

    /// <inheritdoc />
    protected override void TellInternal(object message, IActorRef sender)
    {
        var done = message switch
        {
            T reply => _reply.TrySetResult(reply),
            _ when _value is not null && _value(message, out var value) => _reply.TrySetResult(value),
            Status.Failure failure => _reply.TrySetException(failure.Cause),
            _ => _reply.TrySetException(new InvalidCastException(
                $"{_message.GetType().Name} to {_target.Path} was answered with {message.GetType().Name}, not {typeof(T).Name}")),
        };
        if (done)
        {
            Cleanup();
        }
    }

    private void Start(CancellationToken ct)
    {
        _bounds.Arm(this, static s => ((LocalReply<T>)s!).TimeOut(), static (s, token) => ((LocalReply<T>)s!).Cancel(token), _timeout, ct);
        _target.Tell(_message, this);
    }

    private void TimeOut()
    {
        if (_reply.TrySetException(new TimeoutException(Asks.TimedOut(_message, _target, _timeout))))
        {
            Cleanup();
            _givenUp?.Invoke();
        }
    }

    private void Cancel(CancellationToken token)
    {
        if (_reply.TrySetCanceled(token))
        {
            Cleanup();
            _givenUp?.Invoke();
        }
    }

    private void Cleanup() => _bounds.Disarm();
}

/// <summary>INTERNAL API. Takes the value out of a reply that carries one, so a <see cref="LocalReply{T}"/> completes with it and its caller needs no async step to unwrap it.</summary>
internal delegate bool ReplyValue<T>(object reply, out T value);
