using System.Collections.Concurrent;
using System.Globalization;
using Akka.Actor;

namespace Akka.Kthreads.Cli.Output;

/// <summary>
/// The soft lockups a node's watchdog reported while kps ran (SoftLockupDetected on its event stream),
/// noted under the ps table in the kernel's wording, or one line saying there were none.
/// </summary>
internal sealed class SoftLockupNotes
{
    private readonly ConcurrentQueue<SoftLockupDetected> _seen = new();
    private readonly TimeSpan _threshold;

    public SoftLockupNotes(ActorSystem system, TimeSpan threshold)
    {
        _threshold = threshold;
        var listener = system.ActorOf(Props.Create(() => new Listener(_seen)), "kps-softlockup-notes");
        system.EventStream.Subscribe(listener, typeof(SoftLockupDetected));
    }

    /// <summary>One line per report, as dmesg shows it; else whether the watchdog was on and found nothing.</summary>
    public IReadOnlyList<string> Lines()
    {
        if (!_seen.IsEmpty)
        {
            return _seen.Select(Line).ToArray();
        }

        return _threshold > TimeSpan.Zero
            ? [string.Create(CultureInfo.InvariantCulture, $"watchdog: no soft lockup (no kthread held its CPU {_threshold.TotalSeconds:0.###}s without a checkpoint)")]
            : ["watchdog: soft lockup detection off (kthreads.watchdog.soft-lockup-threshold = 0)"];
    }

    // kernel/watchdog.c: pr_emerg("BUG: soft lockup - CPU#%d stuck for %us! [%s:%d]\n", ...)
    public static string Line(SoftLockupDetected report) => string.Create(CultureInfo.InvariantCulture,
        $"watchdog: BUG: soft lockup - CPU#{report.Cpu} stuck for {(int)report.StuckFor.TotalSeconds}s! [{report.Comm}:{report.Pid}]");

    private sealed class Listener : UntypedActor
    {
        private readonly ConcurrentQueue<SoftLockupDetected> _seen;

        public Listener(ConcurrentQueue<SoftLockupDetected> seen) => _seen = seen;

        protected override void OnReceive(object message)
        {
            if (message is SoftLockupDetected report)
            {
                _seen.Enqueue(report);
            }
            else
            {
                Unhandled(message);
            }
        }
    }
}
