using Akka.Actor;
using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

// Blocking I/O belongs off the CPU: the thread sleeps (ps S) while it awaits, and others run.
public sealed partial class KthreadContext
{
    /// <summary>Run <paramref name="io"/> (a socket, a file, a Task.Delay) off the CPU: the thread counts as sleeping meanwhile.</summary>
    /// <typeparam name="T">The result of the I/O.</typeparam>
    /// <param name="io">The awaits to run; its token is <see cref="StopToken"/>, cancelled when a stop is requested.</param>
    /// <returns>What <paramref name="io"/> returned, once the thread holds its CPU again.</returns>
    /// <remarks>
    /// A WakeUp does not end it (it is not in ScheduleAsync); a stop request cancels its token. <paramref name="io"/>
    /// runs on the .NET thread pool, off every CPU's thread, and the function resumes through its CPU's run queue.
    /// </remarks>
    public async Task<T> OffCpuAsync<T>(Func<CancellationToken, Task<T>> io)
    {
        ArgumentNullException.ThrowIfNull(io);
        await LetCallerAwait();
        SwitchOut(voluntary: true);
        var releases = Interlocked.Read(ref _releases);
        _self.Tell(OffCpu.Enter);
        try
        {
            var token = StopToken;
            return await Task.Run(() => io(token), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _self.Tell(OffCpu.Leave);
            await AcquireCpuAsync(releases).ConfigureAwait(false);
            await OnHeldCpu();
        }
    }

    /// <summary>Run <paramref name="io"/> off the CPU, as <see cref="OffCpuAsync{T}"/> for awaits without a result.</summary>
    /// <param name="io">The awaits to run; its token is cancelled when a stop is requested.</param>
    /// <returns>Completes once the thread holds its CPU again.</returns>
    public Task OffCpuAsync(Func<CancellationToken, Task> io)
    {
        ArgumentNullException.ThrowIfNull(io);
        return OffCpuAsync(async ct =>
        {
            await io(ct).ConfigureAwait(false);
            return true;
        });
    }

    /// <summary>
    /// Runs a library wait (hotplug, stop_machine, kthread_stop / kthread_park, a worker's flush) so that a calling kthread
    /// sleeps off its CPU meanwhile, as wait_for_completion() does: the operation may need that very CPU.
    /// </summary>
    internal static Task<T> SleepingOffCpu<T>(Func<Task<T>> wait) =>
        Current is { HoldsCpu: true } k ? k.OffCpuAsync(_ => wait()) : wait();

    /// <summary>As <see cref="SleepingOffCpu{T}(Func{Task{T}})"/> with its argument passed along, so a caller that is not a kthread allocates nothing for it.</summary>
    internal static Task<T> SleepingOffCpu<TArg, T>(Func<TArg, Task<T>> wait, TArg arg) =>
        Current is { HoldsCpu: true } k ? k.OffCpuAsync(_ => wait(arg)) : wait(arg);

    /// <summary>As <see cref="SleepingOffCpu{TArg, T}"/> for a wait without a result.</summary>
    internal static Task SleepingOffCpu<TArg>(Func<TArg, Task> wait, TArg arg) =>
        Current is { HoldsCpu: true } k ? k.OffCpuAsync(_ => wait(arg)) : wait(arg);
}
