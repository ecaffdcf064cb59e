using Akka.Actor;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// 1,000 kthreads that keep passing checkpoints, so stop_machine has to wait for CPUs that are
/// held and queued for, as in a busy kernel, not just take idle ones.
/// </summary>
/// <remarks>
/// Each thread sleeps <c>ScheduleTimeoutAsync(1 ms)</c> (Akka's 10 ms scheduler tick makes that
/// ~10 ms), then passes <see cref="Burst"/> cond_resched checkpoints (<c>YieldAsync</c>, then a
/// <c>Task.Yield</c> hop so it really goes back to the pool even when nobody waits for its CPU).
/// Measured on 2 cores: ~50-60% busy, 400,000-500,000 checkpoints/s, run queues crowded after
/// each tick and quiet before the next, 16-19 OS threads. Endless spinners (the loop without
/// the sleep) were worse in every way: even one keeps a core busy for ever; eight grew the pool to
/// eight always-runnable threads, and BenchmarkDotNet's blocking main thread then waited on the
/// Linux scheduler (stop_machine median 8 ms, one Ask to every CPU actor 180 µs): that measures
/// the OS, not kthreads. Sleepers without the burst left the CPUs mostly free.
/// </remarks>
internal sealed class CheckpointLoad
{
    /// <summary>How many kthreads run checkpoints while the figures are taken.</summary>
    public const int Threads = 1_000;

    /// <summary>The kthread CPUs of the measured system: fixed, so the figure is the same on any machine.</summary>
    public const int Cpus = 4;

    /// <summary>Checkpoints per wake-up: 8 keeps 2 cores about half busy; 16 saturated them (the wake-ups fell behind the ticks).</summary>
    public const int Burst = 8;

    private static long _checkpoints;
    private readonly Kthread[] _threads;

    private CheckpointLoad(Kthread[] threads) => _threads = threads;

    /// <summary>Checkpoints passed so far by every load in this process: shows how busy the machine was.</summary>
    public static long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Starts the load on <paramref name="system"/> (which needs <see cref="Cpus"/> CPUs); returns once every thread runs.</summary>
    public static async Task<CheckpointLoad> StartAsync(ActorSystem system)
    {
        var kthreads = Kthreads.Get(system);
        var starting = new Task<Kthread>[Threads];
        for (var i = 0; i < Threads; i++)
        {
            starting[i] = kthreads.RunAsync(Checkpointing, null, "load");
        }

        return new CheckpointLoad(await Task.WhenAll(starting));
    }

    /// <summary>Stops every thread (kthread_stop wakes the sleepers), so the system's teardown measures nothing.</summary>
    public Task StopAsync() => Task.WhenAll(_threads.Select(t => t.StopAsync()));

    private static readonly ThreadFn Checkpointing = static async current =>
    {
        while (!current.ShouldStop)
        {
            await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(1));
            Interlocked.Increment(ref _checkpoints);
            for (var i = 0; i < Burst && !current.ShouldStop; i++)
            {
                await current.YieldAsync();
                Interlocked.Increment(ref _checkpoints);
                await Task.Yield();
            }
        }

        return 0;
    };
}
