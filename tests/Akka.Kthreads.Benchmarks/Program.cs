using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// Runs every benchmark beside its raw-Akka baseline, then the scale figures.
/// --quick: BenchmarkDotNet's short run (under 3 minutes on 2 cores); --million: also 1,000,000 parked kthreads;
/// --scale-only / --no-scale: one half only; --busy-cpus-only: only the Ask latency with every CPU busy;
/// --cluster-only: only the cluster figures (hand-off on a graceful leave, QueueOnCpuAsync items/s, remote park + unpark,
/// cluster-wide stop_machine); --cluster-ops-only: only the last two; --idle-poll-only: only the idle-poll figures.
/// Other arguments go to BenchmarkDotNet (e.g. --filter); the stop_machine call → fn figures follow
/// the benchmarks whenever StopMachineBenchmarks ran, the busy-CPU and cluster figures whenever every benchmark ran.
/// </summary>
public static class Program
{
    // stop_machine calls timed one by one for the call → fn running figure (median and p95).
    private const int StopMachineRuns = 200;

    // In-process runs give up after 5 minutes per benchmark; a wake-up row whose pilot
    // guessed fast ops can run 100 iterations of seconds each, so allow what it needs.
    private static readonly TimeSpan BenchmarkTimeout = TimeSpan.FromMinutes(30);

    /// <summary>The benchmarks, then the figures BenchmarkDotNet cannot take; 0 unless something throws.</summary>
    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var million = args.Contains("--million");
        var scaleOnly = args.Contains("--scale-only");
        var noScale = args.Contains("--no-scale");
        var busyOnly = args.Contains("--busy-cpus-only");
        var clusterOnly = args.Contains("--cluster-only");
        var clusterOpsOnly = args.Contains("--cluster-ops-only");
        var coldOnly = args.Contains("--cold-stop-machine-only");
        var idlePollOnly = args.Contains("--idle-poll-only");
        var rest = args.Where(a => a is not ("--quick" or "--million" or "--scale-only" or "--no-scale" or "--busy-cpus-only" or "--cluster-only" or "--cluster-ops-only" or "--cold-stop-machine-only" or "--idle-poll-only")).ToArray();
        if (idlePollOnly)
        {
            await IdlePollFigures.RunAsync(Console.Out);
            return 0;
        }

        if (busyOnly)
        {
            await BusyCpusFigures.RunAsync(Console.Out);
            return 0;
        }

        if (coldOnly)
        {
            await StopMachineFigures.RunAsync(StopMachineRuns, Console.Out, loaded: false);
            await StopMachineFigures.RunAsync(StopMachineRuns, Console.Out, loaded: true);
            return 0;
        }

        if (clusterOpsOnly)
        {
            await ClusterOpsFigures.RunAsync(Console.Out);
            return 0;
        }

        if (clusterOnly)
        {
            await ClusterFiguresAsync();
            return 0;
        }

        if (!scaleOnly)
        {
            // In-process: no per-benchmark project build, so a quick run fits in minutes.
            // --quick: short iterations, so every benchmark and the scale figures fit in 3 minutes on 2 cores.
            var job = (quick
                    ? Job.ShortRun.WithWarmupCount(2).WithIterationTime(TimeInterval.FromMilliseconds(250))
                    : Job.Default)
                .WithToolchain(new InProcessEmitToolchain(BenchmarkTimeout, logOutput: true));
            // Every class: its memory, grouped by category beside its baseline, with the category shown.
            var config = DefaultConfig.Instance.AddJob(job)
                .AddDiagnoser(MemoryDiagnoser.Default)
                .AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory)
                .AddColumn(CategoriesColumn.Default)
                .WithOptions(ConfigOptions.JoinSummary);
            var switcher = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly);
            var summaries = rest.Length == 0 ? switcher.RunAll(config) : switcher.Run(rest, config);

            // What BenchmarkDotNet cannot take apart (call → fn running) goes with the stop_machine benchmarks.
            if (summaries.Any(s => s.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(StopMachineBenchmarks))))
            {
                await StopMachineFigures.RunAsync(StopMachineRuns, Console.Out, loaded: false);
                await StopMachineFigures.RunAsync(StopMachineRuns, Console.Out, loaded: true);
            }

            if (rest.Length == 0)
            {
                await BusyCpusFigures.RunAsync(Console.Out);
                await ClusterFiguresAsync();
            }
        }

        if (!noScale)
        {
            await ScaleFigures.RunAsync(100_000, Console.Out);
            if (million)
            {
                await ScaleFigures.RunAsync(1_000_000, Console.Out);
            }
        }

        return 0;
    }

    // Each beside its raw sharding + persistence (or remote Ask) counterpart, measured in the same run (about 2 minutes each, the ops 20 s).
    private static async Task ClusterFiguresAsync()
    {
        await ClusterHandOffFigures.RunAsync(Console.Out);
        await ClusterQueueFigures.RunAsync(Console.Out);
        await ClusterOpsFigures.RunAsync(Console.Out);
    }
}
