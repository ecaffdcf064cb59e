using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;

namespace Akka.Kthreads.Cli.Output;

/// <summary>
/// What a node's watchdogs reported while kps ran (SoftLockupDetected, HungTaskDetected on its event stream),
/// noted under the ps table in the kernel's wording, or one line per watchdog saying it found nothing.
/// </summary>
internal sealed class WatchdogNotes
{
    private readonly ConcurrentQueue<string> _seen = new();
    private readonly KthreadsSettings _settings;

    public WatchdogNotes(ActorSystem system, KthreadsSettings settings)
    {
        _settings = settings;
        var listener = system.ActorOf(Props.Create(() => new Listener(_seen)), "kps-watchdog-notes");
        system.EventStream.Subscribe(listener, typeof(SoftLockupDetected));
        system.EventStream.Subscribe(listener, typeof(HungTaskDetected));
    }

    /// <summary>One line per report, as dmesg shows it; else, per watchdog, whether it was on and found nothing.</summary>
    public IReadOnlyList<string> Lines()
    {
        if (!_seen.IsEmpty)
        {
            return _seen.ToArray();
        }

        var soft = _settings.SoftLockupThreshold;
        var hung = _settings.HungTaskTimeout;
        return
        [
            soft > TimeSpan.Zero
                ? string.Create(CultureInfo.InvariantCulture, $"watchdog: no soft lockup (no kthread held its CPU {soft.TotalSeconds:0.###}s without a checkpoint)")
                : "watchdog: soft lockup detection off (kthreads.watchdog.soft-lockup-threshold = 0)",
            hung > TimeSpan.Zero
                ? string.Create(CultureInfo.InvariantCulture, $"khungtaskd: no hung task (no kthread in D for {hung.TotalSeconds:0.###}s without a switch)")
                : "khungtaskd: hung task detection off (kthreads.watchdog.hung-task-timeout = 0)",
        ];
    }

    private sealed class Listener : UntypedActor
    {
        private readonly ConcurrentQueue<string> _seen;

        public Listener(ConcurrentQueue<string> seen) => _seen = seen;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                // The watchdogs' own lines, as they logged them.
                case SoftLockupDetected lockup:
                    _seen.Enqueue(lockup.Message);
                    break;
                case HungTaskDetected hung:
                    _seen.Enqueue(hung.Message);
                    break;
                default:
                    Unhandled(message);
                    break;
            }
        }
    }
}
