using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// ps over 10,000 parked per-CPU threads (CreateOnCpuAsync: created parked, each bound to its CPU), vs one Ask whose
/// reply is a fresh array of as many fresh rows: every row shows the CPU its thread is bound to.
/// </summary>
public class ListParkedBenchmarks : PsBenchmarks
{
    [GlobalSetup]
    public void Setup() => Start("list-parked", 10_000,
        i => Kthreads.CreateOnCpuAsync(Systems.ReturnAtOnce, null, i % Kthreads.Cpus.Possible.Count, "parked/{0}"));
}
