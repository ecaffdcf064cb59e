using System.Diagnostics;
using System.Globalization;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Output;
using Microsoft.Extensions.Logging;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// <c>kps cluster</c>: a cluster of in-process nodes on loopback, its CPUs running counter/N. A node
/// joins, one leaves gracefully, one crashes and comes back; after each step, once settled, the
/// table of CPUs, and no counter may ever go down (hotplug with state, across nodes).
/// </summary>
/// <remarks>
/// Every node is a host made so that Terminate() is a crash; a graceful leave is the host's stop (CoordinatedShutdown).
/// At the end (or on a failure) every node is terminated at once, every host disposed and the store deleted: with the
/// store gone there is nothing to hand off, and leaving all at once takes the cluster ~20 s. Nodes log nothing: the
/// steps themselves say what happened, and a crash makes the others warn about it.
/// </remarks>
internal sealed partial class ClusterScenario(IKpsOutput output, int nodeCount, int cpus, CancellationToken ct)
{
    // Far above a step's usual time; a crash alone needs failure detection (~2.5 s) + SBR stable-after (2 s) + restarts.
    private static readonly TimeSpan StepBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    private readonly string _db = Path.Combine(Path.GetTempPath(), $"kps-cluster-{Guid.NewGuid():N}.db");
    private readonly List<KpsClusterNode> _nodes = [];
    private readonly List<KpsClusterNode> _started = [];
    private readonly Dictionary<int, long> _first = [];
    private readonly Dictionary<int, long> _last = [];
    private TimeSpan _stopTook;
    private ClusterSteps _steps = null!;

    /// <summary>Runs every step; a step that does not settle, or a counter that went down, throws <see cref="DemoFailedException"/>.</summary>
    public async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();

        // On a terminal the steps are one live table, redrawn as each settles; piped, printed one after another.
        if (output.Redraws)
        {
            await output.LiveAsync(frame => RunStepsAsync(new ClusterSteps(output, frame))).ConfigureAwait(false);
        }
        else
        {
            await RunStepsAsync(new ClusterSteps(output, null)).ConfigureAwait(false);
        }

        output.Heading("Every counter only went up: " + string.Join(", ",
            _last.OrderBy(c => c.Key).Select(c => string.Create(CultureInfo.InvariantCulture, $"cpu {c.Key} {_first[c.Key]}->{c.Value}"))) + ".");
        output.Heading(string.Create(CultureInfo.InvariantCulture,
            $"Nodes stopped in {_stopTook.TotalSeconds:0.0} s, store deleted; kps cluster took {clock.Elapsed.TotalSeconds:0.0} s."));
    }

    private async Task RunStepsAsync(ClusterSteps steps)
    {
        _steps = steps;
        steps.Title($"kps cluster: {nodeCount} nodes on {ClusterConfig.Loopback} in one process, {cpus} cluster CPUs, "
            + $"each running counter/N (+1 and saved every {CounterThread.Round.TotalMilliseconds:0} ms).",
            $"Store: {_db} (fresh; deleted at the end).");
        try
        {
            await FormAsync().ConfigureAwait(false);
            await JoinAsync().ConfigureAwait(false);
            await LeaveAsync().ConfigureAwait(false);
            await CrashAndRestartAsync().ConfigureAwait(false);
        }
        finally
        {
            var stopping = Stopwatch.StartNew();
            await StopAllAsync().ConfigureAwait(false);
            DeleteStore();
            _stopTook = stopping.Elapsed;
        }
    }

    private async Task FormAsync()
    {
        var first = await StartNodeAsync().ConfigureAwait(false);
        first.Join([first.Address]);
        for (var i = 1; i < nodeCount; i++)
        {
            (await StartNodeAsync().ConfigureAwait(false)).Join([first.Address]);
        }

        await ShowAsync("a.", $"{nodeCount} nodes formed a cluster ({_nodes[0].Name} joined itself, the others through it)").ConfigureAwait(false);
    }

    private async Task JoinAsync()
    {
        var node = await StartNodeAsync().ConfigureAwait(false);
        node.Join([_nodes[0].Address]);
        await ShowAsync("b.", $"{node} joined: sharding rebalanced CPUs to it (hand-off = cpu_down there, cpu_up here, counters moved)")
            .ConfigureAwait(false);
    }

    private async Task LeaveAsync()
    {
        var leaving = _nodes[1];
        await leaving.LeaveAsync(StepBound).WaitAsync(ct).ConfigureAwait(false);
        _nodes.Remove(leaving);
        await ShowAsync("c.", $"{leaving} left gracefully (CoordinatedShutdown): its CPUs were handed off with their counters, saved after they parked")
            .ConfigureAwait(false);
    }

    private async Task CrashAndRestartAsync()
    {
        var victim = CrashVictim();

        // A counter shown by step c may not be saved yet: wait until each of the victim's counted once more.
        await AwaitSavedAsync(victim).ConfigureAwait(false);
        await victim.CrashAsync().WaitAsync(StepBound, ct).ConfigureAwait(false);
        _nodes.Remove(victim);
        await ShowAsync("d.", $"{victim} crashed (terminated without leaving): once the failure detector and the split-brain resolver "
            + "downed it, its CPUs restarted on the others from their last saved counters").ConfigureAwait(false);

        var restarted = await StartNodeAsync(victim.Name).ConfigureAwait(false);
        restarted.Join([_nodes[0].Address]);
        await ShowAsync("e.", $"{restarted} restarted {victim.Name} (a new system, a new port) and joined again: it got its share of CPUs back")
            .ConfigureAwait(false);
    }

    // keep-majority keeps the side with the lowest address on a tie (two nodes, one crashes): crash the highest.
    // With three or more, spare the first (the sharding coordinator's node) so the crash shows a plain restart.
    private KpsClusterNode CrashVictim()
    {
        var candidates = _nodes.Count > 2 ? _nodes.Skip(1) : _nodes;
        return candidates.OrderBy(n => n.Address.Port).Last();
    }

    private async Task<KpsClusterNode> StartNodeAsync(string? name = null)
    {
        name ??= $"node{_started.Count + 1}";
        var config = new ClusterNodeConfig(ClusterConfig.Loopback, 0, cpus, _db, CrashOnTerminate: true, LogLevel: LogLevel.None);
        var node = await KpsClusterNode.StartAsync(name, config, ct).ConfigureAwait(false);
        _started.Add(node);
        _nodes.Add(node);
        return node;
    }

    private async Task ShowAsync(string step, string heading)
    {
        _steps.Settling(step, heading);
        var (rows, took) = await ClusterPlacement.AwaitSettledAsync(_nodes, cpus, $"step {step[..1]}", StepBound, ct).ConfigureAwait(false);
        _steps.Settled(step, heading, took, ClusterPlacement.Lines(_nodes, rows).ToArray(), CpuRow.Grid(rows));
        CheckCounters(step, rows);
    }

    private void CheckCounters(string step, IReadOnlyList<CpuRow> rows)
    {
        foreach (var row in rows)
        {
            var now = row.Counter ?? throw new DemoFailedException($"step {step} shows no {CounterThread.Name(row.Cpu)}");
            if (_last.TryGetValue(row.Cpu, out var before) && now < before)
            {
                throw new DemoFailedException($"step {step} {CounterThread.Name(row.Cpu)} went down from {before} to {now}");
            }

            _last[row.Cpu] = now;
            _first.TryAdd(row.Cpu, now);
        }
    }
}
