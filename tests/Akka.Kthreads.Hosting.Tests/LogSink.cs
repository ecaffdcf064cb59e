using System.Collections.Concurrent;
using Akka.Actor;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// Collects a system's logs of one level (errors unless told) synchronously: a log published while the system is going down
/// still lands here, where an actor could already be stopped before it read it.
/// </summary>
internal sealed class LogSink(ConcurrentQueue<string> logged, IActorRefProvider provider) : MinimalActorRef
{
    public override ActorPath Path { get; } = new RootActorPath(provider.DefaultAddress) / "temp" / "hosting-spec-log";

    public override IActorRefProvider Provider => provider;

    public static void Collect(ActorSystem system, ConcurrentQueue<string> logged, Type? level = null) =>
        system.EventStream.Subscribe(new LogSink(logged, ((ExtendedActorSystem)system).Provider), level ?? typeof(Akka.Event.Error));

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is Akka.Event.LogEvent e)
        {
            logged.Enqueue(e.ToString());
        }
    }
}
