using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>ps beside its baseline, one Ask whose reply is a fresh array of as many fresh rows; subclasses choose the threads.</summary>
public abstract class PsBenchmarks
{
    private ActorSystem _system = null!;
    private IActorRef _rows = null!;

    /// <summary>The system's kthreads, set before the threads are made.</summary>
    protected Kthreads Kthreads { get; private set; } = null!;

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark(Baseline = true), BenchmarkCategory("ps")]
    public Task<KthreadInfo[]> Ask_for_an_array_of_rows() => _rows.Ask<KthreadInfo[]>("rows", Systems.AskTimeout);

    [Benchmark, BenchmarkCategory("ps")]
    public Task<IReadOnlyList<KthreadInfo>> ListAsync() => Kthreads.ListAsync();

    /// <summary>Starts a system, makes <paramref name="count"/> threads with <paramref name="create"/>(i), and gives the baseline their rows.</summary>
    protected void Start(string name, int count, Func<int, Task> create)
    {
        _system = Systems.Start(name);
        Kthreads = Kthreads.Get(_system);
        var creates = new Task[count];
        for (var i = 0; i < count; i++)
        {
            creates[i] = create(i);
        }

        Task.WaitAll(creates);
        var rows = Kthreads.ListAsync().GetAwaiter().GetResult().ToArray();
        _rows = _system.ActorOf(Props.Create(() => new FreshRows(rows)));
    }

    // A fresh list of fresh records, as kthreadd makes one per List.
    private sealed class FreshRows(KthreadInfo[] rows) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            var fresh = new KthreadInfo[rows.Length];
            for (var i = 0; i < fresh.Length; i++)
            {
                fresh[i] = rows[i] with { };
            }

            Sender.Tell(fresh);
        }
    }
}
