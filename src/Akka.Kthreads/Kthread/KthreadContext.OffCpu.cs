using Akka.Actor;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// Blocking I/O belongs off the CPU: the thread sleeps (ps S) while it awaits, and others run.
public sealed partial class KthreadContext
{
    /// <summary>Run <paramref name="io"/> (a socket, a file, a Task.Delay) off the CPU: the thread counts as sleeping meanwhile.</summary>
    /// <typeparam name="T">The result of the I/O.</typeparam>
    /// <param name="io">The awaits to run; its token is <see cref="StopToken"/>, cancelled when a stop is requested.</param>
    /// <returns>What <paramref name="io"/> returned, once the thread holds its CPU again (awaited alone; see the README for Task.WhenAll).</returns>
    /// <remarks>
    /// A WakeUp does not end it (it is not in ScheduleAsync); a stop request cancels its token. <paramref name="io"/>
    /// runs on the .NET thread pool, off every CPU's thread, and the function resumes through its CPU's run queue.
    /// </remarks>
    public Task<T> OffCpuAsync<T>(Func<CancellationToken, Task<T>> io)
    {
        ArgumentNullException.ThrowIfNull(io);

        // Called from code that is not the flow (the io of another OffCpuAsync, a task it started): nothing to give up,
        // and releasing would take the CPU from under the flow that holds it.
        return IsFlow ? OffCpuCoreAsync(io) : Task.Run(() => io(StopToken), CancellationToken.None);
    }

    /// <summary>
    /// True when the caller is this thread's flow: on the thread of the CPU it holds, or, holding none outside a
    /// checkpoint, under its own TaskScheduler (a flow that went on while a wait it did not await was off); never code
    /// it started with Task.Run, nor a wait's own io, which run under the pool's.
    /// </summary>
    private bool IsFlow =>
        Volatile.Read(ref Ps.Held) is { } held ? held.RunsHere || UnderOwnScheduler : RunsWithoutCpu;

    /// <summary>
    /// The flow outside a checkpoint holding no CPU: it went on while a wait it did not await was off. It runs under its
    /// own TaskScheduler, or on its last CPU's thread (after ConfigureAwait(false): a wait that took no CPU ends there).
    /// </summary>
    private bool RunsWithoutCpu =>
        !_inCheckpoint && !_exited && Volatile.Read(ref Ps.Held) is null
        && (UnderOwnScheduler || (LastCpu is { } last && _cpus.Queue(last).RunsHere));

    private bool UnderOwnScheduler => _scheduler is { } mine && TaskScheduler.Current == mine;

    private Task<T> OffCpuCoreAsync<T>(Func<CancellationToken, Task<T>> io)
    {
        // Counted now, at the call: under Task.WhenAll the second is counted before the first can end.
        var group = JoinOffCpuGroup();
        return OffCpuCoreAsync(io, group);
    }

    // The waits the flow starts between two of its checkpoints while one of them is still off: the last of them to end
    // takes the CPU back. A group whose waits all ended is closed (0 pending is final): a later wait starts a new one.
    private OffCpuGroup JoinOffCpuGroup()
    {
        var epoch = Interlocked.Read(ref _releases);
        if (Volatile.Read(ref _offCpuGroup) is { } group && group.Epoch == epoch && group.TryJoin())
        {
            return group;
        }

        group = new OffCpuGroup(epoch);
        Volatile.Write(ref _offCpuGroup, group);
        return group;
    }

    private async Task<T> OffCpuCoreAsync<T>(Func<CancellationToken, Task<T>> io, OffCpuGroup group)
    {
        await LetCallerAwait();

        // The caller is suspended now, or went on (not awaited); unless it passed a checkpoint meanwhile (then the CPU it
        // holds is a later one), the CPU it held is given up here.
        if (!FlowWentOn(group))
        {
            Interlocked.Exchange(ref Ps.Held, null)?.Release(this);
        }

        Interlocked.Increment(ref Ps.Nvcsw);
        _self.Tell(OffCpu.Enter);
        try
        {
            var token = StopToken;
            return await Task.Run(() => io(token), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _self.Tell(OffCpu.Leave);

            // The last of the group to end takes the CPU back: under Task.WhenAll, an earlier one that did would hold the
            // CPU a later one may need. None does once the flow went on without them.
            if (group.Leave() && await AcquireCpuAsync(group).ConfigureAwait(false))
            {
                await OnHeldCpu();
            }
            else if (LastCpu is { } last)
            {
                // Taking no CPU, it still ends on the thread of the last one, never on the pool: a caller that goes on
                // there (ConfigureAwait(false)) is still known as the flow by its next wait.
                await new ResumeOnCpu(Task.CompletedTask, _cpus.Queue(last));
            }
        }
    }

    /// <summary>
    /// An off-CPU wait's end holds the CPU it was granted for the flow that awaits it, unless the flow released one since
    /// the wait began (it went on: fired and forgotten) or exited. Checked again once granted, against the flow's
    /// ReleaseCpu (counts, then takes Ps.Held) and Hold (swaps Ps.Held): the CPU goes back exactly once.
    /// </summary>
    /// <returns>True when the flow holds the CPU granted here.</returns>
    private bool HoldForFlow(RunQueue queue, OffCpuGroup group)
    {
        if (Interlocked.CompareExchange(ref Ps.Held, queue, null) is not null)
        {
            // The flow holds a CPU of its own already.
            queue.Release(this);
            return false;
        }

        if (FlowWentOn(group))
        {
            if (ReferenceEquals(Interlocked.CompareExchange(ref Ps.Held, null, queue), queue))
            {
                queue.Release(this);
            }

            return false;
        }

        Volatile.Write(ref Ps.LastCpu, queue.Cpu);
        return true;
    }

    // Went on past a checkpoint, is in one now (it takes its CPU itself), exited, or started waits of a later group.
    private bool FlowWentOn(OffCpuGroup group) =>
        _exited || _inCheckpoint || Interlocked.Read(ref _releases) != group.Epoch || !ReferenceEquals(Volatile.Read(ref _offCpuGroup), group);

    /// <summary>Off-CPU waits the flow started together (the epoch: its release count then); one pending at creation.</summary>
    private sealed class OffCpuGroup(long epoch)
    {
        private int _pending = 1;

        public long Epoch { get; } = epoch;

        /// <summary>Counts one more wait in, unless all of them ended already (the group is closed).</summary>
        public bool TryJoin()
        {
            var pending = Volatile.Read(ref _pending);
            while (pending > 0)
            {
                var seen = Interlocked.CompareExchange(ref _pending, pending + 1, pending);
                if (seen == pending)
                {
                    return true;
                }

                pending = seen;
            }

            return false;
        }

        /// <summary>Counts one wait out; true for the last, which closes the group.</summary>
        public bool Leave() => Interlocked.Decrement(ref _pending) == 0;
    }

    /// <summary>Run <paramref name="io"/> off the CPU, as <see cref="OffCpuAsync{T}"/> for awaits without a result.</summary>
    /// <param name="io">The awaits to run; its token is cancelled when a stop is requested.</param>
    /// <returns>Completes once the thread holds its CPU again.</returns>
    public Task OffCpuAsync(Func<CancellationToken, Task> io)
    {
        ArgumentNullException.ThrowIfNull(io);
        return OffCpuAsync(WithResult(io));
    }

    /// <summary>
    /// Runs a library wait (hotplug, stop_machine, kthread_stop / kthread_park, a worker's flush) so that a calling kthread
    /// sleeps off its CPU meanwhile, as wait_for_completion() does: the operation may need that very CPU.
    /// </summary>
    internal static Task<T> SleepingOffCpu<T>(Func<Task<T>> wait) =>
        Current is { IsFlow: true } k ? k.OffCpuCoreAsync(_ => wait()) : wait();

    /// <summary>As <see cref="SleepingOffCpu{T}(Func{Task{T}})"/> with its argument passed along, so a caller that is not a kthread allocates nothing for it.</summary>
    internal static Task<T> SleepingOffCpu<TArg, T>(Func<TArg, Task<T>> wait, TArg arg) =>
        Current is { IsFlow: true } k ? k.OffCpuCoreAsync(_ => wait(arg)) : wait(arg);

    /// <summary>As <see cref="SleepingOffCpu{TArg, T}"/> for a wait without a result.</summary>
    internal static Task SleepingOffCpu<TArg>(Func<TArg, Task> wait, TArg arg) =>
        Current is { IsFlow: true } k ? k.OffCpuCoreAsync(WithResult(_ => wait(arg))) : wait(arg);

    // The off-CPU machinery carries a result; a wait without one gets a placeholder.
    private static Func<CancellationToken, Task<bool>> WithResult(Func<CancellationToken, Task> io) => async ct =>
    {
        await io(ct).ConfigureAwait(false);
        return true;
    };
}
