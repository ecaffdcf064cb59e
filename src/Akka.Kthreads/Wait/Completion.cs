using Akka.Kthreads.Internal;

namespace Akka.Kthreads;

/// <summary>
/// struct completion: a counted event. Each <see cref="Complete"/> lets one wait through;
/// <see cref="CompleteAll"/> lets every wait through until <see cref="Reinit"/>.
/// </summary>
/// <remarks>
/// kthreads wait with <c>current.WaitForCompletionAsync(done)</c>, off their CPU; plain code with
/// <see cref="WaitAsync"/>. Completing is safe from any code.
/// </remarks>
public sealed class Completion
{
    private const int All = int.MaxValue; // the kernel's UINT_MAX: complete_all()
    private readonly object _lock = new();
    private int _done;

    /// <summary>A completion not yet done (DECLARE_COMPLETION / init_completion).</summary>
    public Completion()
    {
        TryWaitCondition = TryWait;
    }

    /// <summary>completion_done(): true if a wait would go through now without sleeping.</summary>
    public bool IsDone
    {
        get
        {
            lock (_lock)
            {
                return _done > 0;
            }
        }
    }

    internal WaitQueue Queue { get; } = new();

    /// <summary><see cref="TryWait"/> as a wait's condition, made once: a method group made a delegate per wait.</summary>
    internal Func<bool> TryWaitCondition { get; }

    /// <summary>complete(): let one wait through (done++), waking one waiter.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_done != All)
            {
                _done++;
            }
        }

        Queue.Wake(1);
    }

    /// <summary>complete_all(): let every wait through, now and later, until <see cref="Reinit"/>.</summary>
    public void CompleteAll()
    {
        lock (_lock)
        {
            _done = All;
        }

        Queue.WakeUpAll();
    }

    /// <summary>try_wait_for_completion(): take one count without waiting.</summary>
    /// <returns>True if a count was taken (or the completion is completed for all); false if it would have to wait.</returns>
    public bool TryWait()
    {
        lock (_lock)
        {
            if (_done == 0)
            {
                return false;
            }

            if (_done != All)
            {
                _done--;
            }

            return true;
        }
    }

    /// <summary>reinit_completion(): not done again; later waits sleep until the next complete.</summary>
    public void Reinit()
    {
        lock (_lock)
        {
            _done = 0;
        }
    }

    /// <summary>wait_for_completion() for code that is not a kthread: completes once a count is taken.</summary>
    /// <param name="ct">Gives up waiting (OperationCanceledException); no count is taken then.</param>
    /// <returns>A task that completes when this wait went through.</returns>
    public async Task WaitAsync(CancellationToken ct = default)
    {
        while (!TryWait())
        {
            var waiter = new TaskWaiter();
            Queue.Add(waiter);
            if (TryWait())
            {
                PassOn(waiter);
                return;
            }

            try
            {
                await waiter.Woken.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                PassOn(waiter);
                throw;
            }
        }
    }

    /// <summary>Leaving without using a wake-up meant for us: hand it to the next waiter, so none is lost.</summary>
    internal void PassOn(WaitQueue.Waiter waiter)
    {
        if (!Queue.Remove(waiter) && IsDone)
        {
            Queue.Wake(1);
        }
    }
}
