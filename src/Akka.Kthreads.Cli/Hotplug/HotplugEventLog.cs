using System.Threading.Channels;
using Akka.Actor;
using Akka.Kthreads.Cli.Demo;

namespace Akka.Kthreads.Cli.Hotplug;

/// <summary>
/// What the hotplug actor published, read back in order: the callbacks one operation ran, and the
/// CpuOnline / CpuOffline that ends a CPU's bring-up or take-down.
/// </summary>
/// <remarks>
/// The events reach the channel through an actor's mailbox, so they may land just after the
/// operation's reply: reading waits for them (within a deadline) instead of assuming they are there.
/// </remarks>
internal sealed class HotplugEventLog : IDisposable
{
    // Far above a hotplug step's cost: only a lost event gets here.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly Channel<object> _channel = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ActorSystem _system;
    private readonly IActorRef _forwarder;

    private HotplugEventLog(ActorSystem system)
    {
        _system = system;
        _forwarder = system.ActorOf(HotplugEventForwarder.Props(_channel.Writer), "kps-hotplug-events");
        // Subscribed here, not in PreStart: once this returns, no event can be missed.
        foreach (var type in HotplugEventForwarder.Events)
        {
            system.EventStream.Subscribe(_forwarder, type);
        }
    }

    /// <summary>Starts listening before the first hotplug operation, so that every step is seen.</summary>
    public static HotplugEventLog Start(ActorSystem system) => new(system);

    /// <summary>The steps of one CPU going up or down, up to and including its CpuOnline / CpuOffline.</summary>
    /// <returns>The callbacks that ran, in the order they ran.</returns>
    public async Task<IReadOnlyList<HotplugStep>> ReadCpuAsync(int cpu, bool up, CancellationToken ct)
    {
        var steps = new List<HotplugStep>();
        while (true)
        {
            switch (await ReadAsync($"cpu {cpu} going {(up ? "up" : "down")}", ct).ConfigureAwait(false))
            {
                case HotplugStep step when step.Cpu == cpu:
                    steps.Add(step);
                    break;
                case CpuOnline online when up && online.Cpu == cpu:
                    return steps;
                case CpuOffline offline when !up && offline.Cpu == cpu:
                    return steps;
                case var other:
                    throw new DemoFailedException($"while cpu {cpu} went {(up ? "up" : "down")} the event stream also said {other}");
            }
        }
    }

    /// <summary>The <paramref name="count"/> callbacks a state's setup or removal ran (one per online CPU).</summary>
    /// <returns>The callbacks, in the order they ran.</returns>
    public async Task<IReadOnlyList<HotplugStep>> ReadStepsAsync(int count, string what, CancellationToken ct)
    {
        var steps = new List<HotplugStep>(count);
        while (steps.Count < count)
        {
            steps.Add(await ReadAsync(what, ct).ConfigureAwait(false) as HotplugStep
                ?? throw new DemoFailedException($"{what}: a CPU came or went while only callbacks were expected"));
        }

        return steps;
    }

    /// <summary>Stops the forwarder (it unsubscribes itself) and closes the channel.</summary>
    public void Dispose()
    {
        _system.Stop(_forwarder);
        _channel.Writer.TryComplete();
    }

    private async Task<object> ReadAsync(string what, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        try
        {
            return await _channel.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DemoFailedException($"{what}: no hotplug event within {Deadline.TotalSeconds:0}s");
        }
    }
}
