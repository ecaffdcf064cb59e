namespace Akka.Kthreads.Cli.Demo;

/// <summary>
/// The demo's counter thread, in the shape of md's struct md_thread: a daemon asleep on its wait
/// queue until <see cref="Wakeup"/> sets THREAD_WAKEUP, or its timeout passes.
/// </summary>
/// <remarks>
/// Wake-ups that come before the daemon has handled the last one merge into one request, as
/// set_bit() does; so a waker that needs each one seen waits on <see cref="Handled"/> in between.
/// </remarks>
internal sealed class MdThread(TimeSpan timeout)
{
    /// <summary>The demo's timeout (md_thread's thread->timeout): a tick every 50 ms with no request.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMilliseconds(50);

    private readonly WaitQueue _wqueue = new();
    private int _threadWakeup; // THREAD_WAKEUP in thread->flags: 1 = set
    private int _requests;
    private int _timeouts;

    /// <summary>A daemon with the demo's 50 ms timeout.</summary>
    public MdThread()
        : this(DefaultTimeout)
    {
    }

    /// <summary>How long the daemon sleeps with no request before it counts a timeout tick.</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Requests handled: wake-ups that found THREAD_WAKEUP set.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Timeout ticks: waits that ran out with no request.</summary>
    public int Timeouts => Volatile.Read(ref _timeouts);

    /// <summary>Completed once per request handled, for a waker that wants to know it was seen.</summary>
    public Completion Handled { get; } = new();

    /// <summary>md_wakeup_thread(): from any code, set THREAD_WAKEUP, then wake the queue.</summary>
    public void Wakeup()
    {
        // The flag before the wake-up: the daemon's condition, checked after it is on the queue, sees it.
        Interlocked.Exchange(ref _threadWakeup, 1);
        _wqueue.WakeUp();
    }

    /// <summary>md_thread(): the thread function; its data is the <see cref="MdThread"/>.</summary>
    /// <returns>0 once stopped.</returns>
    public static async Task<int> ThreadFnAsync(KthreadContext current)
    {
        var thread = (MdThread)current.Data!;
        while (!current.ShouldStop)
        {
            if (current.ShouldPark)
            {
                await current.ParkMeAsync().ConfigureAwait(false);
                continue;
            }

            var left = await current.WaitEventTimeoutAsync(thread._wqueue,
                () => Volatile.Read(ref thread._threadWakeup) == 1 || current.ShouldStop, thread.Timeout).ConfigureAwait(false);

            // kernel: clear_bit(THREAD_WAKEUP) — a request made while parked is still set here.
            if (Interlocked.Exchange(ref thread._threadWakeup, 0) == 1)
            {
                thread.HandleRequest();
            }
            else if (left == TimeSpan.Zero && !current.ShouldStop && !current.ShouldPark)
            {
                // TimeSpan.Zero is a timeout, or a stop / park request that ended the wait: only the first is a tick.
                Interlocked.Increment(ref thread._timeouts);
            }
        }

        return 0;
    }

    // md: thread->run(thread), e.g. raid1d handling the pending bios.
    private void HandleRequest()
    {
        Interlocked.Increment(ref _requests);
        Handled.Complete();
    }
}
