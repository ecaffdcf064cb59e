using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Hotplug;

// Steps e and f: the CPUs back up (threads unparked, counts going on), then everything removed.
internal sealed partial class HotplugScenario
{
    // e. Up from the lowest: startups in state order, smpboot's first, so the threads run before the later states.
    private async Task UpAsync(IReadOnlyList<int> cpus)
    {
        var ups = new List<string>();
        var lines = new List<string>();
        foreach (var cpu in cpus)
        {
            var result = await Cpus.UpAsync(cpu, ct).ConfigureAwait(false);
            Expect(result == 0, $"UpAsync({cpu}) returned {ExitCodes.Describe(result)}, not 0");
            ups.Add($"UpAsync({cpu}) = {result}");
            lines.Add(await ReadCpuStepsAsync(cpu, up: true).ConfigureAwait(false));
        }

        output.Heading($"e. {string.Join(", ", ups)}{(ups.Count > 1 ? ", one at a time" : string.Empty)}; startups in state order, then CpuOnline:");
        lines.ForEach(output.Line);
        output.Line($"Cpus.Online: {HotplugText.CpuList(Cpus.Online)}");
        Expect(Cpus.Online.SequenceEqual(Cpus.Possible), $"Cpus.Online is {HotplugText.CpuList(Cpus.Online)} after every CPU came back");

        await _daemons.WaitHandledAsync(cpus, (spec, cpu) => _handledBefore[(spec, cpu)] + WorksWhileDown, ct).ConfigureAwait(false);
        output.Heading("e. Unparked with their per-CPU state, the threads handled the work raised while parked; the counts went on:");
        ShowCounters();
        output.Line($"Setup ran once per thread; Park and Unpark once for each thread of CPU{(cpus.Count == 1 ? string.Empty : "s")} {HotplugText.CpuList(cpus)}.");
        ExpectCountsWentOn();

        output.Heading(string.Empty);
        var rows = await SettledPs.ReadAsync(kthreads, ct).ConfigureAwait(false);
        var pinned = SettledPs.Row(rows, PinnedComm);
        output.Heading($"e. ps: every per-CPU thread back on its CPU (S); {PinnedComm} stays on CPU {pinned.Cpu}, its binding to CPU {GoingDown[0]} gone.");
        output.Table(rows);
        ExpectPerCpu(rows, Cpus.Possible, 'S');
        Expect(pinned.Cpu != $"{GoingDown[0]}", $"{PinnedComm} is back on CPU {GoingDown[0]}: a plain kthread should have lost that binding");
    }

    // The per-CPU state survived: nothing reset, nothing run twice, nothing run on a foreign CPU.
    private void ExpectCountsWentOn()
    {
        foreach (var spec in _daemons.Specs)
        {
            foreach (var cpu in Cpus.Possible)
            {
                var counter = _daemons.Counter(spec, cpu);
                var comm = _daemons.Thread(spec, cpu).Thread.Comm;
                var expected = _handledBefore[(spec, cpu)] + WorksWhileDown;
                Expect(counter.Handled == expected, $"{comm} handled {counter.Handled} works, not {expected}: its per-CPU state did not carry over");
                Expect(counter.Setups == 1, $"Setup ran {counter.Setups} times for {comm}, not once");
                var cycles = cpu == 0 ? 0 : 1;
                Expect(counter.Parks == cycles && counter.Unparks == cycles,
                    $"{comm} ran Park {counter.Parks} and Unpark {counter.Unparks} times, not {cycles}");
            }
        }

        ExpectOwnCpu();
    }

    // f. Unregister (stops every per-CPU thread), stop the pinned kthread, remove the states newest first.
    private async Task TearDownAsync()
    {
        await _daemons.UnregisterAsync(ct).ConfigureAwait(false);
        var stopped = string.Empty;
        if (_pinned is { } pinned)
        {
            var code = await pinned.StopAsync(ct).ConfigureAwait(false);
            Expect(code == 0, $"StopAsync({Name(pinned)}) returned {ExitCodes.Describe(code)}, not 0");
            stopped = $"; StopAsync({Name(pinned)}) = {code}";
        }

        output.Heading($"f. UnregisterAsync stopped every per-CPU thread{stopped}.");
        output.Heading("f. RemoveStateAsync of the dynamic states, newest first; each teardown ran on every online CPU:");
        foreach (var id in Enumerable.Reverse(_states))
        {
            var result = await Cpus.RemoveStateAsync(id, ct).ConfigureAwait(false);
            var call = $"RemoveStateAsync({id}) = {ExitCodes.Describe(result)}";
            Expect(result == 0, $"{call}, not 0");
            var steps = await events.ReadStepsAsync(Cpus.Online.Count, call, ct).ConfigureAwait(false);
            output.Line(HotplugText.StateLine(call, startup: false, steps));
            HotplugText.ExpectStateSteps(id, startup: false, steps, Cpus.Online);
        }

        output.Line($"Cpus.States: {HotplugText.States(Cpus.States)}");
        output.Heading(string.Empty);
        Expect(Cpus.States.Select(s => s.Id).SequenceEqual([0]), $"Cpus.States is {HotplugText.States(Cpus.States)}, not the built-in state alone");

        var rows = await SettledPs.ShowAsync(output, kthreads, "f. After the teardown only kthreadd is left.", ct).ConfigureAwait(false);
        Expect(rows.Count == 1, $"{rows.Count - 1} threads are still listed after the teardown");
    }
}
