using Akka.Actor;
using Akka.Kthreads.Internal;
using BenchmarkDotNet.Attributes;

namespace Akka.Kthreads.Benchmarks;

/// <summary>
/// Sleeping on a condition: a wake-up of a thread in WaitEventAsync until it has seen the condition,
/// vs one Ask; Completion.Complete until the waiter runs, vs one TaskCompletionSource hand-off.
/// </summary>
public class WaitBenchmarks
{
    private readonly WaitQueue _wq = new();
    private readonly Completion _request = new();
    private ActorSystem _system = null!;
    private IActorRef _echo = null!;
    private Kthread _daemon = null!;
    private Kthread _completer = null!;
    private int _flag;
    private TaskCompletionSource _seen = null!;
    private TaskCompletionSource _ran = null!;
    private CpuThread _cpu = null!;
    private IActorRef _sleeper = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = Systems.Start("wait");
        _echo = _system.ActorOf(Echo.Props);
        _cpu = new CpuThread(-1, static e => throw e, HaltPoll.Fixed(CpuThread.DefaultIdlePoll));
        _sleeper = _system.ActorOf(SleeperFloor.Props(_cpu));
        var kthreads = Kthreads.Get(_system);
        // md_thread's shape: wait on the queue for the flag, clear it, say it was seen.
        _daemon = kthreads.RunAsync(async current =>
        {
            while (!current.ShouldStop)
            {
                if (await current.WaitEventAsync(_wq, () => Volatile.Read(ref _flag) == 1) == 0)
                {
                    Volatile.Write(ref _flag, 0);
                    _seen.TrySetResult();
                }
            }

            return 0;
        }, null, "md_thread").GetAwaiter().GetResult();
        _completer = kthreads.RunAsync(async current =>
        {
            while (await current.WaitForCompletionAsync(_request) == 0)
            {
                _ran.TrySetResult();
            }

            return 0;
        }, null, "waiter").GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _daemon.StopAsync().GetAwaiter().GetResult();
        _completer.StopAsync().GetAwaiter().GetResult();
        _system.Terminate().Wait();
        _cpu.Close();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("wake-up to condition seen")]
    public Task<int> One_Ask() => _echo.Ask<int>(1, Systems.AskTimeout);

    [Benchmark, BenchmarkCategory("wake-up to condition seen")]
    public Task WaitQueue_WakeUp_until_seen()
    {
        _seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _flag, 1);
        _wq.WakeUp();
        return _seen.Task;
    }

    /// <summary>The protocol's floor: the waker tells the thread's actor, the actor hands the wake-up to a CPU thread,
    /// which lets the waiter go and tells the actor it sleeps again; nothing else runs.</summary>
    [Benchmark, BenchmarkCategory("wake-up to condition seen")]
    public Task Floor_actor_then_cpu_thread_then_one_Tell()
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _sleeper.Tell(seen);
        return seen.Task;
    }

    /// <summary>The floor without the actor in front: the waker hands the wake-up to the CPU thread itself, which then tells one actor.</summary>
    [Benchmark, BenchmarkCategory("wake-up to condition seen")]
    public Task Floor_cpu_thread_then_one_Tell()
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new SleeperFloor.Woken(seen, _sleeper).PostTo(_cpu);
        return seen.Task;
    }

    /// <summary>The bare floor: a hand-off to a CPU thread and back, with no actor at all.</summary>
    [Benchmark, BenchmarkCategory("wake-up to condition seen")]
    public Task Floor_cpu_thread_alone()
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cpu.TryPost(static s => ((TaskCompletionSource)s!).SetResult(), seen);
        return seen.Task;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("complete to waiter running")]
    public Task TaskCompletionSource_handoff()
    {
        var handoff = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var waiter = Relay(handoff.Task);
        handoff.SetResult();
        return waiter;
    }

    [Benchmark, BenchmarkCategory("complete to waiter running")]
    public Task Completion_Complete_until_waiter_runs()
    {
        _ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _request.Complete();
        return _ran.Task;
    }

    // The raw hand-off's waiter: it runs once the task completes, as the kthread runs once woken.
    private static async Task Relay(Task task) => await task.ConfigureAwait(false);

    /// <summary>A kthread's actor reduced to its hops: a wake-up goes to the CPU thread, which tells the actor it sleeps again.</summary>
    private sealed class SleeperFloor(CpuThread cpu) : UntypedActor
    {
        public static Props Props(CpuThread cpu) => Akka.Actor.Props.Create(() => new SleeperFloor(cpu));

        protected override void OnReceive(object message)
        {
            if (message is TaskCompletionSource seen)
            {
                new Woken(seen, Self).PostTo(cpu);
            }
        }

        /// <summary>On the CPU thread: the waiter sees its condition, then the thread's Sleep goes to its actor.</summary>
        public sealed record Woken(TaskCompletionSource Seen, IActorRef Actor)
        {
            public void PostTo(CpuThread cpu) => cpu.TryPost(static s => ((Woken)s!).Run(), this);

            private void Run()
            {
                Seen.SetResult();
                Actor.Tell(Slept.Instance);
            }
        }

        private sealed record Slept
        {
            public static Slept Instance { get; } = new();
        }
    }
}
