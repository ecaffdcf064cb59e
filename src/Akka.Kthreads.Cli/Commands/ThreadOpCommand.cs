using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Akka.Actor;
using Akka.Kthreads.Cli.Cluster;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Hotplug;
using Akka.Kthreads.Cli.Output;
using Akka.Kthreads.Cluster;
using Operation = Akka.Kthreads.Cluster.ClusterNodeProtocol.ThreadOperation;

namespace Akka.Kthreads.Cli.Commands;

/// <summary>
/// <c>kps stop|park|unpark NODE/PID --seeds host:port</c> and <c>kps taskset NODE/PID CPULIST --seeds host:port</c>:
/// kthread_stop / kthread_park / kthread_unpark / set_cpus_allowed_ptr of a thread on any node of a running cluster,
/// named by its cluster id, asked through the first seed that answers.
/// </summary>
internal static class ThreadOpCommand
{
    /// <summary>The <c>stop</c>, <c>park</c>, <c>unpark</c> or <c>taskset</c> subcommand.</summary>
    public static Command Create(KpsConsole console, Operation operation)
    {
        var name = Name(operation);
        var what = operation switch
        {
            Operation.Stop => "kthread_stop(): tell the thread to stop, wake it and wait for it to exit; prints its exit code",
            Operation.Park => "kthread_park(): ask the thread to park at its next ParkMeAsync and wait until it has; prints 0",
            Operation.Unpark => "kthread_unpark(): let a parked thread run on; prints 0",
            _ => "set_cpus_allowed_ptr(): let the thread run only on CPULIST, among the CPUs its node hosts; it moves at its next checkpoint; prints 0",
        };
        var id = new Argument<string>("NODE/PID")
        {
            Description = "The thread's cluster id as kps ps --seeds shows it: host:port/pid (NODE column without akka.tcp://kthreads@, "
                + "then the PID), or in full akka.tcp://kthreads@host:port/pid",
        };
        id.Validators.Add(result =>
        {
            if (Check(result.GetValueOrDefault<string>()) is { } error)
            {
                result.AddError(error);
            }
        });
        var client = new ClientOptions("kps nodes to ask (the first that answers), e.g. 127.0.0.1:4053; the thread may be on any node")
        {
            Seeds = { Required = true },
        };
        var command = new Command(name, $"{what}. The thread may be on any node of a running cluster (kps node); never joins it")
        {
            id,
        };
        var cpus = operation == Operation.SetCpusAllowed ? CpuListArgument.Create() : null;
        if (cpus is not null)
        {
            command.Arguments.Add(cpus);
        }

        command.Options.Add(client.Seeds);
        command.Options.Add(client.Timeout);
        command.SetAction((parse, ct) => RunAsync(console, parse.GetValue(id)!, operation, cpus is null ? null : parse.GetValue(cpus),
            parse.GetValue(client.Seeds)!, client.TimeoutOf(parse), ct));
        return command;
    }

    /// <summary>
    /// Sends the operation (with <paramref name="cpus"/> for taskset); prints "exit code N" (stop) or "0" (the others) and exits 0;
    /// a bad id or mask (-EINVAL), a gone thread or node (-ESRCH), a silent node (-ETIMEDOUT) or no seed answering: a message on stderr and 1.
    /// </summary>
    public static Task<int> RunAsync(KpsConsole console, string id, Operation operation, IReadOnlyList<int>? cpus, IReadOnlyList<Seed> seeds, TimeSpan timeout,
        CancellationToken ct) =>
        CommandRunner.RunAsync(console, async () =>
        {
            var (reply, _) = await ClusterDoor.AskAsync<ClusterNodeProtocol.ThreadOpResult>(
                seeds, new ClusterNodeProtocol.ThreadOpById(id, operation) { Cpus = cpus }, timeout, ct).ConfigureAwait(false);
            if (Failed(operation, reply.Result))
            {
                var meaning = operation == Operation.SetCpusAllowed && reply.Result == -Errno.EINVAL
                    ? $"invalid argument (its node hosts none of {HotplugText.CpuList(cpus ?? [])} now, it is a per-CPU thread, or not a thread id)"
                    : null;
                throw new DemoFailedException($"{Name(operation)} {id}: {ExitCodes.Explain(reply.Result, meaning)}");
            }

            console.Out.Heading(operation == Operation.Stop
                ? $"exit code {ExitCodes.Describe(reply.Result)}"
                : reply.Result.ToString(CultureInfo.InvariantCulture));
        }, ct);

    /// <summary>The subcommand of <paramref name="operation"/>, as its errors name it too.</summary>
    private static string Name(Operation operation) => operation switch
    {
        Operation.Stop => "stop",
        Operation.Park => "park",
        Operation.Unpark => "unpark",
        Operation.SetCpusAllowed => "taskset",
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "stop, park, unpark or set_cpus_allowed"),
    };

    /// <summary>Why <paramref name="text"/> is not a cluster id (host:port/pid or akka.tcp://system@host:port/pid), or null if it is one.</summary>
    internal static string? Check(string? text)
    {
        var usage = $"'{text}' is not a thread id: host:port/pid (as kps ps --seeds shows NODE and PID) or akka.tcp://kthreads@host:port/pid";
        if (!ClusterKthreadId.TrySplit(text, out var node, out _))
        {
            return usage;
        }

        if (node.Contains("://", StringComparison.Ordinal))
        {
            return ClusterKthreadId.FullAddress(node) is null ? usage : null;
        }

        var colon = node.LastIndexOf(':');
        return colon > 0 && node.IndexOfAny(['/', '@']) < 0
            && int.TryParse(node.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? null
            : usage;
    }

    // A stop's negative result is the thread's own exit code (-EINTR: never woken), unless it is one the operation itself failed with.
    private static bool Failed(Operation operation, int result) => operation == Operation.Stop
        ? result is -Errno.ESRCH or -Errno.ETIMEDOUT or -Errno.EINVAL
        : result != 0;
}
