using System.Globalization;
using Akka.Kthreads.Cluster;

namespace Akka.Kthreads.Cli.Cluster;

/// <summary>
/// <c>counter/N</c>: the per-CPU thread every kps cluster node runs. Its per-CPU state is a <c>long</c>
/// that goes up by one every round and is saved every round, so it moves with its CPU between nodes
/// and, after a crash, restarts from its last save: it must never go down.
/// </summary>
internal static class CounterThread
{
    /// <summary>The name format: "counter/3" on CPU 3.</summary>
    public const string Comm = "counter/{0}";

    /// <summary>The pause between rounds, a checkpoint (schedule_timeout) and not a Task.Delay.</summary>
    public static readonly TimeSpan Round = TimeSpan.FromMilliseconds(100);

    /// <summary>A new spec: one instance per node, as <c>RegisterAsync</c> keys specs by reference.</summary>
    public static PerCpuThread Spec() => new(Comm, _ => true, RoundAsync)
    {
        CreateState = _ => 0L,
    };

    /// <summary>The name of the counter thread of <paramref name="cpu"/>.</summary>
    public static string Name(int cpu) => string.Format(CultureInfo.InvariantCulture, Comm, cpu);

    /// <summary>The counter of the CPU of <see cref="ClusterCpuProtocol.CpuInfo"/>; null when its thread is not there (yet).</summary>
    public static long? Of(ClusterCpuProtocol.CpuInfo info)
    {
        var name = Name(info.Cpu);
        return info.Threads.FirstOrDefault(t => t.Name == name)?.State is { } state
               && long.TryParse(state, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count)
            ? count
            : null;
    }

    private static async Task RoundAsync(PerCpu td)
    {
        // A restored state may come back as another integer type, depending on the serializer bound to it.
        td.State = Convert.ToInt64(td.State ?? 0L, CultureInfo.InvariantCulture) + 1;

        // Saved every round, before the next increment: a count once seen one higher is durable.
        await td.SaveStateAsync().ConfigureAwait(false);
        await td.Current.ScheduleTimeoutAsync(Round).ConfigureAwait(false);
    }
}
