using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using static Akka.Kthreads.KthreaddProtocol;
using static Akka.Kthreads.KthreadProtocol;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. kthreadd (pid 2): serves create requests one at a time in arrival order (its
/// mailbox is kthread_create_list), allocates pids, parents every kthread, and lists them.
/// </summary>
internal sealed class KthreaddActor : UntypedActor
{
    /// <summary>TASK_COMM_LEN is 16 with the NUL: names keep 15 characters.</summary>
    internal const int CommLength = 15;

    private readonly KthreadsSettings _settings;
    private readonly Cpus _cpus;
    private readonly Dictionary<int, KthreadContext> _threads = new();
    private readonly PsTable _ps;

    // A new thread's context, from its creation here to its actor's constructor (which takes it out).
    private readonly ConcurrentDictionary<int, KthreadContext> _births = new();
    private readonly Props _kthreadProps;
    private readonly ReapedHistory _reaped;
    private readonly string _node;
    private int _lastPid = 2;

    public KthreaddActor(KthreadsSettings settings, Cpus cpus)
    {
        _settings = settings;
        _cpus = cpus;
        _reaped = new ReapedHistory(settings.ReapedHistory);
        _kthreadProps = KthreadActor.Props(_births, settings, cpus);
        _node = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress.ToString();
        _ps = new PsTable(_node);
    }

    public static Props Props(KthreadsSettings settings, Cpus cpus) =>
        Actor.Props.Create(() => new KthreaddActor(settings, cpus));

    // A kthread actor only throws on a bug (a strict-mode transition): it dies, nothing else.
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(_ => Directive.Stop);

    // Messages to reaped threads land in dead letters: answer them, so no ask waits forever.
    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Create create:
                OnCreate(create);
                break;
            case List:
                Sender.Tell(new KthreadList(_ps.Rows()));
                break;
            case ListBlocked:
                Sender.Tell(new BlockedList(BlockedThreads()));
                break;
            case PerCpuThreadsOn on:
                Sender.Tell(new PerCpuThreadList(PerCpuOn(on.Cpu)));
                break;
            case MigrateFrom from:
                Sender.Tell(new Migrated(MigrateThreads(from.Cpu)));
                break;
            case Reaped reaped:
                Forget(reaped.Pid);
                _reaped.Add(reaped.Last);
                break;
            case DeadLetter { Message: IKthreadCommand command } dead when IsChild(dead.Recipient, out var pid):
                if (dead.Sender is { } sender && !sender.IsNobody())
                {
                    sender.Tell(GoneReplies.For(command, _reaped.Find(pid, _node)));
                }

                break;
            case DeadLetter:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnCreate(Create create)
    {
        var handshake = create.Handshake;
        if (handshake is { IsAbandoned: true })
        {
            // The creator gave up before we got here: make nothing, use no pid.
            return;
        }

        if (Validate(create) is { } reason)
        {
            Sender.Tell(new CreateFailed(-Errno.EINVAL, reason));
            return;
        }

        if (_threads.Count >= _settings.MaxThreads)
        {
            Sender.Tell(new CreateFailed(-Errno.EAGAIN, $"threads-max ({_settings.MaxThreads}) reached"));
            return;
        }

        var pid = ++_lastPid;
        var comm = Comm(create);
        var k = new KthreadContext(_ps.Add(pid, comm, create.PerCpu, create.Cpu ?? -1), create.Data, create.Fn, create.Cpu, _cpus);
        if (create.PerCpu)
        {
            // kernel: kthread_create_on_cpu() — created, parked before it runs, bound.
            k.SetShouldPark(true);
            k.State = KthreadState.Parked;
        }

        _births[pid] = k;
        var child = Context.ActorOf(_kthreadProps, pid.ToString(CultureInfo.InvariantCulture));
        _threads.Add(pid, k);
        var thread = new Kthread(pid, comm, child, _settings, _cpus) { Context = k };
        if (handshake is not null && !handshake.TryClaim(thread))
        {
            // Abandoned while we made it: reap before anyone sees it; the function never runs.
            k.State = KthreadState.Dead;
            Forget(pid);
            Context.Stop(child);
            return;
        }

        if (create.Run)
        {
            // Woken before Created goes out, so ps never shows a run thread as New: it is
            // runnable (R) until its loop starts, and every later message finds it woken.
            k.State = KthreadState.Running;
            child.Tell(StartRun.Instance);
        }

        Sender.Tell(new Created(thread));
    }

    private string? Validate(Create create)
    {
        if (create.Fn is null)
        {
            return "no thread function";
        }

        if (string.IsNullOrWhiteSpace(create.Name))
        {
            return "empty name";
        }

        if (create.Cpu is { } cpu && !_cpus.IsPossible(cpu))
        {
            return $"cpu {cpu} is not possible (0..{_cpus.Possible.Count - 1})";
        }

        if (create.PerCpu && create.Cpu is null)
        {
            return "a per-CPU thread needs a cpu";
        }

        if (create.PerCpu && create.Run)
        {
            return "a per-CPU thread starts parked: unpark it instead of Run";
        }

        if (create.Cpu is { } c && FormatName(create.Name, c) is null)
        {
            return $"bad name format '{create.Name}'";
        }

        return null;
    }

    private static string Comm(Create create) => Comm(create.Name, create.Cpu);

    /// <summary>The comm a thread named <paramref name="name"/> gets on <paramref name="cpu"/> ("counter/{0}" on 3: "counter/3"), cut to TASK_COMM_LEN - 1.</summary>
    internal static string Comm(string name, int? cpu) =>
        TryComm(name, cpu) ?? throw new ArgumentException($"'{name}' is not a name format: use {{0}} for the cpu", nameof(name));

    /// <summary>True when <paramref name="name"/> has a {0} placeholder for the cpu ("x/{0}", "x/{0:D2}", "x/{0,2}"), so it is a format, not a name.</summary>
    internal static bool IsCpuFormat(string name)
    {
        for (var i = name.IndexOf("{0", StringComparison.Ordinal); i >= 0; i = name.IndexOf("{0", i + 2, StringComparison.Ordinal))
        {
            // "{{0}" is an escaped brace followed by text, not a placeholder.
            var escaped = i > 0 && name[i - 1] == '{';
            if (!escaped && i + 2 < name.Length && name[i + 2] is '}' or ':' or ',')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>As <see cref="Comm(string, int?)"/>, or null for a broken format (the doors check it; a message sent by hand may not).</summary>
    internal static string? TryComm(string name, int? cpu)
    {
        var comm = cpu is { } c ? FormatName(name, c) : name;
        return comm is null || comm.Length <= CommLength ? comm : comm[..CommLength];
    }

    private static string? FormatName(string format, int cpu)
    {
        try
        {
            return string.Format(CultureInfo.InvariantCulture, format, cpu);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    // A thread leaves the task list and ps together, once: an abandoned creation is forgotten before its actor's Reaped comes.
    private void Forget(int pid)
    {
        if (_threads.Remove(pid, out var k))
        {
            _ps.Remove(k.PsRef);
        }
    }

    // khungtaskd's view: the threads asleep in D now (a never-woken New thread has never switched; the kernel skips it too).
    private BlockedTask[] BlockedThreads() =>
        _threads.Values
            .Where(k => k.State == KthreadState.Sleeping && k.InUninterruptibleSleep)
            .Select(k => new BlockedTask(k.Pid, k.Comm, k.Nvcsw + k.Nivcsw, k.WaitSite ?? "ScheduleAsync"))
            .ToArray();

    // Handles are plain references to the thread's actor, so a fresh one is as good as the creator's.
    private Kthread[] PerCpuOn(int cpu) =>
        _threads.Values
            .Where(k => k.PerCpu && k.HomeCpu == cpu
                && k.State is not (KthreadState.Parked or KthreadState.Zombie or KthreadState.Dead))
            .Select(k => new Kthread(k.Pid, k.Comm, Context.Child(k.Pid.ToString(CultureInfo.InvariantCulture)), _settings, _cpus))
            .ToArray();

    private int MigrateThreads(int cpu)
    {
        var moved = 0;
        foreach (var k in _threads.Values)
        {
            if (k.PerCpu || k.State is KthreadState.Dead)
            {
                continue;
            }

            // A mask with no online CPU left is dropped ("no longer affine"); one with an online CPU stays, and
            // the thread moves to one of them.
            if (k.Allowed is { } mask && KthreadContext.Allows(mask, cpu) && !_cpus.AnyOnline(mask))
            {
                _cpus.FallBack(k, mask, cpu);
            }

            if (k.BoundCpu is null && k.MoveOff(cpu, _cpus.OnlineAfter(cpu, k.Allowed)))
            {
                moved++;
            }
        }

        return moved;
    }

    private bool IsChild(IActorRef? recipient, out int pid)
    {
        pid = 0;
        return recipient is not null
            && recipient.Path.Parent.Equals(Self.Path)
            && int.TryParse(recipient.Path.Name, NumberStyles.None, CultureInfo.InvariantCulture, out pid);
    }
}
