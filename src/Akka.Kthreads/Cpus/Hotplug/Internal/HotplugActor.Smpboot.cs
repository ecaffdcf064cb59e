using Akka.Event;

namespace Akka.Kthreads.Internal;

// smpboot: per-CPU threads are the built-in hotplug state 0 — created and unparked as a CPU comes
// up (before any dynamic state), parked as it goes down (after every dynamic state's teardown).
internal sealed partial class HotplugActor
{
    private PerCpuThreads Smpboot => _kthreads.PerCpuThreads;

    // kernel: smpboot_register_percpu_thread() — create on every online CPU, then unpark them all.
    private async Task<int> RegisterAsync(PerCpuThread spec)
    {
        if (Smpboot.Find(spec) is not null)
        {
            return -Errno.EEXIST;
        }

        var threads = new PerCpu?[_cpus.Possible.Count];
        foreach (var cpu in _cpus.Online)
        {
            var result = await CreateAsync(spec, threads, cpu).ConfigureAwait(false);
            if (result != 0)
            {
                await StopAllAsync(threads).ConfigureAwait(false);
                return result;
            }
        }

        Smpboot.Add(new PerCpuThreads.Registration(spec, threads));
        if (!spec.SelfParking)
        {
            await Task.WhenAll(threads.OfType<PerCpu>().Select(td => td.Thread.UnparkAsync())).ConfigureAwait(false);
        }

        return 0;
    }

    // kernel: smpboot_unregister_percpu_thread() — stop every thread; each runs Cleanup on its way out.
    private async Task<int> UnregisterAsync(PerCpuThread spec)
    {
        if (Smpboot.Remove(spec) is { } registration)
        {
            await StopAllAsync(registration.Threads).ConfigureAwait(false);
        }

        return 0;
    }

    // kernel: smpboot_create_threads() + smpboot_unpark_threads().
    private async Task<int> SmpbootStartupAsync(int cpu)
    {
        Reattach(cpu);
        foreach (var (spec, threads) in Smpboot.Registered)
        {
            var result = await CreateAsync(spec, threads, cpu).ConfigureAwait(false);
            if (result != 0)
            {
                return result;
            }

            if (!spec.SelfParking)
            {
                // Also drops a park that timed out in a take-down being rolled back: the CPU stays up.
                await threads[cpu]!.Thread.WithdrawParkAsync().ConfigureAwait(false);
            }
        }

        return 0;
    }

    // The cluster: state and items saved elsewhere replace what a thread made here kept (it is parked, so nothing races).
    private void Reattach(int cpu)
    {
        if (Smpboot.Store is not { } store)
        {
            return;
        }

        foreach (var (_, threads) in Smpboot.Registered)
        {
            if (threads[cpu] is { } td)
            {
                store.Attach(td);
            }
        }
    }

    // kernel: smpboot_park_threads() — in reverse registration order.
    private async Task<int> SmpbootTeardownAsync(int cpu)
    {
        var registered = Smpboot.Registered;
        for (var i = registered.Count - 1; i >= 0; i--)
        {
            var (spec, threads) = registered[i];
            if (spec.SelfParking || threads[cpu] is not { } td)
            {
                continue;
            }

            var result = await td.Thread.ParkAsync().ConfigureAwait(false);
            if (result == -Errno.ETIMEDOUT)
            {
                // kernel: kthread_park() waits until the thread parks, so the CPU never goes down under a running one.
                // Bounded here: the CPU stays up, and nothing of a thread that is still running is captured, since it
                // may be changing its state and taking items.
                _log.Warning("smpboot: {0} did not park within kthreads.kthread.park-timeout; cpu {1} stays up", td.Thread, cpu);
                await UndoTeardownAsync(registered, i, cpu).ConfigureAwait(false);
                return result;
            }

            if (result != 0)
            {
                // It has exited (-ENOSYS) or is gone: nothing runs there any more.
                _log.Warning("smpboot: {0} did not park for cpu {1} going down: {2}", td.Thread, cpu, result);
            }

            // kernel: none — the cluster saves the parked thread's state so that it moves with its CPU.
            Smpboot.Store?.Detach(td);
        }

        return 0;
    }

    // kernel: a failing teardown leaves nothing half done (undo_cpu_down() starts above it), so this one gives back its
    // own work: the threads it parked (and in a cluster detached) resume, and the one that did not park drops its request.
    private async Task UndoTeardownAsync(IReadOnlyList<PerCpuThreads.Registration> registered, int failed, int cpu)
    {
        for (var i = failed; i < registered.Count; i++)
        {
            var (spec, threads) = registered[i];
            if (spec.SelfParking || threads[cpu] is not { } td)
            {
                continue;
            }

            if (i > failed)
            {
                Smpboot.Store?.Attach(td);
            }

            await td.Thread.WithdrawParkAsync().ConfigureAwait(false);
        }
    }

    // kernel: __smpboot_create_thread() — once per CPU; the thread and its state survive down and up.
    private async Task<int> CreateAsync(PerCpuThread spec, PerCpu?[] threads, int cpu)
    {
        if (threads[cpu] is not null)
        {
            return 0;
        }

        try
        {
            var td = new PerCpu(cpu, KthreaddActor.Comm(spec.Comm, cpu)) { Store = Smpboot.Store };
            if (td.Store is not { } store || !store.Attach(td))
            {
                // CreateState only when no saved state exists (in a cluster, the CPU may have run elsewhere before).
                td.State = spec.CreateState?.Invoke(cpu);
            }

            var thread = await _kthreads.CreateOnCpuAsync(SmpbootLoop.For(spec, _cpus), td, cpu, spec.Comm).ConfigureAwait(false);
            td.Thread = thread;
            td.Current = thread.Context!;
            threads[cpu] = td;
            return 0;
        }
        catch (KthreadCreateException e)
        {
            _log.Error("smpboot: cannot create {0} for cpu {1}: {2}", spec.Comm, cpu, e.Message);
            return e.Errno;
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            _log.Error(e, "smpboot: CreateState of {0} threw for cpu {1}", spec.Comm, cpu);
            return -Errno.EFAULT;
        }
    }

    private async Task StopAllAsync(PerCpu?[] threads)
    {
        await Task.WhenAll(threads.OfType<PerCpu>().Select(td => td.Thread.StopAsync())).ConfigureAwait(false);
        foreach (var td in threads.OfType<PerCpu>())
        {
            // Stopped for good: its state is with the store, not with a thread that will never run again.
            Smpboot.Store?.Detach(td);
        }
    }
}
