using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>kthread_worker: queue + run of small works vs raw Tell to one actor; flush of an idle worker vs one Ask.</summary>
public class WorkerBenchmarks
{
    private const int Works = 10_000;
    private ActorSystem _system = null!;
    private IActorRef _counter = null!;
    private KthreadWorker _worker = null!;
    private KthreadWork[] _works = null!;
    private int _done;

    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("worker");
        _counter = _system.ActorOf(Props.Create(() => new Counter()));
        _worker = Kthreads.Get(_system).CreateWorkerAsync("kworker/bench").GetAwaiter().GetResult();
        // Distinct works: the same work cannot be pending twice.
        _works = Enumerable.Range(0, Works).Select(_ => new KthreadWork(_ =>
        {
            _done++;
            return Task.CompletedTask;
        })).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _worker.DestroyAsync().GetAwaiter().GetResult();
        _system.Terminate().Wait();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Works), BenchmarkCategory("queue+run, per item")]
    public Task<int> Tell_then_Ask()
    {
        for (var i = 0; i < Works; i++)
        {
            _counter.Tell(i);
        }

        return _counter.Ask<int>(Counter.Read.Instance, Systems.AskTimeout);
    }

    [Benchmark(OperationsPerInvoke = Works), BenchmarkCategory("queue+run, per item")]
    public Task QueueWork_then_Flush()
    {
        foreach (var work in _works)
        {
            _worker.QueueWork(work);
        }

        return _worker.FlushAsync();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("one work, then flush")]
    public Task<int> One_Tell_then_Ask()
    {
        _counter.Tell(0);
        return _counter.Ask<int>(Counter.Read.Instance, Systems.AskTimeout);
    }

    [Benchmark, BenchmarkCategory("one work, then flush")]
    public Task QueueWork_then_FlushAsync()
    {
        // The worker is asleep: this is a wake-up, one work, the flush marker, and the hand-back.
        _worker.QueueWork(_works[0]);
        return _worker.FlushAsync();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("flush of an idle worker")]
    public Task<int> One_Ask() => _counter.Ask<int>(Counter.Read.Instance, Systems.AskTimeout);

    [Benchmark, BenchmarkCategory("flush of an idle worker")]
    public Task FlushAsync_idle() => _worker.FlushAsync();

    private sealed class Counter : UntypedActor
    {
        private int _count;

        protected override void OnReceive(object message)
        {
            if (message is Read)
            {
                Sender.Tell(_count);
            }
            else
            {
                _count++;
            }
        }

        public sealed record Read
        {
            public static Read Instance { get; } = new();
        }
    }
}
