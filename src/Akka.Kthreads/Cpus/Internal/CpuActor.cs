using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One CPU: its stopper (the kernel's cpu_stopper thread, "migration/N"). Stopper
/// works (stop_machine, stop_one_cpu, take_cpu_down) run here one at a time, in arrival order;
/// each takes the CPU's run queue ahead of every kthread.
/// </summary>
internal sealed class CpuActor : UntypedActor
{
    private readonly int _cpu;
    private readonly Queue<MultiStop> _works = new();
    private bool _busy;

    public CpuActor(int cpu) => _cpu = cpu;

    public static Props Props(int cpu) => Actor.Props.Create(() => new CpuActor(cpu));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case MultiStop work:
                _works.Enqueue(work);
                RunNext();
                break;
            case StopperDone:
                _busy = false;
                RunNext();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void RunNext()
    {
        if (_busy || !_works.TryDequeue(out var work))
        {
            return;
        }

        _busy = true;
        var self = Self;
        // Only the stopper's acquire runs here (so the holder's next checkpoint sees it waiting);
        // every later step runs on the CPU's own thread. The walk never throws (fn's exceptions are
        // caught inside it). The next work waits for the whole call, which ends once every stopper
        // let its CPU go: so the CPU thread that reaches EXIT completes the caller's task first, and
        // the CPU actors hear of it after, instead of one Tell per CPU on the way to the caller.
        _ = work.ParticipateAsync(_cpu);
        work.Completion.ContinueWith(
            static (_, s) => ((IActorRef)s!).Tell(StopperDone.Instance), self,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private sealed class StopperDone
    {
        public static StopperDone Instance { get; } = new();
    }
}
