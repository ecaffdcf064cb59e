using System.Diagnostics;

namespace Akka.Kthreads.Cli.Demo;

/// <summary>
/// The demo's threads on one node: a counter (an md_thread-style daemon), a parked kworker/N per
/// CPU, a oneshot zombie; made one kind at a time, and stopped together.
/// </summary>
internal sealed class DemoThreads(Kthreads kthreads)
{
    private static readonly TimeSpan ZombieDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    // Far above the counter's 50 ms timeout: only a lost or stuck wake-up gets here.
    private static readonly TimeSpan HandledDeadline = TimeSpan.FromSeconds(10);

    private readonly List<Kthread> _kworkers = new();

    /// <summary>The counter's data: its wait queue, THREAD_WAKEUP flag and counts.</summary>
    public MdThread Daemon { get; } = new();

    public Kthread? Counter { get; private set; }

    public IReadOnlyList<Kthread> Kworkers => _kworkers;

    public Kthread? Oneshot { get; private set; }

    /// <summary>kthread_run("counter"): created and woken, it sleeps on its wait queue; a tick every 50 ms with no request.</summary>
    public async Task<Kthread> RunCounterAsync(CancellationToken ct) =>
        Counter = await kthreads.RunAsync(MdThread.ThreadFnAsync, Daemon, "counter", ct).ConfigureAwait(false);

    /// <summary>md_wakeup_thread() on the counter from plain code, then waits until it handled the request.</summary>
    /// <returns>How long from the wake-up until the request was handled.</returns>
    public async Task<TimeSpan> WakeCounterAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Daemon.Wakeup();
        await WaitHandledAsync(ct).ConfigureAwait(false);
        return clock.Elapsed;
    }

    /// <summary>Waits (Completion.WaitAsync) until the counter has handled one more request.</summary>
    public async Task WaitHandledAsync(CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(HandledDeadline);
        try
        {
            await Daemon.Handled.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DemoFailedException(
                $"the counter did not handle a request within {HandledDeadline.TotalSeconds:0}s of its wake-up ({Daemon.Requests} handled)");
        }
    }

    /// <summary>kthread_create_on_cpu("kworker/%u") on every possible CPU: parked, bound, never run yet.</summary>
    public async Task<IReadOnlyList<Kthread>> CreateKworkersAsync(CancellationToken ct)
    {
        foreach (var cpu in kthreads.Cpus.Possible)
        {
            _kworkers.Add(await kthreads.CreateOnCpuAsync(ThreadFunctions.KworkerAsync, null, cpu, "kworker/{0}", ct)
                .ConfigureAwait(false));
        }

        return _kworkers;
    }

    /// <summary>kthread_run("oneshot"), then waits until ps shows it a zombie (its function returned 42).</summary>
    public async Task<Kthread> RunOneshotAsync(CancellationToken ct)
    {
        var oneshot = await kthreads.RunAsync(ThreadFunctions.OneshotAsync, null, "oneshot", ct).ConfigureAwait(false);
        Oneshot = oneshot;
        var clock = Stopwatch.StartNew();
        // ps is a snapshot: look again until the function has returned, within a deadline.
        while (!await IsZombieAsync(oneshot, ct).ConfigureAwait(false))
        {
            if (clock.Elapsed > ZombieDeadline)
            {
                throw new DemoFailedException($"{oneshot} did not become a zombie within {ZombieDeadline.TotalSeconds:0}s");
            }

            await Task.Delay(PollInterval, ct).ConfigureAwait(false);
        }

        return oneshot;
    }

    /// <summary>Makes the whole set: counter running, kworkers parked, oneshot a zombie.</summary>
    public async Task StartAllAsync(CancellationToken ct)
    {
        await RunCounterAsync(ct).ConfigureAwait(false);
        await CreateKworkersAsync(ct).ConfigureAwait(false);
        await RunOneshotAsync(ct).ConfigureAwait(false);
    }

    /// <summary>kthread_stop() on every thread made, in pid order.</summary>
    /// <returns>Each thread with the exit code the protocol promises and the one StopAsync returned.</returns>
    public async Task<IReadOnlyList<StopOutcome>> StopAllAsync(CancellationToken ct)
    {
        var outcomes = new List<StopOutcome>();
        foreach (var (thread, expected) in Expected().OrderBy(e => e.Thread.Pid))
        {
            outcomes.Add(new StopOutcome(thread, expected, await thread.StopAsync(ct).ConfigureAwait(false)));
        }

        return outcomes;
    }

    private IEnumerable<(Kthread Thread, int Expected)> Expected()
    {
        if (Counter is { } counter)
        {
            yield return (counter, 0);
        }

        // Parked before they ever ran: the function is never entered (kthread() sees should_stop first).
        foreach (var kworker in _kworkers)
        {
            yield return (kworker, -Errno.EINTR);
        }

        if (Oneshot is { } oneshot)
        {
            yield return (oneshot, ThreadFunctions.OneshotExitCode);
        }
    }

    private async Task<bool> IsZombieAsync(Kthread thread, CancellationToken ct) =>
        (await kthreads.ListAsync(ct).ConfigureAwait(false))
            .Any(row => row.Pid == thread.Pid && row.State == KthreadState.Zombie);
}
