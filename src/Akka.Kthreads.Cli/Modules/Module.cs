namespace Akka.Kthreads.Cli.Modules;

/// <summary>
/// struct module, the part delete_module needs: a state and a refcount that kthreads move with
/// try_module_get / module_put, and the deleter's wake-up (mod->waiter).
/// </summary>
/// <remarks>
/// The kernel of seed 003 keeps one counter per CPU and sums them; one atomic counter is enough here,
/// since the sum is not what makes the read safe: stop_machine is, as no kthread can then be between
/// try_module_get's state check and its increment.
/// </remarks>
internal sealed class Module
{
    // kernel: wake_up_process(mod->waiter) — counted, so a put that comes before the wait is not lost.
    private readonly Completion _zero = new();
    private readonly TaskCompletionSource _going = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ModuleState _state;
    private int _refcount;

    /// <summary>A Live module with no references, as sys_init_module leaves it.</summary>
    public Module(string name, int loadOrder)
    {
        Name = name;
        LoadOrder = loadOrder;
    }

    /// <summary>The name rmmod is given.</summary>
    public string Name { get; }

    /// <summary>When it was loaded, so lsmod can list the newest first as the kernel's module list does.</summary>
    public int LoadOrder { get; }

    /// <summary>Where delete_module is with it; only Live hands out references.</summary>
    public ModuleState State => _state;

    /// <summary>module_refcount(): read as is; consistent with the state only under stop_machine.</summary>
    public int Refcount => Volatile.Read(ref _refcount);

    /// <summary>Completes once delete_module marked it Going, so a caller can tell a blocking delete has started waiting.</summary>
    public Task MarkedGoing => _going.Task;

    /// <summary>try_module_get(): take a reference unless delete_module has marked the module Going.</summary>
    /// <returns>True with a reference taken; false once it is Going or Gone.</returns>
    /// <remarks>Call it from a kthread: its CPU is held from the check to the increment, which is what stop_machine relies on.</remarks>
    public bool TryGet()
    {
        if (_state != ModuleState.Live)
        {
            return false;
        }

        Interlocked.Increment(ref _refcount);
        return true;
    }

    /// <summary>module_put(): drop a reference; the last one dropped while Going wakes the waiting deleter.</summary>
    public void Put()
    {
        // Decrement before reading the state: a put that still reads Live ran before
        // try_stop_module_local(), whose refcount read then already counts it.
        if (Interlocked.Decrement(ref _refcount) == 0 && _state == ModuleState.Going)
        {
            _zero.Complete();
        }
    }

    /// <summary>try_stop_module_local()'s "mark it as dying"; runs inside stop_machine's fn, so it must not wait.</summary>
    internal void MarkGoing()
    {
        _state = ModuleState.Going;
        _going.TrySetResult();
    }

    /// <summary>free_module(): later puts only count down, nobody is woken.</summary>
    internal void MarkGone() => _state = ModuleState.Gone;

    /// <summary>wait_for_zero_refcount(): check, sleep until a put wakes us, check again.</summary>
    /// <param name="ct">Gives up waiting; the module then stays Going, as an rmmod that never returned would leave it.</param>
    internal async Task WaitForZeroRefcountAsync(CancellationToken ct)
    {
        while (Refcount != 0)
        {
            await _zero.WaitAsync(ct).ConfigureAwait(false);
        }
    }
}
