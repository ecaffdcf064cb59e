using System.Text.RegularExpressions;
using Akka.Kthreads.Cli;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Cli;

/// <summary>
/// kps as a user runs it, in-process: each run starts (and shuts down) its own uniquely named
/// ActorSystem, so these specs run in parallel with each other and with the core specs.
/// </summary>
public sealed class KpsSpec(ITestOutputHelper log)
{
    private static readonly string[] KthreaddRow = ["2", "0", "-", "S", "kthreadd"];

    [Theory]
    [InlineData("")]
    [InlineData("demo")]
    [InlineData("demo --cpus 2")]
    public async Task Demo_shows_every_step_of_the_lifecycle_and_exits_0(string commandLine)
    {
        var (code, output, error) = await KpsRun.RunAsync(log, commandLine);

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var tables = KpsRun.Tables(output);
        Assert.Equal(8, tables.Count);
        Assert.All(tables, t => Assert.Equal(KthreaddRow, t.Rows[0]));

        var (run, onCpu, zombie, parked, unparked, final) = (tables[0], tables[1], tables[2], tables[3], tables[4], tables[7]);
        Assert.StartsWith("a. RunAsync", run.Heading);
        Assert.Contains(Stat(run, "counter"), new[] { "R", "S" });
        Assert.StartsWith("b. CreateOnCpuAsync", onCpu.Heading);
        Assert.Equal("P", Stat(onCpu, "kworker/0"));
        Assert.Equal("0", KpsRun.Row(onCpu, "kworker/0")[2]);
        Assert.StartsWith("c. RunAsync", zombie.Heading);
        Assert.Equal("Z", Stat(zombie, "oneshot"));
        Assert.StartsWith("d. ParkAsync", parked.Heading);
        Assert.Equal("P", Stat(parked, "counter"));
        Assert.StartsWith("d. UnparkAsync", unparked.Heading);
        Assert.Contains(Stat(unparked, "counter"), new[] { "R", "S" });
        Assert.Equal("Z", Stat(unparked, "oneshot"));
        AssertCounterWakeUps(parked, unparked, output);
        AssertWorkerStep(tables[5], tables[6], output);

        Assert.Matches(new Regex(@"^\s*counter \(pid \d+\): 0$", RegexOptions.Multiline), output);
        Assert.Matches(new Regex(@"^\s*kworker/0 \(pid \d+\): -4 \(-EINTR\)$", RegexOptions.Multiline), output);
        Assert.Matches(new Regex(@"^\s*oneshot \(pid \d+\): 42$", RegexOptions.Multiline), output);
        Assert.StartsWith("f. ", final.Heading);
        Assert.Equal(KthreaddRow, Assert.Single(final.Rows));
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('│', output);
    }

    [Fact]
    public async Task Demo_makes_one_kworker_per_possible_cpu()
    {
        var (code, output, _) = await KpsRun.RunAsync(log, "--cpus 3");

        Assert.Equal(0, code);
        var onCpu = KpsRun.Tables(output)[1];
        for (var cpu = 0; cpu < 3; cpu++)
        {
            var row = KpsRun.Row(onCpu, $"kworker/{cpu}");
            Assert.Equal([cpu.ToString(), "P"], row[2..4]);
        }

        Assert.DoesNotContain(onCpu.Rows, r => r[4] == "kworker/3");
    }

    [Fact]
    public async Task Ps_prints_one_table_of_the_demo_threads_and_exits_0()
    {
        var (code, output, error) = await KpsRun.RunAsync(log, "ps --cpus 2");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var table = Assert.Single(KpsRun.Tables(output));
        Assert.Equal(KthreaddRow, table.Rows[0]);
        Assert.Contains(Stat(table, "counter"), new[] { "R", "S" });
        Assert.Equal("P", Stat(table, "kworker/0"));
        Assert.Equal("P", Stat(table, "kworker/1"));
        Assert.Equal("Z", Stat(table, "oneshot"));
        Assert.Equal(5, table.Rows.Count);
        var pids = table.Rows.Select(r => int.Parse(r[0])).ToList();
        Assert.Equal(pids.Order(), pids);
        // The demo's threads all reach checkpoints: the watchdog (on by default) found nothing.
        Assert.Contains("watchdog: no soft lockup (no kthread held its CPU 20s without a checkpoint)", output.Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.Contains("khungtaskd: no hung task (no kthread in D for 120s without a switch)", output.Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task Ps_with_switches_adds_the_nvcsw_and_nivcsw_columns()
    {
        var (code, output, error) = await KpsRun.RunAsync(log, "ps --cpus 2 --switches");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var table = Assert.Single(KpsRun.Grids(output, "PID PPID CPU STAT NVCSW NIVCSW COMMAND"));
        Assert.Equal(["2", "0", "-", "S", "-", "-", "kthreadd"], table.Rows[0]);
        Assert.Equal(5, table.Rows.Count);
        // A counter asleep (S) has given its CPU up at least once; it may still be running its first pass (R).
        var counter = Assert.Single(table.Rows, r => r[6] == "counter");
        Assert.True(counter[3] != "S" || long.Parse(counter[4]) >= 1, $"counter {counter[3]} with nvcsw {counter[4]}");
        // Every thread's counts are numbers.
        Assert.All(table.Rows.Skip(1), r => Assert.True(long.Parse(r[4]) >= 0 && long.Parse(r[5]) >= 0));
        Assert.Empty(KpsRun.Tables(output)); // not the five-column table
    }

    [Fact]
    public async Task Ps_on_a_terminal_draws_a_spectre_table()
    {
        var output = new StringWriter();

        var code = await Program.RunAsync(["ps", "--cpus", "1"], output, rich: true, error: new StringWriter());

        log.WriteLine(output.ToString());
        Assert.Equal(0, code);
        Assert.Empty(KpsRun.Tables(output.ToString()));
        Assert.Contains("COMMAND", output.ToString());
        Assert.Contains("kworker/0", output.ToString());
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("--bogus")]
    [InlineData("ps --watch-everything")]
    [InlineData("demo extra")]
    [InlineData("--cpus 0")]
    [InlineData("ps --cpus many")]
    public async Task An_unknown_command_or_option_fails_with_a_message(string commandLine)
    {
        var (code, _, error) = await KpsRun.RunAsync(log, commandLine);

        Assert.NotEqual(0, code);
        Assert.NotEqual(string.Empty, error.Trim());
    }

    [Theory]
    [InlineData("cpus --seeds 127.0.0.1:1 --cpus 3", "cpus")]
    [InlineData("--cpus 3 stop 127.0.0.1:1/5", "stop")]
    [InlineData("park 127.0.0.1:1/5 --cpus 2", "park")]
    [InlineData("ps --seeds 127.0.0.1:1 --cpus 2", "ps --seeds")]
    public async Task Cpus_on_a_command_that_asks_a_running_cluster_is_refused_before_anything_is_asked(string commandLine, string command)
    {
        var (code, output, error) = await KpsRun.RunAsync(log, commandLine);

        Assert.Equal(1, code);
        Assert.Contains($"--cpus is not for kps {command}", error, StringComparison.Ordinal);
        Assert.StartsWith("Description:", output.Trim(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Steps a and d: every wake-up sent from outside was handled, one sent while parked too (after
    /// the unpark), and the stop line sums them up.
    /// </summary>
    [Fact]
    public async Task Ps_watch_count_2_piped_prints_2_tables_of_the_demo_threads_and_exits_0()
    {
        var (code, output, error) = await KpsRun.RunAsync(log, "ps --watch --count 2 --interval 0.2 --cpus 2");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var tables = KpsRun.Tables(output);
        Assert.Equal(2, tables.Count);
        Assert.Matches(@"^kps ps: the demo's threads on one node\. Table 1 of 2 at \d\d:\d\d:\d\d, every 0\.2 s; Ctrl\+C to stop\.$", tables[0].Heading);
        Assert.Contains("Table 2 of 2", tables[1].Heading);
        Assert.All(tables, t =>
        {
            Assert.Equal(KthreaddRow, t.Rows[0]);
            Assert.Equal(["counter", "kworker/0", "kworker/1", "oneshot"], t.Rows.Skip(1).Select(r => r[4]));
            Assert.Equal("Z", Stat(t, "oneshot"));
        });
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public async Task Ps_watch_with_switches_redraws_the_table_with_the_nvcsw_and_nivcsw_columns()
    {
        var (code, output, error) = await KpsRun.RunAsync(log, "ps --watch --count 2 --interval 0.2 --cpus 2 --switches");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        var tables = KpsRun.Grids(output, "PID PPID CPU STAT NVCSW NIVCSW COMMAND");
        Assert.Equal(2, tables.Count);
        Assert.All(tables, t =>
        {
            Assert.Equal(["2", "0", "-", "S", "-", "-", "kthreadd"], t.Rows[0]);
            Assert.Equal(["counter", "kworker/0", "kworker/1", "oneshot"], t.Rows.Skip(1).Select(r => r[6]));
            Assert.All(t.Rows.Skip(1), r => Assert.True(long.Parse(r[4]) >= 0 && long.Parse(r[5]) >= 0));
        });
        Assert.Empty(KpsRun.Tables(output)); // not the five-column table
    }

    [Theory]
    [InlineData("ps --count 2")]
    [InlineData("ps --interval 1")]
    [InlineData("ps --watch --json")]
    [InlineData("ps --watch --interval 0")]
    [InlineData("ps --watch --count 0")]
    public async Task A_bad_watch_option_fails_with_a_message(string commandLine)
    {
        var (code, output, error) = await KpsRun.RunAsync(log, commandLine);

        Assert.NotEqual(0, code);
        Assert.DoesNotContain("PID", output);
        Assert.NotEqual(string.Empty, error.Trim());
    }

    private static void AssertCounterWakeUps(PsTable parked, PsTable unparked, string output)
    {
        var woken = Regex.Match(output,
            @"^a\. Woken (\d+) times from outside \(Wakeup\(\): set THREAD_WAKEUP, then WakeUp\(\)\): (\d+) requests handled\.$",
            RegexOptions.Multiline);
        Assert.True(woken.Success, "step a should say how many wake-ups were sent and how many requests were handled");
        var sent = int.Parse(woken.Groups[1].Value);
        Assert.Equal(3, sent);
        Assert.Equal(sent, int.Parse(woken.Groups[2].Value));
        Assert.Matches(new Regex(@"^\s*Each awaited on a Completion before the next; the slowest was handled \d+\.\d ms after its Wakeup\(\)\.$",
            RegexOptions.Multiline), output);

        Assert.EndsWith($"parked in ParkMeAsync after {sent} requests.", parked.Heading);
        var afterUnpark = Regex.Match(unparked.Heading, @"handles the Wakeup\(\) sent while it was parked \((\d+) requests handled\)\.$");
        Assert.True(afterUnpark.Success, unparked.Heading);
        Assert.Equal(sent + 1, int.Parse(afterUnpark.Groups[1].Value));

        Assert.Matches(new Regex($@"^\s*\(counter handled {sent + 1} requests, and counted \d+ timeout ticks?: one per 50 ms with no request\.\)$",
            RegexOptions.Multiline), output);
    }

    /// <summary>Step e: the kthread_worker is listed while it exists, its works ran (queued ones FIFO), and destroy removes it.</summary>
    private static void AssertWorkerStep(PsTable existing, PsTable destroyed, string output)
    {
        Assert.Matches(new Regex(@"^e\. CreateWorkerAsync\(""helper/\{0}"", cpu: 0\) made helper/0 \(pid \d+\): a kthread_worker", RegexOptions.Multiline), output);
        Assert.Contains("QueueWork(work 1), QueueWork(work 2), QueueWork(work 3): true, true, true", output);
        Assert.Contains("QueueDelayedWork(delayed A, 100 ms), QueueDelayedWork(delayed B, 150 ms): true, true", output);

        Assert.StartsWith("e. While it exists", existing.Heading);
        var worker = KpsRun.Row(existing, "helper/0");
        Assert.Equal("0", worker[2]);
        Assert.Contains(worker[3], new[] { "R", "S" });

        // What ran, in order: the queued works FIFO, then each delayed work once (their timers decide which first).
        var ran = Regex.Matches(output, @"^\s*(\d)\. (work \d|delayed [AB])(, \d+ ms after QueueDelayedWork)?$", RegexOptions.Multiline)
            .Select(m => (Index: m.Groups[1].Value, Work: m.Groups[2].Value, Delayed: m.Groups[3].Success))
            .ToList();
        Assert.Equal(["1", "2", "3", "4", "5"], ran.Select(r => r.Index));
        Assert.Equal(["work 1", "work 2", "work 3"], ran.Take(3).Select(r => r.Work));
        Assert.All(ran.Take(3), r => Assert.False(r.Delayed));
        Assert.Equal(["delayed A", "delayed B"], ran.Skip(3).Select(r => r.Work).Order());
        Assert.All(ran.Skip(3), r => Assert.True(r.Delayed));

        Assert.StartsWith("e. DestroyAsync", destroyed.Heading);
        Assert.Contains("QueueWork now returns false", destroyed.Heading);
        Assert.DoesNotContain(destroyed.Rows, r => r[4] == "helper/0" || r[0] == worker[0]);
        Assert.Equal(existing.Rows.Count - 1, destroyed.Rows.Count);
    }

    private static string Stat(PsTable table, string command) => KpsRun.Row(table, command)[3];
}
