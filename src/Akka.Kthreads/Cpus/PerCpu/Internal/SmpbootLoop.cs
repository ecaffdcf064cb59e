namespace Akka.Kthreads.Internal;

/// <summary>INTERNAL API. kernel: smpboot_thread_fn() — the loop every per-CPU thread runs.</summary>
internal static class SmpbootLoop
{
    public static ThreadFn For(PerCpuThread spec, Cpus cpus) => current => RunAsync(spec, cpus, current);

    private static async Task<int> RunAsync(PerCpuThread spec, Cpus cpus, KthreadContext current)
    {
        var td = (PerCpu)current.Data!;
        while (true)
        {
            current.PrepareToSleep();
            if (current.ShouldStop)
            {
                current.SetRunning();
                if (spec.Cleanup is { } cleanup && td.Status != SmpbootStatus.None)
                {
                    await cleanup(td, cpus.IsOnline(td.Cpu)).ConfigureAwait(false);
                }

                return 0;
            }

            if (current.ShouldPark)
            {
                current.SetRunning();
                if (spec.Park is { } park && td.Status == SmpbootStatus.Active)
                {
                    await park(td).ConfigureAwait(false);
                }

                td.Status = SmpbootStatus.Parked;
                await current.ParkMeAsync().ConfigureAwait(false);
                continue;
            }

            switch (td.Status)
            {
                case SmpbootStatus.None:
                    current.SetRunning();
                    if (spec.Setup is { } setup)
                    {
                        await setup(td).ConfigureAwait(false);
                    }

                    td.Status = SmpbootStatus.Active;
                    continue;
                case SmpbootStatus.Parked:
                    current.SetRunning();
                    if (spec.Unpark is { } unpark)
                    {
                        await unpark(td).ConfigureAwait(false);
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
                await spec.ThreadFn(td).ConfigureAwait(false);
            }
        }
    }
}
