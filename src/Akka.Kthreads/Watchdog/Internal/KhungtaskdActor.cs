using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Event;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. khungtaskd (kernel/hung_task.c): every check interval, asks kthreadd for the threads in
/// D and reports, once per hang, each whose switch count has not moved for hung-task-timeout.
/// </summary>
internal sealed class KhungtaskdActor : UntypedActor, IWithTimers
{
    private readonly IActorRef _kthreadd;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _interval;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // The kernel keeps these in task_struct (last_switch_count, last_switch_time); here, per pid.
    private readonly Dictionary<int, HungTaskCheck> _tasks = new();

    public KhungtaskdActor(IActorRef kthreadd, TimeSpan timeout, TimeSpan interval)
    {
        _kthreadd = kthreadd;
        _timeout = timeout;
        _interval = interval;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef kthreadd, TimeSpan timeout, TimeSpan interval) =>
        Actor.Props.Create(() => new KhungtaskdActor(kthreadd, timeout, interval));

    // kernel: watchdog() — schedule_timeout_interruptible(interval), then check_hung_uninterruptible_tasks().
    protected override void PreStart() => Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, _interval);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Tick:
                // Never blocks: the answer comes back as a message.
                _kthreadd.Tell(ListBlocked.Instance);
                break;
            case BlockedList list:
                CheckHungUninterruptibleTasks(list.Tasks);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    // kernel: check_hung_uninterruptible_tasks() — for_each_process_thread(g, t) if (t->__state == TASK_UNINTERRUPTIBLE) check_hung_task(t, timeout);
    private void CheckHungUninterruptibleTasks(IReadOnlyList<BlockedTask> blocked)
    {
        var now = Stopwatch.GetTimestamp();
        var seen = new HashSet<int>();
        foreach (var t in blocked)
        {
            seen.Add(t.Pid);
            if (!_tasks.TryGetValue(t.Pid, out var check))
            {
                check = new HungTaskCheck();
                _tasks.Add(t.Pid, check);
            }

            if (check.Check(t.SwitchCount, now, Stopwatch.Frequency, _timeout) is { } blockedFor)
            {
                Report(t, blockedFor);
            }
        }

        // A thread out of D (or gone) has switched since: its next D sleep starts a new count.
        foreach (var pid in _tasks.Keys.Where(pid => !seen.Contains(pid)).ToArray())
        {
            _tasks.Remove(pid);
        }
    }

    private void Report(BlockedTask t, TimeSpan blockedFor)
    {
        // kernel: pr_err("INFO: task %s:%d blocked for more than %ld seconds.\n", t->comm, t->pid, timeout);
        // (the timeout, as older kernels print it: the line reads the same however late the check ran;
        // the event carries the time actually measured.)
        var line = string.Create(CultureInfo.InvariantCulture,
            $"INFO: task {t.Comm}:{t.Pid} blocked for more than {(long)_timeout.TotalSeconds} seconds. Waiting in {t.WaitSite}.");
        _log.Error("{0} \"kthreads.watchdog.hung-task-timeout = 0\" disables this message.", line);
        Context.System.EventStream.Publish(new HungTaskDetected(t.Pid, t.Comm, blockedFor, t.WaitSite) { Message = line });
    }

    private sealed class Tick : IDeadLetterSuppression
    {
        public static Tick Instance { get; } = new();

        private Tick()
        {
        }
    }
}
