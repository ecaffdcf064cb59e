using Akka.Actor;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Akka.Kthreads.Benchmarks;

/// <summary>ps over many threads, vs one Ask whose reply is a fresh array of as many fresh rows.</summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)] // by category too, as every class (Program's config)
public class ListBenchmarks
{
    private ActorSystem _system = null!;
    private Kthreads _kthreads = null!;
    private IActorRef _rows = null!;

    [Params(10_000, 100_000)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("list");
        _kthreads = Kthreads.Get(_system);
        var creates = new Task[Threads];
        for (var i = 0; i < Threads; i++)
        {
            creates[i] = _kthreads.CreateAsync(Systems.ReturnAtOnce, null, "listed");
        }

        Task.WaitAll(creates);
        var rows = _kthreads.ListAsync().GetAwaiter().GetResult().ToArray();
        _rows = _system.ActorOf(Props.Create(() => new FreshRows(rows)));
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark(Baseline = true), BenchmarkCategory("ps")]
    public Task<KthreadInfo[]> Ask_for_an_array_of_rows() => _rows.Ask<KthreadInfo[]>("rows", Systems.AskTimeout);

    [Benchmark, BenchmarkCategory("ps")]
    public Task<IReadOnlyList<KthreadInfo>> ListAsync() => _kthreads.ListAsync();
}
