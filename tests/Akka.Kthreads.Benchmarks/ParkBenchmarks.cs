using Akka.Actor;
using Akka.Kthreads.Internal;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// park + unpark round trip of a running thread, vs two Ask round trips, and vs the same two Asks with the
/// hop through a CPU thread that each makes in the kthread's protocol (the floor since a CPU is an OS thread).
/// </summary>
public class ParkBenchmarks
{
    private ActorSystem _system = null!;
    private IActorRef _echo = null!;
    private CpuThread _cpu = null!;
    private IActorRef _hopEcho = null!;
    private Kthread _thread = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("park");
        _echo = _system.ActorOf(Echo.Props);
        _cpu = new CpuThread(-1, static e => throw e, HaltPoll.Fixed(CpuThread.DefaultIdlePoll));
        _hopEcho = _system.ActorOf(HopEcho.Props(_cpu));
        _thread = Kthreads.Get(_system).RunAsync(Systems.Parkable, null, "parker").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _thread.StopAsync().GetAwaiter().GetResult();
        _system.Terminate().Wait();
        _cpu.Close();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("park+unpark")]
    public async Task<int> Two_Asks()
    {
        await _echo.Ask<int>(1, Systems.AskTimeout);
        return await _echo.Ask<int>(2, Systems.AskTimeout);
    }

    /// <summary>Park's shape (actor, CPU thread, actor, reply), then unpark's (reply, CPU thread, actor).</summary>
    [Benchmark, BenchmarkCategory("park+unpark")]
    public async Task<object> Two_Asks_through_a_cpu_thread()
    {
        await _hopEcho.Ask<int>(1, Systems.AskTimeout);
        return await _hopEcho.Ask<int>(new HopEcho.ReplyFirst(2), Systems.AskTimeout);
    }

    [Benchmark, BenchmarkCategory("park+unpark")]
    public async Task<int> Park_Unpark()
    {
        var parked = await _thread.ParkAsync();
        await _thread.UnparkAsync();
        return parked;
    }
}
