namespace Akka.Kthreads.Cli.Modules;

// sys_delete_module() and the stop_machine part of seed 003: try_stop_module / try_stop_module_local / try_force.
internal sealed partial class ModuleRegistry
{
    /// <summary>sys_delete_module(): mark the module Going under stop_machine, wait for its users unless told not to, free it.</summary>
    /// <param name="name">The module.</param>
    /// <param name="flags"><see cref="DeleteFlags.O_NONBLOCK"/>, optionally with <see cref="DeleteFlags.O_TRUNC"/> (force).</param>
    /// <param name="ct">Gives up waiting for the mutex or the refcount; a module already marked stays Going.</param>
    /// <returns>
    /// 0 once freed; -ENOENT if not loaded; -EBUSY if already Going; -EWOULDBLOCK if in use with
    /// O_NONBLOCK and no force (it stays Live); stop_machine's own error (-ETIMEDOUT).
    /// </returns>
    public async Task<int> DeleteModuleAsync(string name, int flags, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        await _moduleMutex.WaitAsync(ct).ConfigureAwait(false);
        var locked = true;
        try
        {
            if (Find(name) is not { } module)
            {
                return -Errno.ENOENT;
            }

            // Already dying? (the seed's FIXME: a force could slam the count and wake the waiter here)
            if (module.State != ModuleState.Live)
            {
                return -Errno.EBUSY;
            }

            var (ret, forced) = await TryStopModuleAsync(module, flags, ct).ConfigureAwait(false);
            if (ret != 0)
            {
                return ret;
            }

            // Never wait if forced.
            if (!forced && module.Refcount != 0)
            {
                // kernel: wait_for_zero_refcount() drops module_mutex while it sleeps.
                _moduleMutex.Release();
                locked = false;
                await module.WaitForZeroRefcountAsync(ct).ConfigureAwait(false);
                await _moduleMutex.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                locked = true;
            }

            // free_module(): off the list first, so a lookup never finds a freed module.
            _modules.TryRemove(new KeyValuePair<string, Module>(name, module));
            module.MarkGone();
            return 0;
        }
        finally
        {
            if (locked)
            {
                _moduleMutex.Release();
            }
        }
    }

    /// <summary>kernel: try_stop_module() — stop the machine so refcounts can't move, and disable the module.</summary>
    private async Task<(int Ret, bool Forced)> TryStopModuleAsync(Module module, int flags, CancellationToken ct)
    {
        var forced = false;
        var ret = await _stopMachine.RunAsync(_ => TryStopModuleLocal(module, flags, out forced), ct: ct).ConfigureAwait(false);
        return (ret, forced);
    }

    /// <summary>kernel: try_stop_module_local(), run as stop_machine's fn: every CPU is held, so nothing here may wait.</summary>
    private int TryStopModuleLocal(Module module, int flags, out bool forced)
    {
        forced = false;

        // If it's not unused, quit unless we are told to block.
        if ((flags & DeleteFlags.O_NONBLOCK) != 0 && module.Refcount != 0)
        {
            forced = TryForce(flags);
            if (!forced)
            {
                return -Errno.EWOULDBLOCK;
            }
        }

        // Mark it as dying.
        module.MarkGoing();
        return 0;
    }

    /// <summary>kernel: try_force() — O_TRUNC forces, and taints, only with CONFIG_MODULE_FORCE_UNLOAD.</summary>
    private bool TryForce(int flags)
    {
        if (!_forceUnload || (flags & DeleteFlags.O_TRUNC) == 0)
        {
            return false;
        }

        Interlocked.Or(ref _taint, TAINT_FORCED_MODULE);
        return true;
    }
}
