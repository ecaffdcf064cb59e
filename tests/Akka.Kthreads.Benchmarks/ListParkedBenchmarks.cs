using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// ps over 10,000 parked per-CPU threads (CreateOnCpuAsync: created parked, each bound to its CPU), vs one Ask whose
/// reply is a fresh array of as many fresh rows: every row shows the CPU its thread is bound to.
/// </summary>
public class ListParkedBenchmarks
{
    private const int Threads = 10_000;
    private ActorSystem _system = null!;
    private Kthreads _kthreads = null!;
    private IActorRef _rows = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("list-parked");
        _kthreads = Kthreads.Get(_system);
        var cpus = _kthreads.Cpus.Possible.Count;
        var creates = new Task[Threads];
        for (var i = 0; i < Threads; i++)
        {
            creates[i] = _kthreads.CreateOnCpuAsync(Systems.ReturnAtOnce, null, i % cpus, "parked/{0}");
        }

        Task.WaitAll(creates);
        var rows = _kthreads.ListAsync().GetAwaiter().GetResult().ToArray();
        _rows = _system.ActorOf(Props.Create(() => new FreshRows(rows)));
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    [Benchmark(Baseline = true), BenchmarkCategory("ps of parked per-CPU threads")]
    public Task<KthreadInfo[]> Ask_for_an_array_of_rows() => _rows.Ask<KthreadInfo[]>("rows", Systems.AskTimeout);

    [Benchmark, BenchmarkCategory("ps of parked per-CPU threads")]
    public Task<IReadOnlyList<KthreadInfo>> ListAsync() => _kthreads.ListAsync();
}
