using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// The messages of the hotplug actor (<see cref="Kthreads.Hotplug"/>, the kernel's cpu_hotplug_lock
/// holder): the facades (Cpus, PerCpuThreads, StopMachine) only send these, so a TestKit probe can too.
/// </summary>
/// <remarks>Requests are served one at a time in arrival order; every one is answered with a <see cref="Result"/>.</remarks>
public static class CpuHotplugProtocol
{
    /// <summary>Any hotplug request; its reply is a <see cref="Result"/>.</summary>
    public abstract record Request
    {
        /// <summary>Only the requests below exist: the hotplug actor serves no other kind.</summary>
        private protected Request()
        {
        }

        /// <summary>Lets a caller that gave up before its turn cancel the request (the facades use it).</summary>
        internal RequestTicket Ticket { get; } = new();
    }

    /// <summary>cpu_up(): reply 0, -EINVAL (online already, not possible) or a startup's error.</summary>
    /// <param name="Cpu">The CPU to bring up.</param>
    public sealed record Up(int Cpu) : Request;

    /// <summary>cpu_down(): reply 0, -EINVAL, -EBUSY (last online CPU) or a teardown's error.</summary>
    /// <param name="Cpu">The CPU to take down.</param>
    public sealed record Down(int Cpu) : Request
    {
        /// <summary>INTERNAL API. Checked when the request's turn comes: true skips the take-down with -EAGAIN (the cluster's CPU came back to its entity meanwhile).</summary>
        internal Func<bool>? Unless { get; init; }
    }

    /// <summary>cpuhp_setup_state(): reply the new state id, or the first startup error.</summary>
    /// <param name="Name">The state's name.</param>
    /// <param name="Startup">Runs on each CPU coming up (and now on every online one).</param>
    /// <param name="Teardown">Runs on each CPU going down; null for none.</param>
    public sealed record SetupState(string Name, Func<int, Task<int>> Startup, Func<int, Task<int>>? Teardown) : Request;

    /// <summary>cpuhp_remove_state(): reply 0, or -EINVAL for an unknown or built-in state.</summary>
    /// <param name="State">The id SetupState replied.</param>
    public sealed record RemoveState(int State) : Request;

    /// <summary>smpboot_register_percpu_thread(): reply 0, -EEXIST, or a create error.</summary>
    /// <param name="Spec">The per-CPU thread.</param>
    public sealed record RegisterPerCpuThread(PerCpuThread Spec) : Request;

    /// <summary>smpboot_unregister_percpu_thread(): reply 0 once every thread of the spec has exited.</summary>
    /// <param name="Spec">The instance registered.</param>
    public sealed record UnregisterPerCpuThread(PerCpuThread Spec) : Request;

    /// <summary>stop_machine(): reply fn's first non-zero return in CPU order, 0, -EFAULT or -ETIMEDOUT.</summary>
    /// <param name="Fn">Runs with every online CPU held; must not wait.</param>
    /// <param name="Cpus">Where fn runs; null for the first online CPU.</param>
    public sealed record RunStopMachine(Func<int, int> Fn, IReadOnlyCollection<int>? Cpus) : Request;

    /// <summary>INTERNAL API. Runs <paramref name="WhileHeld"/> with cpu_hotplug_lock held (the cluster's stop_machine holds every node this way).</summary>
    /// <param name="WhileHeld">Its result is the reply.</param>
    internal sealed record HoldLock(Func<Task<int>> WhileHeld) : Request;

    /// <summary>The reply to every request: 0, a state id, or -errno (-EINVAL for a malformed request).</summary>
    /// <param name="Value">The kernel-style result.</param>
    public sealed record Result(int Value);
}
