using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Hotplug;

// Steps c and d: CPUs going down one at a time, and the last one refusing to.
internal sealed partial class HotplugScenario
{
    /// <summary>Works raised on every per-CPU thread while the CPUs are down (step d).</summary>
    public const int WorksWhileDown = 1;

    // c. The first CPU down: its per-CPU threads park, the pinned kthread moves.
    private async Task FirstDownAsync(int cpu)
    {
        output.Heading($"c. {await DownAsync(cpu).ConfigureAwait(false)}. The hotplug states that ran, teardowns in reverse state order, then CpuOffline:");
        output.Line(await ReadCpuStepsAsync(cpu, up: false).ConfigureAwait(false));
        output.Line($"Cpus.Online: {HotplugText.CpuList(Cpus.Online)}");
        output.Heading(string.Empty);

        var rows = await SettledPs.ReadAsync(kthreads, ct).ConfigureAwait(false);
        var pinned = SettledPs.Row(rows, PinnedComm);
        var threads = string.Join(" and ", _daemons.Specs.Select(s => _daemons.Thread(s, cpu).Thread.Comm));
        output.Heading($"c. ps: {threads} parked (P) with their state; {PinnedComm} lost CPU {cpu} (\"no longer affine\") and moved to CPU {pinned.Cpu}.");
        output.Table(rows);

        ExpectPerCpu(rows, [cpu], 'P');
        ExpectPerCpu(rows, Cpus.Online, 'S');
        Expect(pinned.Cpu != $"{cpu}" && pinned.Cpu != "-", $"{PinnedComm} is listed on CPU {pinned.Cpu} after CPU {cpu} went down");
        Expect(pinned.Stat == 'S', $"{PinnedComm} is {pinned.Stat}, not S, after it moved");
        Expect(_daemons.Specs.All(s => _daemons.Counter(s, cpu).Parks == 1), $"Park should have run once for each per-CPU thread of CPU {cpu}");
    }

    // d. The other CPUs but 0 down; CPU 0 refuses; work raised now waits for the parked threads.
    private async Task RestDownAsync(IReadOnlyList<int> cpus)
    {
        if (cpus.Count > 0)
        {
            var downs = new List<string>();
            var lines = new List<string>();
            foreach (var cpu in cpus)
            {
                downs.Add(await DownAsync(cpu).ConfigureAwait(false));
                lines.Add(await ReadCpuStepsAsync(cpu, up: false).ConfigureAwait(false));
            }

            output.Heading($"d. {string.Join(", ", downs)}, one at a time:");
            lines.ForEach(output.Line);
        }

        var last = await Cpus.DownAsync(0, ct).ConfigureAwait(false);
        output.Heading($"d. DownAsync(0) = {ExitCodes.Describe(last)}: the last online CPU cannot go down. Cpus.Online: {HotplugText.CpuList(Cpus.Online)}");
        Expect(last == -Errno.EBUSY, $"DownAsync(0) of the last online CPU returned {ExitCodes.Describe(last)}, not -16 (-EBUSY)");
        Expect(Cpus.Online.SequenceEqual([0]), $"Cpus.Online is {HotplugText.CpuList(Cpus.Online)}, not 0");

        await RaiseWhileDownAsync().ConfigureAwait(false);

        var parked = GoingDown.Count == 0
            ? "the node has no other CPU."
            : $"the per-CPU threads of CPU{(GoingDown.Count == 1 ? string.Empty : "s")} {HotplugText.CpuList(GoingDown)} parked (P), their work pending.";
        output.Heading(string.Empty);
        var rows = await SettledPs.ShowAsync(output, kthreads, $"d. ps with only CPU 0 online: {parked}", ct).ConfigureAwait(false);
        ExpectPerCpu(rows, GoingDown, 'P');
        ExpectPerCpu(rows, [0], 'S');
    }

    // A parked thread is not woken (wake_up_process() does not match TASK_PARKED); its work waits in its per-CPU state.
    private async Task RaiseWhileDownAsync()
    {
        var woken = await _daemons.RaiseAllAsync(WorksWhileDown, ct).ConfigureAwait(false);
        var online = woken.Where(w => w.Comm.EndsWith("/0", StringComparison.Ordinal)).ToList();
        var parked = woken.Except(online).ToList();
        var summary = parked.Count == 0
            ? $"WakeUpAsync = true for the {online.Count} threads of CPU 0"
            : $"WakeUpAsync = true for the {online.Count} of CPU 0, false for the {parked.Count} parked ones (their work waits)";
        output.Heading($"d. Raised {WorksWhileDown} work on every per-CPU thread; {summary}:");
        Expect(online.All(w => w.Woken), $"WakeUpAsync of a sleeping thread on CPU 0 returned false: {string.Join(", ", online)}");
        Expect(parked.All(w => !w.Woken), $"WakeUpAsync of a parked thread returned true: {string.Join(", ", parked.Where(w => w.Woken))}");

        await _daemons.WaitHandledAsync([0], (spec, cpu) => _handledBefore[(spec, cpu)] + WorksWhileDown, ct).ConfigureAwait(false);
        ShowCounters();
        var ran = _daemons.Specs.SelectMany(spec => GoingDown.Select(cpu => (spec, cpu)))
            .Where(key => _daemons.Counter(key.spec, key.cpu).Handled != _handledBefore[key])
            .Select(key => _daemons.Thread(key.spec, key.cpu).Thread.Comm)
            .ToList();
        Expect(ran.Count == 0, $"{string.Join(", ", ran)} handled work while parked");
    }

    private async Task<string> DownAsync(int cpu)
    {
        var result = await Cpus.DownAsync(cpu, ct).ConfigureAwait(false);
        Expect(result == 0, $"DownAsync({cpu}) returned {ExitCodes.Describe(result)}, not 0");
        Expect(!Cpus.IsOnline(cpu), $"cpu {cpu} is still online after DownAsync({cpu}) = 0");
        return $"DownAsync({cpu}) = {result}";
    }

    /// <summary>The callbacks one CPU's bring-up or take-down ran, checked against the installed states, as a line.</summary>
    private async Task<string> ReadCpuStepsAsync(int cpu, bool up)
    {
        var steps = await events.ReadCpuAsync(cpu, up, ct).ConfigureAwait(false);
        var line = HotplugText.CpuLine(cpu, up, steps);
        HotplugText.ExpectCpuSteps(cpu, up, steps, Cpus.States);
        return line;
    }
}
