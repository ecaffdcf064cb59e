using System.CommandLine;
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
    public static Command Create(KpsConsole console, Option<int?> cpus)
    {
        var command = new Command("demo", "Run the single-node demo: run, create on CPU, zombie, park, unpark, kthread_worker, stop (the default)");
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
        var rows = await ShowAsync(output, kthreads, $"a. RunAsync made {Name(counter)} and woke it: it counts a tick every 50 ms.", ct)
            .ConfigureAwait(false);
        Expect(StatOf(rows, counter) is 'R' or 'S', $"{Name(counter)} should be running or sleeping");

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

        var parked = await counter.ParkAsync(ct).ConfigureAwait(false);
        Expect(parked == 0, $"ParkAsync({Name(counter)}) returned {ExitCodes.Describe(parked)}, not 0");
        rows = await ShowAsync(output, kthreads,
            $"d. ParkAsync({Name(counter)}) returned {parked}: parked in ParkMeAsync after {Ticks(threads.Ticks.Count)}.", ct)
            .ConfigureAwait(false);
        Expect(StatOf(rows, counter) == 'P', $"{Name(counter)} should be parked");

        await counter.UnparkAsync(ct).ConfigureAwait(false);
        rows = await ShowAsync(output, kthreads, $"d. UnparkAsync({Name(counter)}): it runs again.", ct).ConfigureAwait(false);
        Expect(StatOf(rows, counter) is 'R' or 'S', $"{Name(counter)} should run again after UnparkAsync");

        await WorkerStep.RunAsync(output, kthreads, ct).ConfigureAwait(false);

        await StopAllAsync(output, kthreads, threads, ct).ConfigureAwait(false);
    }

    private static async Task StopAllAsync(IKpsOutput output, Kthreads kthreads, DemoThreads threads, CancellationToken ct)
    {
        var outcomes = await threads.StopAllAsync(ct).ConfigureAwait(false);
        output.Heading("f. StopAsync stopped and reaped every thread; their exit codes:");
        foreach (var outcome in outcomes)
        {
            output.Line($"{Name(outcome.Thread)}: {ExitCodes.Describe(outcome.ExitCode)}");
        }

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

    private static string Ticks(int count) => count == 1 ? "1 tick" : $"{count} ticks";
}
