using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// The messages kthreadd understands, and its replies. The facade only sends these, so a
/// TestKit probe can drive kthreadd by hand.
/// </summary>
public static class KthreaddProtocol
{
    /// <summary>Marks a message addressed to kthreadd.</summary>
    public interface IKthreaddCommand
    {
    }

    /// <summary>
    /// kthread_create: ask kthreadd for a new thread, created in state New (or, per-CPU, parked and bound).
    /// Replies <see cref="Created"/> or <see cref="CreateFailed"/>.
    /// </summary>
    /// <param name="Fn">The thread function; null replies -EINVAL.</param>
    /// <param name="Data">Handed to the function as <see cref="KthreadContext.Data"/>.</param>
    /// <param name="Name">The name, or with <paramref name="Cpu"/> a format where "{0}" is the cpu.</param>
    /// <param name="Cpu">Bind the thread to this CPU at creation; outside Possible replies -EINVAL.</param>
    /// <param name="PerCpu">With a cpu: kthread_create_on_cpu, a per-CPU thread created parked.</param>
    public sealed record Create(ThreadFn Fn, object? Data, string Name, int? Cpu = null, bool PerCpu = false)
        : IKthreaddCommand
    {
        /// <summary>kthread_run: wake the thread as soon as it is made, in the same request (not with PerCpu: those start parked).</summary>
        public bool Run { get; init; }

        /// <summary>INTERNAL API: the creator's side of the kill-safe handshake (the kernel's create->done).</summary>
        internal CreateHandshake? Handshake { get; init; }
    }

    /// <summary>The thread was made; its function has not run.</summary>
    /// <param name="Thread">The handle of the new thread.</param>
    public sealed record Created(Kthread Thread);

    /// <summary>No thread was made, and nothing is left behind.</summary>
    /// <param name="Errno">A negative errno: -EINVAL for bad arguments, -EAGAIN past max-threads.</param>
    /// <param name="Reason">What was wrong, for people.</param>
    public sealed record CreateFailed(int Errno, string Reason);

    /// <summary>ps: every live thread of this node (not kthreadd itself). Replies <see cref="KthreadList"/>.</summary>
    public sealed record List : IKthreaddCommand
    {
        /// <summary>The one instance.</summary>
        public static List Instance { get; } = new();

        private List()
        {
        }
    }

    /// <summary>The listing, ordered by pid; reaped threads are never in it.</summary>
    /// <param name="Threads">One row per thread or zombie.</param>
    public sealed record KthreadList(IReadOnlyList<KthreadInfo> Threads);
}
