namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. kernel: cpu_hotplug_lock, a percpu_rwsem. stop_machine takes its read side on its caller's thread
/// (cpus_read_lock) while no hotplug request is queued or served; the hotplug actor takes the write side for each
/// request it serves, once that stop_machine has let go. The actor alone serialised both before, and every
/// stop_machine paid a hop through it: a pool thread's wake-up and a mailbox turn.
/// </summary>
/// <remarks>
/// A request counts from the moment it is sent, not when the actor takes it: a stop_machine called after a DownAsync
/// (awaited or not) still sees that CPU go down first, as the mailbox's order promised. Readers wait for writers, as
/// percpu_rwsem's do, so a stream of stop_machines cannot hold hotplug off. One reader at a time: stop_machine calls
/// are served one at a time (the kernel's stop_cpus_mutex); a second one while the first runs queues on the actor.
/// </remarks>
internal sealed class CpuHotplugLock
{
    private readonly object _lock = new();

    // Hotplug requests sent to the actor (or taken by it) and not yet done with, abandoned or served.
    private int _requests;
    private bool _read;
    private TaskCompletionSource? _readReleased;

    /// <summary>cpus_read_trylock(): true if the caller now holds the read side; false while a request is queued or served, or another stop_machine holds it.</summary>
    public bool TryRead()
    {
        lock (_lock)
        {
            if (_requests != 0 || _read)
            {
                return false;
            }

            _read = true;
            return true;
        }
    }

    /// <summary>cpus_read_unlock(): the stop_machine is over (called once, before its caller hears of it).</summary>
    public void ReadUnlock()
    {
        TaskCompletionSource? writer;
        lock (_lock)
        {
            _read = false;
            writer = _readReleased;
            _readReleased = null;
        }

        writer?.SetResult();
    }

    /// <summary>A request is on its way to the actor: no stop_machine takes the read side until it is done with.</summary>
    /// <remarks>Idempotent per request: the actor counts one sent by hand when it takes it.</remarks>
    public void Queue(CpuHotplugProtocol.Request request)
    {
        if (!request.Ticket.TryCount())
        {
            return;
        }

        lock (_lock)
        {
            _requests++;
        }
    }

    /// <summary>A request is served, refused or abandoned: it no longer holds stop_machine back. Idempotent per request.</summary>
    public void Done(CpuHotplugProtocol.Request request)
    {
        if (!request.Ticket.TryUncount())
        {
            return;
        }

        lock (_lock)
        {
            _requests--;
        }
    }

    /// <summary>cpus_write_lock() for a queued request: completes once no stop_machine holds the read side.</summary>
    /// <remarks>Continuations run on the pool: the read side is let go on a CPU thread.</remarks>
    public Task WriteAsync()
    {
        lock (_lock)
        {
            if (!_read)
            {
                return Task.CompletedTask;
            }

            _readReleased ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _readReleased.Task;
        }
    }
}
