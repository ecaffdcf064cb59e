namespace Akka.Kthreads.Cli.Demo;

/// <summary>The counter thread's data: how many ticks it has counted (read by the demo, written by the thread).</summary>
internal sealed class TickCounter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}
