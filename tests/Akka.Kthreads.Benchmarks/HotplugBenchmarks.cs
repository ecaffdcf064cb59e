using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// CPU hotplug with 100 per-CPU threads registered (100 specs, so 100 threads on each of 4 CPUs):
/// cpu_down(1) then cpu_up(1), vs 2 × 100 Ask round trips, one actor at a time.
/// </summary>
/// <remarks>
/// The baseline is the messaging floor of the same work: going down, smpboot parks CPU 1's 100
/// threads one after another (a park round trip each), coming up it unparks them one after another.
/// Park and unpark are themselves library operations, so the raw analogue is one Ask to each of 100
/// Echo actors per direction, in sequence; the rest of the ratio is cpuhp's own work (state walk,
/// the stop_machine of take_cpu_down, kthreadd's queries and the migration).
/// </remarks>
public class HotplugBenchmarks
{
    private const string Category = "cpu down+up, 100 per-CPU threads per CPU";
    private const int Specs = 100;
    private const int Cpu = 1;
    private ActorSystem _system = null!;
    private Cpus _cpus = null!;
    private IActorRef[] _echoes = null!;

    /// <summary>Registers the 100 specs (400 threads, each asleep until parked) before anything is measured.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("hotplug", CheckpointLoad.Cpus);
        var kthreads = Kthreads.Get(_system);
        _cpus = kthreads.Cpus;
        _echoes = Enumerable.Range(0, Specs).Select(_ => _system.ActorOf(Echo.Props)).ToArray();
        for (var i = 0; i < Specs; i++)
        {
            var spec = new PerCpuThread($"bench{i}/{{0}}", ThreadShouldRun: static _ => false, ThreadFn: static _ => Task.CompletedTask);
            var result = kthreads.PerCpuThreads.RegisterAsync(spec).GetAwaiter().GetResult();
            if (result != 0)
            {
                throw new InvalidOperationException($"registering {spec.Comm} returned {result}");
            }
        }
    }

    /// <summary>The threads go with the system: nothing is measured after this.</summary>
    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    /// <summary>100 sequential round trips for the parks, 100 for the unparks.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory(Category)]
    public async Task<int> Ask_100_actors_twice()
    {
        var sum = 0;
        for (var round = 0; round < 2; round++)
        {
            foreach (var echo in _echoes)
            {
                sum += await echo.Ask<int>(round, Systems.AskTimeout);
            }
        }

        return sum;
    }

    /// <summary>cpu_down(1) parks its 100 threads and takes it out under stop_machine; cpu_up(1) brings it back and unparks them.</summary>
    [Benchmark, BenchmarkCategory(Category)]
    public async Task<int> DownAsync_then_UpAsync()
    {
        // A failure would come back fast and look like a good figure: refuse it.
        var down = await _cpus.DownAsync(Cpu);
        var up = await _cpus.UpAsync(Cpu);
        return down == 0 && up == 0
            ? 0
            : throw new InvalidOperationException($"cpu {Cpu}: down returned {down}, up returned {up}");
    }
}
