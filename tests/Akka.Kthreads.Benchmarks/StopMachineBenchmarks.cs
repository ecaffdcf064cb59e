using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// stop_machine over every CPU, call → return, while 1,000 kthreads run checkpoints, vs one Ask to
/// every CPU actor (the stoppers it is built on). Call → fn running is in <see cref="StopMachineFigures"/>.
/// </summary>
/// <remarks>
/// Allocated counts the whole process (GC.GetTotalAllocatedBytes), so with 1,000 kthreads running
/// both rows include what they allocate meanwhile; the Running=0 rows show the operations' own.
/// </remarks>
public class StopMachineBenchmarks
{
    private const string Category = "stop_machine over 4 CPUs";
    private static readonly Func<int, int> Nothing = static _ => 0;
    private ActorSystem _system = null!;
    private CheckpointLoad? _load;
    private StopMachine _stopMachine = null!;
    private IActorRef[] _cpuActors = null!;

    /// <summary>
    /// Kthreads running checkpoints meanwhile: 1,000 is the figure asked for; 0 (idle CPUs) gives the
    /// floor and an Allocated column that is the operation's own.
    /// </summary>
    [Params(0, CheckpointLoad.Threads)]
    public int Running { get; set; }

    /// <summary>A 4-CPU system with the load running before any measurement, so warm-up sees it too.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("stop-machine", CheckpointLoad.Cpus);
        var kthreads = Kthreads.Get(_system);
        _stopMachine = kthreads.StopMachine;
        _cpuActors = kthreads.CpuActors.ToArray();
        _load = Running > 0 ? CheckpointLoad.StartAsync(_system).GetAwaiter().GetResult() : null;
    }

    /// <summary>Stops the load first: a system torn down with 1,000 busy kthreads would slow the next class.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _load?.StopAsync().GetAwaiter().GetResult();
        _system.Terminate().Wait();
    }

    /// <summary>The raw floor: each CPU's stopper actor answers once, all four in flight together.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory(Category)]
    public Task<ActorIdentity[]> Ask_every_cpu_actor() =>
        Task.WhenAll(_cpuActors.Select(a => a.Ask<ActorIdentity>(new Identify(null), Systems.AskTimeout)));

    /// <summary>Hotplug lock, every stopper takes its CPU at the holder's next checkpoint, lockstep to EXIT, return.</summary>
    [Benchmark, BenchmarkCategory(Category)]
    public Task<int> StopMachine_RunAsync() => _stopMachine.RunAsync(Nothing);
}
