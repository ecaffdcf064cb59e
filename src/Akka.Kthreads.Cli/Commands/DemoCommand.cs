using System.CommandLine;
using System.Globalization;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Node;
using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps demo</c> (and kps without arguments): the kthread lifecycle on one node, step by step,
/// a ps table after each step; every result is checked against what the protocol promises.
/// </summary>
internal static class DemoCommand
{
    /// <summary>How many times step a wakes the counter from outside.</summary>
    public const int CounterWakeUps = 3;

    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var command = new Command("demo", "Run the single-node demo: run and wake, create on CPU, zombie, park, unpark, kthread_worker, stop (the default)");
        command.SetAction((parse, ct) => RunAsync(console, parse.GetValue(cpus), ct));
        return command;
    }

    public static Task<int> RunAsync(KpsConsole console, int? cpus, CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            await KpsNode.RunAsync(cpus, node => StepsAsync(console.Out, node.Kthreads, ct)).ConfigureAwait(false);
            console.Out.Heading("Node shut down through CoordinatedShutdown.");
        }, ct);

    private static async Task StepsAsync(IKpsOutput output, Kthreads kthreads, CancellationToken ct)
    {
        var threads = new DemoThreads(kthreads);
        var cpus = kthreads.Cpus.Possible.Count;
        output.Heading($"kps demo: one node with {cpus} CPU{(cpus == 1 ? string.Empty : "s")}; kthreadd is pid 2.");
        output.Heading(string.Empty);

        var counter = await threads.RunCounterAsync(ct).ConfigureAwait(false);
        var rows = await ShowAsync(output, kthreads,
            $"a. RunAsync made {Name(counter)} and woke it: an md_thread-style daemon asleep on its WaitQueue, with a {Ms(threads.Daemon.Timeout)} timeout.",
            ct).ConfigureAwait(false);
        Expect(StatOf(rows, counter) is 'R' or 'S', $"{Name(counter)} should be running or sleeping");
        await WakeCounterAsync(output, threads, ct).ConfigureAwait(false);

        var kworkers = await threads.CreateKworkersAsync(ct).ConfigureAwait(false);
        rows = await ShowAsync(output, kthreads,
            $"b. CreateOnCpuAsync made {Span(kworkers)}: one per CPU, bound to it, parked before ever running.",
            ct).ConfigureAwait(false);
        Expect(kworkers.All(k => StatOf(rows, k) == 'P'), "every kworker should be parked");

        var oneshot = await threads.RunOneshotAsync(ct).ConfigureAwait(false);
        rows = await ShowAsync(output, kthreads,
            $"c. RunAsync made {Name(oneshot)}: it returned {ThreadFunctions.OneshotExitCode} on its own and stays a zombie until stopped.",
            ct).ConfigureAwait(false);
        Expect(StatOf(rows, oneshot) == 'Z', $"{Name(oneshot)} should be a zombie");

        var daemon = threads.Daemon;
        var parked = await counter.ParkAsync(ct).ConfigureAwait(false);
        Expect(parked == 0, $"ParkAsync({Name(counter)}) returned {ExitCodes.Describe(parked)}, not 0");
        rows = await ShowAsync(output, kthreads,
            $"d. ParkAsync({Name(counter)}) returned {parked}: parked in ParkMeAsync after {Count(daemon.Requests, "request")}.",
            ct).ConfigureAwait(false);
        Expect(StatOf(rows, counter) == 'P', $"{Name(counter)} should be parked");

        // A parked daemon is on no wait queue: this wake-up only sets THREAD_WAKEUP, seen after the unpark.
        daemon.Wakeup();
        await counter.UnparkAsync(ct).ConfigureAwait(false);
        await threads.WaitHandledAsync(ct).ConfigureAwait(false);
        rows = await ShowAsync(output, kthreads,
            $"d. UnparkAsync({Name(counter)}): it runs again and handles the Wakeup() sent while it was parked ({Count(daemon.Requests, "request")} handled).",
            ct).ConfigureAwait(false);
        Expect(StatOf(rows, counter) is 'R' or 'S', $"{Name(counter)} should run again after UnparkAsync");
        Expect(daemon.Requests == CounterWakeUps + 1,
            $"{Name(counter)} handled {daemon.Requests} requests, not {CounterWakeUps + 1}, after a Wakeup() while parked");

        await WorkerStep.RunAsync(output, kthreads, ct).ConfigureAwait(false);

        await StopAllAsync(output, kthreads, threads, ct).ConfigureAwait(false);
    }

    // Step a, from plain code (not a kthread), as md_wakeup_thread() is called: set the flag, wake the queue.
    // Each wake-up is waited for before the next: wake-ups that meet merge into one request, as set_bit() does.
    private static async Task WakeCounterAsync(IKpsOutput output, DemoThreads threads, CancellationToken ct)
    {
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < CounterWakeUps; i++)
        {
            var took = await threads.WakeCounterAsync(ct).ConfigureAwait(false);
            slowest = took > slowest ? took : slowest;
        }

        var handled = threads.Daemon.Requests;
        output.Heading($"a. Woken {CounterWakeUps} times from outside (Wakeup(): set THREAD_WAKEUP, then WakeUp()): {handled} requests handled.");
        output.Line($"Each awaited on a Completion before the next; the slowest was handled {Ms(slowest, "0.0")} after its Wakeup().");
        output.Heading(string.Empty);
        Expect(handled == CounterWakeUps, $"the counter handled {handled} requests after {CounterWakeUps} wake-ups");
    }

    private static async Task StopAllAsync(IKpsOutput output, Kthreads kthreads, DemoThreads threads, CancellationToken ct)
    {
        var outcomes = await threads.StopAllAsync(ct).ConfigureAwait(false);
        output.Heading("f. StopAsync stopped and reaped every thread; their exit codes:");
        foreach (var outcome in outcomes)
        {
            output.Line($"{Name(outcome.Thread)}: {ExitCodes.Describe(outcome.ExitCode)}");
        }

        var daemon = threads.Daemon;
        output.Line($"(counter handled {Count(daemon.Requests, "request")}, and counted {Count(daemon.Timeouts, "timeout tick")}: one per {Ms(daemon.Timeout)} with no request.)");

        output.Heading(string.Empty);

        var rows = await ShowAsync(output, kthreads, "f. After the stops only kthreadd is left.", ct).ConfigureAwait(false);
        if (outcomes.FirstOrDefault(o => !o.AsExpected) is { } wrong)
        {
            throw new DemoFailedException(
                $"StopAsync({Name(wrong.Thread)}) returned {ExitCodes.Describe(wrong.ExitCode)}, not {ExitCodes.Describe(wrong.Expected)}");
        }

        Expect(rows.Count == 1, $"{rows.Count - 1} threads are still listed after they were all stopped");
    }

    private static string Span(IReadOnlyList<Kthread> threads) =>
        threads.Count == 1 ? threads[0].Comm : $"{threads[0].Comm}..{threads[^1].Comm}";

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    private static string Ms(TimeSpan time, string format = "0") =>
        time.TotalMilliseconds.ToString(format, CultureInfo.InvariantCulture) + " ms";
}
