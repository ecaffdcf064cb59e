using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Akka.Kthreads.Benchmarks;

/// <summary>ps over many threads, created and never woken, vs one Ask whose reply is a fresh array of as many fresh rows.</summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)] // by category too, as every class (Program's config)
public class ListBenchmarks : PsBenchmarks
{
    [Params(10_000, 100_000)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => Start("list", Threads, _ => Kthreads.CreateAsync(Systems.ReturnAtOnce, null, "listed"));
}
