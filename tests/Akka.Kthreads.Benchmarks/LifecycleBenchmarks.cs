using Akka.Actor;
using Akka.Kthreads.Internal;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// create + wake + stop of a thread whose function returns at once, vs ActorOf + Ask + stop, and vs the same with
/// the Ask's answer going through a CPU thread (the floor since a CPU is an OS thread: the function runs there).
/// </summary>
public class LifecycleBenchmarks
{
    private const int InFlight = 1_000;
    private ActorSystem _system = null!;
    private Kthreads _kthreads = null!;
    private CpuThread _cpu = null!;
    private Props _hopEcho = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("lifecycle");
        _kthreads = Kthreads.Get(_system);
        _cpu = new CpuThread(-1, static e => throw e, HaltPoll.Fixed(CpuThread.DefaultIdlePoll));
        _hopEcho = HopEcho.Props(_cpu);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _system.Terminate().Wait();
        _cpu.Close();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("create+wake+stop")]
    public async Task<object> ActorOf_Ask_Stop()
    {
        var actor = _system.ActorOf(Echo.Props);
        await actor.Ask<int>(1, Systems.AskTimeout);
        return await actor.Ask<Echo.Stop>(Echo.Stop.Instance, Systems.AskTimeout);
    }

    [Benchmark, BenchmarkCategory("create+wake+stop")]
    public async Task<object> ActorOf_Ask_through_a_cpu_thread_Stop()
    {
        var actor = _system.ActorOf(_hopEcho);
        await actor.Ask<int>(1, Systems.AskTimeout);
        return await actor.Ask<Echo.Stop>(Echo.Stop.Instance, Systems.AskTimeout);
    }

    [Benchmark, BenchmarkCategory("create+wake+stop")]
    public async Task<int> Kthread_Run_Stop()
    {
        var thread = await _kthreads.RunAsync(Systems.ReturnAtOnce, null, "bench");
        return await thread.StopAsync();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = InFlight), BenchmarkCategory("create+wake+stop, 1000 in flight")]
    public Task ActorOf_Ask_Stop_1000_in_flight() => Many(ActorOf_Ask_Stop);

    [Benchmark(OperationsPerInvoke = InFlight), BenchmarkCategory("create+wake+stop, 1000 in flight")]
    public Task Kthread_Run_Stop_1000_in_flight() => Many(Kthread_Run_Stop);

    private static Task Many<T>(Func<Task<T>> one)
    {
        var all = new Task[InFlight];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = one();
        }

        return Task.WhenAll(all);
    }
}
