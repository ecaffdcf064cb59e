namespace Akka.Kthreads.Internal;

// INTERNAL API. What the doors (Cpus, PerCpuThreads, StopMachine) ask of the hotplug actor.

/// <summary>One request to the hotplug actor; its ticket lets a caller that gave up cancel it before it starts.</summary>
internal abstract record HotplugRequest
{
    public RequestTicket Ticket { get; } = new();
}

/// <summary>cpu_up().</summary>
internal sealed record CpuUp(int Cpu) : HotplugRequest;

/// <summary>cpu_down().</summary>
internal sealed record CpuDown(int Cpu) : HotplugRequest;

/// <summary>cpuhp_setup_state().</summary>
internal sealed record SetupState(string Name, Func<int, Task<int>> Startup, Func<int, Task<int>>? Teardown) : HotplugRequest;

/// <summary>cpuhp_remove_state().</summary>
internal sealed record RemoveState(int State) : HotplugRequest;

/// <summary>smpboot_register_percpu_thread().</summary>
internal sealed record RegisterPerCpu(PerCpuThread Spec) : HotplugRequest;

/// <summary>smpboot_unregister_percpu_thread().</summary>
internal sealed record UnregisterPerCpu(PerCpuThread Spec) : HotplugRequest;

/// <summary>stop_machine(): takes the hotplug lock for reading, so CPUs cannot come or go meanwhile.</summary>
internal sealed record RunStopMachine(Func<int, int> Fn, IReadOnlyCollection<int>? Cpus) : HotplugRequest;

/// <summary>The reply to every <see cref="HotplugRequest"/>: 0, an id, or -errno.</summary>
internal sealed record HotplugResult(int Result);

/// <summary>Whoever moves first owns the request: the actor (it runs) or the caller (it never runs).</summary>
internal sealed class RequestTicket
{
    private int _state;

    /// <summary>The actor's side: true if the caller still waits.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

    /// <summary>The caller's side: true if the request had not started (and now never will).</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, 2, 0) == 0;
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
