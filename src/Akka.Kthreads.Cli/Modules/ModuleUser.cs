namespace Akka.Kthreads.Cli.Modules;

/// <summary>
/// A kthread's use of a module, as a driver's user: one reference held while it runs (an open
/// device), and get / put pairs taken in a loop with a checkpoint on each side of the put.
/// </summary>
/// <remarks>
/// Once try_module_get fails (the module is Going) it stops taking pairs but keeps its held reference
/// until stopped, so a blocking delete visibly waits for it. Pairs come in short bursts between
/// sleeps: a kthread alone on its CPU would otherwise never leave its pool thread (YieldAsync is free then).
/// </remarks>
internal sealed class ModuleUser(Module module)
{
    /// <summary>Get / put pairs per burst, between two sleeps.</summary>
    public const int Burst = 1024;

    /// <summary>How long a user sleeps between bursts (schedule_timeout), only to pace the loop.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(1);

    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dropping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _nextGet;
    private int _pairs;

    /// <summary>The module it uses (its handle: a forced unload frees the module under it).</summary>
    public Module Module => module;

    /// <summary>Get / put pairs completed so far.</summary>
    public int Pairs => Volatile.Read(ref _pairs);

    /// <summary>Completes once the held reference is taken, so the refcount is known to be non-zero.</summary>
    public Task Holding => _holding.Task;

    /// <summary>Completes when try_module_get first failed: the user saw the module Going.</summary>
    public Task Refused => _refused.Task;

    /// <summary>Completes just before the held reference is put, so it is done before any deleter can see zero.</summary>
    public Task Dropping => _dropping.Task;

    /// <summary>Completes at the user's next successful try_module_get after this call: the module still hands out references.</summary>
    public Task NextGetAsync()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _nextGet, next);
        return next.Task;
    }

    /// <summary>The thread function; its data is the <see cref="ModuleUser"/>.</summary>
    /// <returns>0 when stopped while the module was live; -ENODEV when it was refused (or never got a reference).</returns>
    public static async Task<int> ThreadFnAsync(KthreadContext current)
    {
        var user = (ModuleUser)current.Data!;
        var module = user.Module;
        if (!module.TryGet())
        {
            user._refused.TrySetResult();
            return -Errno.ENODEV;
        }

        user._holding.TrySetResult();
        var ret = 0;
        while (!current.ShouldStop)
        {
            if (!module.TryGet())
            {
                ret = -Errno.ENODEV;
                user._refused.TrySetResult();
                await SleepUntilStoppedAsync(current).ConfigureAwait(false);
                break;
            }

            if (Volatile.Read(ref user._nextGet) is not null)
            {
                Interlocked.Exchange(ref user._nextGet, null)?.TrySetResult();
            }

            await current.YieldAsync().ConfigureAwait(false);
            module.Put();
            await current.YieldAsync().ConfigureAwait(false);
            if (Interlocked.Increment(ref user._pairs) % Burst == 0)
            {
                await current.ScheduleTimeoutAsync(Pause).ConfigureAwait(false);
            }
        }

        user._dropping.TrySetResult();
        module.Put();
        return ret;
    }

    /// <summary>Keeps the held reference, off the CPU, until kthread_stop; parks meanwhile if asked (else ScheduleAsync would spin).</summary>
    private static async Task SleepUntilStoppedAsync(KthreadContext current)
    {
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                await current.ParkMeAsync().ConfigureAwait(false);
                continue;
            }

            await current.ScheduleAsync().ConfigureAwait(false);
        }
    }
}
