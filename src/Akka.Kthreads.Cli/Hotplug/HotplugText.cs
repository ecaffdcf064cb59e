using System.Globalization;
using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Hotplug;

/// <summary>
/// How the scenario prints what hotplug did (one line per CPU going up or down, one per state set
/// up or removed) and checks it against the cpuhp ordering rules.
/// </summary>
internal static class HotplugText
{
    /// <summary>"cpu 3 down: demo/second:online teardown = 0, ...; CpuOffline(3)".</summary>
    public static string CpuLine(int cpu, bool up, IReadOnlyList<HotplugStep> steps) =>
        $"cpu {cpu} {(up ? "up" : "down")}: {string.Join(", ", steps.Select(Callback))}; {(up ? "CpuOnline" : "CpuOffline")}({cpu})";

    /// <summary>"SetupStateAsync("demo/first:online") = 1: startup on cpu 0 = 0, cpu 1 = 0, ...".</summary>
    public static string StateLine(string call, bool startup, IReadOnlyList<HotplugStep> steps) =>
        $"{call}: {(startup ? "startup" : "teardown")} on " + string.Join(", ", steps.Select(s => $"cpu {s.Cpu} = {ExitCodes.Describe(s.Result)}"));

    /// <summary>/sys/devices/system/cpu/online style: "0-2", "0,3".</summary>
    public static string CpuList(IEnumerable<int> cpus)
    {
        var ranges = new List<string>();
        foreach (var group in cpus.Order().Select((cpu, i) => (cpu, i)).GroupBy(p => p.cpu - p.i))
        {
            var first = group.First().cpu;
            var last = group.Last().cpu;
            ranges.Add(first == last
                ? first.ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{first}-{last}"));
        }

        return string.Join(",", ranges);
    }

    /// <summary>"0 smpboot/threads:online, 1 demo/first:online": the installed states in startup order.</summary>
    public static string States(IEnumerable<HotplugState> states) =>
        string.Join(", ", states.Select(s => $"{s.Id} {s.Name}"));

    /// <summary>
    /// cpuhp's rule for one CPU: every installed state's startup in state order on the way up, every
    /// teardown in the reverse order on the way down, each returning 0.
    /// </summary>
    public static void ExpectCpuSteps(int cpu, bool up, IReadOnlyList<HotplugStep> steps, IReadOnlyList<HotplugState> states)
    {
        var expected = up ? states.Select(s => s.Id).ToList() : states.Select(s => s.Id).Reverse().ToList();
        var line = CpuLine(cpu, up, steps);
        Expect(steps.Select(s => s.State).SequenceEqual(expected),
            $"states {string.Join(", ", steps.Select(s => s.State))} ran, not {string.Join(", ", expected)}: {line}");
        Expect(steps.All(s => s.Startup == up), $"a {(up ? "teardown" : "startup")} ran, a rollback: {line}");
        Expect(steps.All(s => s.Result == 0), $"a callback failed: {line}");
    }

    /// <summary>A state's setup or removal: one callback of that state on each online CPU, each returning 0.</summary>
    public static void ExpectStateSteps(int state, bool startup, IReadOnlyList<HotplugStep> steps, IReadOnlyList<int> cpus)
    {
        Expect(steps.All(s => s.State == state && s.Startup == startup && s.Result == 0),
            $"state {state}'s {(startup ? "setup" : "removal")} ran {string.Join(", ", steps)}");
        Expect(steps.Select(s => s.Cpu).Order().SequenceEqual(cpus.Order()),
            $"state {state}'s {(startup ? "startup" : "teardown")} ran on CPUs {CpuList(steps.Select(s => s.Cpu))}, not {CpuList(cpus)}");
    }

    private static string Callback(HotplugStep step) =>
        $"{step.Name} {(step.Startup ? "startup" : "teardown")} = {ExitCodes.Describe(step.Result)}";
}
