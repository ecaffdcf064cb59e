using Akka.Actor;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>park + unpark round trip of a running thread, vs two Ask round trips.</summary>
public class ParkBenchmarks
{
    private ActorSystem _system = null!;
    private IActorRef _echo = null!;
    private Kthread _thread = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("park");
        _echo = _system.ActorOf(Echo.Props);
        _thread = Kthreads.Get(_system).RunAsync(Systems.Parkable, null, "parker").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _thread.StopAsync().GetAwaiter().GetResult();
        _system.Terminate().Wait();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("park+unpark")]
    public async Task<int> Two_Asks()
    {
        await _echo.Ask<int>(1, Systems.AskTimeout);
        return await _echo.Ask<int>(2, Systems.AskTimeout);
    }

    [Benchmark, BenchmarkCategory("park+unpark")]
    public async Task<int> Park_Unpark()
    {
        var parked = await _thread.ParkAsync();
        await _thread.UnparkAsync();
        return parked;
    }
}
