using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// Runs every benchmark beside its raw-Akka baseline, then the scale figures.
/// --quick: BenchmarkDotNet's short run (under 3 minutes on 2 cores); --million: also 1,000,000 parked kthreads;
/// --scale-only / --no-scale: one half only. Other arguments go to BenchmarkDotNet (e.g. --filter);
/// the stop_machine call → fn figures follow the benchmarks whenever the filter takes StopMachineBenchmarks.
/// </summary>
public static class Program
{
    // stop_machine calls timed one by one for the call → fn running figure (median and p95).
    private const int StopMachineRuns = 200;

    /// <summary>The benchmarks, then the figures BenchmarkDotNet cannot take; 0 unless something throws.</summary>
    public static async Task<int> Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var million = args.Contains("--million");
        var scaleOnly = args.Contains("--scale-only");
        var noScale = args.Contains("--no-scale");
        var rest = args.Where(a => a is not ("--quick" or "--million" or "--scale-only" or "--no-scale")).ToArray();

        if (!scaleOnly)
        {
            // In-process: no per-benchmark project build, so a quick run fits in minutes.
            // --quick: short iterations, so every benchmark and the scale figures fit in 3 minutes on 2 cores.
            var job = (quick
                    ? Job.ShortRun.WithWarmupCount(2).WithIterationTime(TimeInterval.FromMilliseconds(250))
                    : Job.Default)
                .WithToolchain(InProcessEmitToolchain.Instance);
            var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.JoinSummary);
            var switcher = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly);
            if (rest.Length == 0)
            {
                switcher.RunAll(config);
            }
            else
            {
                switcher.Run(rest, config);
            }

            // What BenchmarkDotNet cannot take apart (call → fn running) goes with the stop_machine benchmarks.
            if (Selects(rest, typeof(StopMachineBenchmarks)))
            {
                await StopMachineFigures.RunAsync(StopMachineRuns, Console.Out);
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

    // True when no --filter is given, or one of its globs matches a benchmark of the type, as BenchmarkDotNet
    // matches them; false for --list, which runs nothing.
    private static bool Selects(string[] args, Type type)
    {
        if (args.Contains("--list"))
        {
            return false;
        }

        var patterns = new List<string>();
        var filtered = false;
        var inFilter = false;
        foreach (var arg in args)
        {
            if (arg is "--filter" or "-f" || arg.StartsWith("--filter=", StringComparison.Ordinal))
            {
                filtered = true;
                inFilter = !arg.Contains('=');
                if (!inFilter)
                {
                    patterns.Add(arg["--filter=".Length..]);
                }
            }
            else if (arg.StartsWith('-'))
            {
                inFilter = false;
            }
            else if (inFilter)
            {
                patterns.Add(arg);
            }
        }

        var names = type.GetMethods()
            .Where(m => m.IsDefined(typeof(BenchmarkAttribute), inherit: false))
            .Select(m => $"{type.FullName}.{m.Name}")
            .ToArray();
        return !filtered || patterns.Any(p =>
        {
            var glob = new Regex("^" + Regex.Escape(p).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.IgnoreCase);
            return names.Any(glob.IsMatch);
        });
    }
}
