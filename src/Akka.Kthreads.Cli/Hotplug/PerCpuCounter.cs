using Akka.Kthreads.Cli.Demo;

namespace Akka.Kthreads.Cli.Hotplug;

/// <summary>
/// The per-CPU state of one demo thread (the kernel's DEFINE_PER_CPU data, as ksoftirqd's pending
/// mask): work raised for it, work handled, and its smpboot callbacks. smpboot keeps it while the
/// CPU is down, so the counts go on where they stopped.
/// </summary>
internal sealed class PerCpuCounter(int cpu)
{
    // Far above one round of work: only a thread that never runs again gets here.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private int _pending;
    private int _handled;
    private int _elsewhere;
    private int _setups;
    private int _parks;
    private int _unparks;
    private TaskCompletionSource _progress = NewProgress();

    /// <summary>Work raised and not handled yet (ThreadShouldRun is true while there is some).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    /// <summary>Work handled since the thread was made, across every down and up.</summary>
    public int Handled
    {
        get
        {
            lock (_gate)
            {
                return _handled;
            }
        }
    }

    /// <summary>Work handled while the thread held another CPU than its own: 0 unless smpboot lost the binding.</summary>
    public int HandledElsewhere => Volatile.Read(ref _elsewhere);

    /// <summary>Times Setup ran: once per thread, however often its CPU goes down and up.</summary>
    public int Setups => Volatile.Read(ref _setups);

    /// <summary>Times Park ran (its CPU went down).</summary>
    public int Parks => Volatile.Read(ref _parks);

    /// <summary>Times Unpark ran (its CPU came back).</summary>
    public int Unparks => Volatile.Read(ref _unparks);

    /// <summary>raise_softirq(): more work for the thread; the raiser wakes it afterwards.</summary>
    public void Raise(int works)
    {
        lock (_gate)
        {
            _pending += works;
        }
    }

    /// <summary>One round of work, run by the thread on <paramref name="ranOn"/> (current's CPU).</summary>
    public void HandleOne(int? ranOn)
    {
        TaskCompletionSource progress;
        lock (_gate)
        {
            _pending--;
            _handled++;
            progress = _progress;
            _progress = NewProgress();
        }

        if (ranOn != cpu)
        {
            Interlocked.Increment(ref _elsewhere);
        }

        progress.SetResult();
    }

    /// <summary>Counts a Setup callback.</summary>
    public void CountSetup() => Interlocked.Increment(ref _setups);

    /// <summary>Counts a Park callback.</summary>
    public void CountPark() => Interlocked.Increment(ref _parks);

    /// <summary>Counts an Unpark callback.</summary>
    public void CountUnpark() => Interlocked.Increment(ref _unparks);

    /// <summary>Waits until <see cref="Handled"/> reaches <paramref name="target"/>: each round completes a task, no polling.</summary>
    public async Task WaitHandledAsync(int target, string comm, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        while (true)
        {
            Task progress;
            lock (_gate)
            {
                if (_handled >= target)
                {
                    return;
                }

                progress = _progress.Task;
            }

            try
            {
                await progress.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new DemoFailedException(
                    $"{comm} handled {Handled} works, not {target}, within {Deadline.TotalSeconds:0}s ({Pending} still pending)");
            }
        }
    }

    // Continuations off the thread that handled the work: it must not run the scenario inline.
    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
