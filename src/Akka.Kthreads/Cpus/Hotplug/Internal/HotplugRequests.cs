namespace Akka.Kthreads.Internal;

// INTERNAL API. The hotplug requests' claim ticket and the mark of a hotplug callback's flow.

/// <summary>Whoever moves first owns the request: the actor (it runs) or the caller (it never runs).</summary>
internal sealed class RequestTicket
{
    private int _state;

    // 1 while the request holds stop_machine's read side back (CpuHotplugLock): counted once, uncounted once.
    private int _counted;

    /// <summary>The actor's side: true if the caller still waits.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    /// <summary>The caller's side: true if the request had not started (and now never will).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;

    /// <summary>True the first time only: the request is now counted as queued.</summary>
    public bool TryCount() => Interlocked.CompareExchange(ref _counted, 1, 0) == 0;

    /// <summary>True the first time only after <see cref="TryCount"/>: the request is no longer counted.</summary>
    public bool TryUncount() => Interlocked.CompareExchange(ref _counted, 2, 1) == 1;
}

/// <summary>Marks the flow of a hotplug callback, where asking the hotplug actor again would deadlock.</summary>
internal static class HotplugCallback
{
    private static readonly AsyncLocal<bool> Active = new();

    public static bool IsActive => Active.Value;

    /// <summary>Runs <paramref name="callback"/> with the mark set (it flows into the callback's awaits only).</summary>
    public static async Task<int> RunAsync(Func<int, Task<int>> callback, int cpu)
    {
        Active.Value = true;
        return await callback(cpu).ConfigureAwait(false);
    }
}
