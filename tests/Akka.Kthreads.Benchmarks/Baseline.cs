using Akka.Actor;
using Akka.Configuration;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads.Benchmarks;

/// <summary>The raw Akka side of each comparison: a trivial actor that answers, and one that answers then stops.</summary>
internal sealed class Echo : UntypedActor
{
    public static readonly Props Props = Props.Create<Echo>();

    protected override void OnReceive(object message)
    {
        Sender.Tell(message);
        if (message is Stop)
        {
            Context.Stop(Self);
        }
    }

    /// <summary>Answer, then stop: the raw analogue of kthread_stop's reply.</summary>
    public sealed record Stop
    {
        public static Stop Instance { get; } = new();
    }
}

/// <summary>Shared set-up: one ActorSystem with Kthreads on the machine's CPUs (or a given count), quiet logs.</summary>
internal static class Systems
{
    /// <summary>A system with <paramref name="cpus"/> possible CPUs, so CPU-wide figures do not depend on the machine's core count.</summary>
    public static ActorSystem Start(string name, int cpus) =>
        ActorSystem.Create(name, ConfigurationFactory.ParseString($"kthreads.cpus.possible = {cpus}").WithFallback(Config));

    /// <summary>A system with one CPU per core of this machine and <paramref name="hocon"/> over the shared config.</summary>
    public static ActorSystem Start(string name, string hocon) =>
        ActorSystem.Create(name, ConfigurationFactory.ParseString(hocon).WithFallback(Config));

    /// <summary>A system with one CPU per core of this machine (kthreads.cpus.possible = 0).</summary>
    public static ActorSystem Start(string name) => ActorSystem.Create(name, Config);

    private static readonly Config Config = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.log-dead-letters = off
        # Stopping a million actors takes longer than the default 10 s; let it finish so the
        # next measurement does not count (or compete with) this system's teardown.
        akka.coordinated-shutdown.phases.actor-system-terminate.timeout = 300s
        kthreads.max-threads = 4194304
        # A million-thread heap has long GC pauses on 2 cores: wait longer than the defaults.
        kthreads.ask-timeout = 120s
        kthreads.kthread.stop-timeout = 100s
        kthreads.kthread.park-timeout = 100s
        """);

    /// <summary>How long a baseline Ask may take; generous, since a 100,000-row reply is measured too.</summary>
    public static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(60);

    public static readonly ThreadFn ReturnAtOnce = static _ => Task.FromResult(0);

    /// <summary>A thread that parks when asked and sleeps otherwise: the shape of a per-CPU thread.</summary>
    public static readonly ThreadFn Parkable = static async current =>
    {
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                await current.ParkMeAsync();
                continue;
            }

            await current.ScheduleAsync();
        }

        return 0;
    };
}

/// <summary>
/// The raw floor under a kthread's resume since a CPU is an OS thread (issue 12): an echo whose every answer
/// first goes through a CPU thread (the library's own kind) and back, as a woken kthread's next message does.
/// </summary>
internal sealed class HopEcho(CpuThread cpu) : UntypedActor
{
    public static Props Props(CpuThread cpu) => Akka.Actor.Props.Create(() => new HopEcho(cpu));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Back back:
                back.To.Tell(back.Message);
                break;
            case Echo.Stop:
                // kthread_stop of a thread that already returned: answered without running anything on its CPU.
                Sender.Tell(message);
                Context.Stop(Self);
                break;
            case ReplyFirst first:
                // kthread_unpark's shape: the reply goes out at once, the CPU thread then runs and reports back.
                Sender.Tell(first.Message);
                Post(ActorRefs.Nobody, first.Message);
                break;
            default:
                Post(Sender, message);
                break;
        }
    }

    private void Post(IActorRef to, object message) =>
        cpu.TryPost(static s => ((Back)s!).Self.Tell(s), new Back(Self, to, message));

    /// <summary>Answered at once; the hop to the CPU thread and back follows the reply.</summary>
    public sealed record ReplyFirst(object Message);

    private sealed record Back(IActorRef Self, IActorRef To, object Message);
}
