namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. kernel: smpboot_thread_fn() — the loop every per-CPU thread runs.</summary>
/// <remarks>The spec's callbacks are called under the kthread's TaskScheduler, so their awaits stay on the CPU's thread.</remarks>
internal static class SmpbootLoop
{
    public static ThreadFn For(PerCpuThread spec, Cpus cpus) => current => RunAsync(spec, cpus, current);

    private static async Task<int> RunAsync(PerCpuThread spec, Cpus cpus, KthreadContext current)
    {
        var td = (PerCpu)current.Data!;
        // Made once: the loop calls it on every wake-up.
        Func<object?, Task> threadFn = _ => spec.ThreadFn(td);
        while (true)
        {
            current.PrepareToSleep();
            if (current.ShouldStop)
            {
                current.SetRunning();
                if (spec.Cleanup is { } cleanup && td.Status != SmpbootStatus.None)
                {
                    var online = cpus.IsOnline(td.Cpu);
                    await current.CallUserAsync(_ => cleanup(td, online), null).ConfigureAwait(false);
                }

                return 0;
            }

            if (current.ShouldPark)
            {
                current.SetRunning();
                // kernel: only a thread that ran Setup and has a park callback becomes HP_THREAD_PARKED, so Unpark
                // answers a Park, and a park before Setup leaves Setup still to run.
                if (spec.Park is { } park && td.Status == SmpbootStatus.Active)
                {
                    await current.CallUserAsync(_ => park(td), null).ConfigureAwait(false);
                    td.Status = SmpbootStatus.Parked;
                }

                await current.ParkMeAsync().ConfigureAwait(false);
                continue;
            }

            switch (td.Status)
            {
                case SmpbootStatus.None:
                    current.SetRunning();
                    if (spec.Setup is { } setup)
                    {
                        await current.CallUserAsync(_ => setup(td), null).ConfigureAwait(false);
                    }

                    td.Status = SmpbootStatus.Active;
                    continue;
                case SmpbootStatus.Parked:
                    current.SetRunning();
                    if (spec.Unpark is { } unpark)
                    {
                        await current.CallUserAsync(_ => unpark(td), null).ConfigureAwait(false);
                    }

                    td.Status = SmpbootStatus.Active;
                    continue;
            }

            if (!spec.ThreadShouldRun(td))
            {
                await current.ScheduleAsync().ConfigureAwait(false);
            }
            else
            {
                current.SetRunning();
                await current.CallUserAsync(threadFn, null).ConfigureAwait(false);
            }
        }
    }
}
