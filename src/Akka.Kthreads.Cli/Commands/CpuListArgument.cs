using System.CommandLine;
using System.Globalization;

namespace Akka.Kthreads.Cli.Commands;

/// <summary><c>CPULIST</c> as taskset -c and /sys/devices/system/cpu/online write it: numbers and ranges, e.g. <c>0,2-3</c>.</summary>
internal static class CpuListArgument
{
    // No CPU number reaches this (the kernel's NR_CPUS is at most 8192): a typo such as 0-2000000000 is an error, not a loop.
    private const int MaxCpus = 8192;

    public static Argument<int[]> Create() => new("CPULIST")
    {
        Description = "The CPUs the thread may run on, as taskset -c takes them: numbers and ranges, e.g. 3 or 0,2-3 (cluster CPUs)",
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (TryParse(token, out var cpus))
            {
                return cpus;
            }

            result.AddError($"'{token}' is not a CPU list: numbers below {MaxCpus} and ranges such as 3 or 0,2-3");
            return [];
        },
    };

    /// <summary>The CPUs of <paramref name="text"/>, ascending and each once; false for anything that is not a list.</summary>
    public static bool TryParse(string text, out int[] cpus)
    {
        cpus = [];
        var set = new SortedSet<int>();
        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var (from, to) = dash < 0 ? (part, part) : (part[..dash], part[(dash + 1)..]);
            // Every CPU number below MaxCpus, so a range can neither be huge nor run past int.MaxValue.
            if (!Cpu(from, out var first) || !Cpu(to, out var last) || last < first || last >= MaxCpus)
            {
                return false;
            }

            for (var cpu = first; cpu <= last; cpu++)
            {
                set.Add(cpu);
            }
        }

        cpus = [.. set];
        return true;
    }

    private static bool Cpu(string text, out int cpu) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out cpu);
}
