using System.Threading.Channels;
using Akka.Actor;

namespace Akka.Kthreads.Cli.Hotplug;

/// <summary>
/// Subscribed to the event stream for <see cref="HotplugStep"/>, <see cref="CpuOnline"/> and
/// <see cref="CpuOffline"/>: hands each one to the scenario through a channel, in publish order.
/// </summary>
internal sealed class HotplugEventForwarder : ReceiveActor
{
    /// <summary>The event types the scenario reads; the hotplug actor publishes them in the order they happened.</summary>
    public static IReadOnlyList<Type> Events { get; } = [typeof(HotplugStep), typeof(CpuOnline), typeof(CpuOffline)];

    /// <summary>A forwarder into <paramref name="events"/>; the caller subscribes it, so no event slips past before PreStart.</summary>
    public HotplugEventForwarder(ChannelWriter<object> events)
    {
        // One publisher (the hotplug actor) and one mailbox: the channel keeps their order.
        Receive<HotplugStep>(step => events.TryWrite(step));
        Receive<CpuOnline>(online => events.TryWrite(online));
        Receive<CpuOffline>(offline => events.TryWrite(offline));
    }

    /// <summary>Props for a forwarder writing into <paramref name="events"/>.</summary>
    public static Props Props(ChannelWriter<object> events) =>
        Akka.Actor.Props.Create(() => new HotplugEventForwarder(events));

    /// <summary>Leaves the event stream with the actor, so a stopped forwarder is never published to.</summary>
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
