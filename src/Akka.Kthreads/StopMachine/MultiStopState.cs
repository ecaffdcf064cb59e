namespace Akka.Kthreads;

/// <summary>
/// multi_stop_state: the lockstep every CPU's stopper walks through together; no CPU enters a
/// state before every CPU has acknowledged the one before it.
/// </summary>
public enum MultiStopState
{
    /// <summary>No stop_machine is running.</summary>
    None,

    /// <summary>Every CPU's stopper is taking its CPU: waiting for the kthread on it to reach a checkpoint.</summary>
    Prepare,

    /// <summary>Every CPU is held; interrupts off (here: nothing else may be granted a CPU).</summary>
    DisableIrq,

    /// <summary>fn runs on the chosen CPUs while every CPU is held.</summary>
    Run,

    /// <summary>fn is done everywhere; the stoppers give their CPUs back.</summary>
    Exit,
}
