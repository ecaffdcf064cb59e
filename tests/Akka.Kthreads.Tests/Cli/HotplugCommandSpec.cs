using System.Text.RegularExpressions;
using Akka.Kthreads.Cli;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Hotplug;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// <c>kps hotplug</c> as a user runs it, in-process, plain text: per-CPU threads park with their CPU
/// and come back with their state, the hotplug states run in cpuhp's order, the last CPU stays.
/// </summary>
public sealed class HotplugCommandSpec(ITestOutputHelper log)
{
    private static readonly string[] Families = ["ksoftirqd", "migration"];
    private static readonly string[] StatesUp = ["smpboot/threads:online", "demo/first:online", "demo/second:online"];

    [Theory]
    [InlineData("hotplug", 4)]
    [InlineData("hotplug --cpus 2", 2)]
    [InlineData("--cpus 3 hotplug", 3)]
    public async Task Hotplug_parks_the_per_cpu_threads_of_a_cpu_going_down_and_resumes_them_with_their_state(string commandLine, int cpus)
    {
        var (code, output, error) = await KpsRun.RunAsync(log, commandLine);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.DoesNotContain('\u001b', output);
        var last = cpus - 1;
        var tables = KpsRun.Tables(output);
        Assert.Equal(["b.", "c.", "d.", "e.", "f."], tables.Select(t => t.Heading[..2]));
        var (running, firstDown, allDown, backUp, final) = (tables[0], tables[1], tables[2], tables[3], tables[4]);

        AssertPerCpu(running, Enumerable.Range(0, cpus), "S");
        Assert.Equal([$"{last}", "S"], KpsRun.Row(running, "pinned")[2..4]);

        AssertPerCpu(firstDown, [last], "P");
        AssertPerCpu(firstDown, Enumerable.Range(0, last), "S");
        Assert.Equal(["0", "S"], KpsRun.Row(firstDown, "pinned")[2..4]);
        Assert.Contains($"pinned lost CPU {last} (\"no longer affine\") and moved to CPU 0", firstDown.Heading);

        AssertPerCpu(allDown, Enumerable.Range(1, last), "P");
        AssertPerCpu(allDown, [0], "S");

        AssertPerCpu(backUp, Enumerable.Range(0, cpus), "S");
        Assert.Equal("0", KpsRun.Row(backUp, "pinned")[2]);

        Assert.Equal([["2", "0", "-", "S", "kthreadd"]], final.Rows);
        Assert.Equal(running.Rows.Select(r => r[0]), backUp.Rows.Select(r => r[0]));
        Assert.EndsWith("Node shut down through CoordinatedShutdown.", output.TrimEnd());
    }

    [Fact]
    public async Task Hotplug_shows_the_states_that_ran_startups_in_order_on_up_teardowns_in_reverse_on_down()
    {
        var (code, output, _) = await KpsRun.RunAsync(log, "hotplug --cpus 4");

        Assert.Equal(0, code);
        Assert.Contains("SetupStateAsync(\"demo/first:online\") = 1: startup on cpu 0 = 0, cpu 1 = 0, cpu 2 = 0, cpu 3 = 0", output);
        Assert.Contains("SetupStateAsync(\"demo/second:online\") = 2: startup on cpu 0 = 0, cpu 1 = 0, cpu 2 = 0, cpu 3 = 0", output);
        Assert.Contains("Cpus.States, in startup order: 0 smpboot/threads:online, 1 demo/first:online, 2 demo/second:online", output);

        var downs = CpuLines(output, "down", "teardown", "CpuOffline");
        Assert.Equal([3, 2, 1], downs.Select(d => d.Cpu));
        Assert.All(downs, d => Assert.Equal(StatesUp.Reverse(), d.States));

        var ups = CpuLines(output, "up", "startup", "CpuOnline");
        Assert.Equal([1, 2, 3], ups.Select(u => u.Cpu));
        Assert.All(ups, u => Assert.Equal(StatesUp, u.States));

        // Removal: the newest state first, its teardown once on each online CPU.
        var removed = Regex.Matches(output, @"^\s*RemoveStateAsync\((\d)\) = 0: teardown on (.+)$", RegexOptions.Multiline);
        Assert.Equal(["2", "1"], removed.Select(m => m.Groups[1].Value));
        Assert.All(removed, m => Assert.Equal(["0", "1", "2", "3"],
            Regex.Matches(m.Groups[2].Value, @"cpu (\d) = 0").Select(c => c.Groups[1].Value).Order()));
        Assert.Contains("Cpus.States: 0 smpboot/threads:online", output);
    }

    [Fact]
    public async Task Hotplug_counters_go_on_across_down_and_up_and_work_raised_while_parked_waits()
    {
        var (code, output, _) = await KpsRun.RunAsync(log, "hotplug --cpus 4");

        Assert.Equal(0, code);
        foreach (var family in Families)
        {
            var counts = Regex.Matches(output, $@"^\s*{family}/N handled: (.+)$", RegexOptions.Multiline)
                .Select(m => m.Groups[1].Value)
                .ToList();
            Assert.Equal(3, counts.Count);
            // b: 2 works each; d: CPU 0 handled one more, the parked ones hold theirs; e: every count is 3, none reset.
            Assert.Equal("cpu 0 = 2, cpu 1 = 2, cpu 2 = 2, cpu 3 = 2", counts[0]);
            Assert.Equal("cpu 0 = 3, cpu 1 = 2 (+1 pending), cpu 2 = 2 (+1 pending), cpu 3 = 2 (+1 pending)", counts[1]);
            Assert.Equal("cpu 0 = 3, cpu 1 = 3, cpu 2 = 3, cpu 3 = 3", counts[2]);
        }

        Assert.Contains("WakeUpAsync = true for the 2 of CPU 0, false for the 6 parked ones (their work waits)", output);
        Assert.Contains("Setup ran once per thread; Park and Unpark once for each thread of CPUs 1-3.", output);
    }

    [Fact]
    public async Task Hotplug_with_one_cpu_cannot_take_the_last_cpu_down()
    {
        var (code, output, error) = await KpsRun.RunAsync(log, "hotplug --cpus 1");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Contains("d. DownAsync(0) = -16 (-EBUSY): the last online CPU cannot go down. Cpus.Online: 0", output);
        Assert.Empty(CpuLines(output, "down", "teardown", "CpuOffline"));
        var tables = KpsRun.Tables(output);
        Assert.Equal(["b.", "d.", "f."], tables.Select(t => t.Heading[..2]));
        Assert.All(tables.SkipLast(1), t => AssertPerCpu(t, [0], "S"));
        Assert.DoesNotContain(tables.SelectMany(t => t.Rows), r => r[4] == "pinned" || r[3] == "P");
    }

    [Fact]
    public async Task Hotplug_on_a_terminal_draws_spectre_tables()
    {
        var output = new StringWriter();

        var code = await Program.RunAsync(["hotplug", "--cpus", "2"], output, rich: true, error: new StringWriter());

        log.WriteLine(output.ToString());
        Assert.Equal(0, code);
        Assert.Empty(KpsRun.Tables(output.ToString()));
        Assert.Contains("│", output.ToString());
        Assert.Contains("migration/1", output.ToString());
    }

    [Theory]
    [InlineData("hotplug --cpus 0")]
    [InlineData("hotplug extra")]
    public async Task Hotplug_with_a_bad_argument_fails_with_a_message(string commandLine)
    {
        var (code, _, error) = await KpsRun.RunAsync(log, commandLine);

        Assert.NotEqual(0, code);
        Assert.NotEqual(string.Empty, error.Trim());
    }

    [Fact]
    public void A_teardown_out_of_reverse_state_order_fails_the_scenario()
    {
        HotplugState[] states = [new(0, "smpboot/threads:online"), new(1, "demo/first:online")];
        HotplugStep[] inStateOrder = [new(3, 0, states[0].Name, false, 0), new(3, 1, states[1].Name, false, 0)];

        var failure = Assert.Throws<DemoFailedException>(() => HotplugText.ExpectCpuSteps(3, up: false, inStateOrder, states));

        Assert.Contains("states 0, 1 ran, not 1, 0", failure.Message);
        HotplugText.ExpectCpuSteps(3, up: false, inStateOrder.Reverse().ToArray(), states);
    }

    [Fact]
    public void A_rollback_or_a_failed_callback_fails_the_scenario()
    {
        HotplugState[] states = [new(0, "smpboot/threads:online"), new(1, "demo/first:online")];

        Assert.Throws<DemoFailedException>(() => HotplugText.ExpectCpuSteps(1, up: true,
            [new(1, 0, states[0].Name, true, 0), new(1, 1, states[1].Name, true, -Errno.EBUSY)], states));
        Assert.Throws<DemoFailedException>(() => HotplugText.ExpectCpuSteps(1, up: true,
            [new(1, 0, states[0].Name, true, 0), new(1, 0, states[0].Name, false, 0)], states));
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 0 }, "0")]
    [InlineData(new[] { 3, 0, 1 }, "0-1,3")]
    public void Cpu_lists_read_as_sysfs_prints_them(int[] cpus, string expected) =>
        Assert.Equal(expected, HotplugText.CpuList(cpus));

    /// <summary>Every ksoftirqd/N and migration/N of <paramref name="cpus"/> shows <paramref name="stat"/> on its own CPU.</summary>
    private static void AssertPerCpu(PsTable table, IEnumerable<int> cpus, string stat)
    {
        foreach (var cpu in cpus)
        {
            foreach (var family in Families)
            {
                Assert.Equal([$"{cpu}", stat], KpsRun.Row(table, $"{family}/{cpu}")[2..4]);
            }
        }
    }

    /// <summary>"cpu 3 down: a teardown = 0, b teardown = 0; CpuOffline(3)": the CPU and its states in the order they ran.</summary>
    private static List<(int Cpu, List<string> States)> CpuLines(string output, string direction, string callback, string evt) =>
        Regex.Matches(output, $@"^\s*cpu (\d+) {direction}: (.+); {evt}\((\d+)\)$", RegexOptions.Multiline)
            .Select(m =>
            {
                Assert.Equal(m.Groups[1].Value, m.Groups[3].Value);
                var states = m.Groups[2].Value.Split(", ").Select(step =>
                {
                    var parts = Regex.Match(step, $@"^(\S+) {callback} = 0$");
                    Assert.True(parts.Success, step);
                    return parts.Groups[1].Value;
                }).ToList();
                return (int.Parse(m.Groups[1].Value), states);
            })
            .ToList();
}
