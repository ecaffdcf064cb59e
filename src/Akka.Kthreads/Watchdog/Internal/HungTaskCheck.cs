namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. kernel: check_hung_task() for one task — the task_struct fields it keeps
/// (last_switch_count, last_switch_time), and once-per-hang reporting in place of hung_task_warnings.
/// </summary>
internal sealed class HungTaskCheck
{
    private long _lastSwitchCount = -1;
    private long _lastSwitchTime;
    private bool _reported;

    /// <summary>How long the task has been blocked if it is to be reported now; null otherwise.</summary>
    /// <param name="switchCount">t->nvcsw + t->nivcsw.</param>
    /// <param name="jiffies">Now, in ticks of <paramref name="hz"/> per second.</param>
    /// <param name="hz">Ticks per second.</param>
    /// <param name="timeout">hung_task_timeout_secs.</param>
    public TimeSpan? Check(long switchCount, long jiffies, long hz, TimeSpan timeout)
    {
        // kernel: if (unlikely(!switch_count)) return; — never switched out: a freshly created task.
        if (switchCount == 0)
        {
            return null;
        }

        // kernel: if (switch_count != t->last_switch_count) { t->last_switch_count = switch_count; t->last_switch_time = jiffies; return; }
        if (switchCount != _lastSwitchCount)
        {
            _lastSwitchCount = switchCount;
            _lastSwitchTime = jiffies;
            _reported = false;
            return null;
        }

        // kernel: if (time_is_after_jiffies(t->last_switch_time + timeout * HZ)) return;
        var deadline = _lastSwitchTime + (long)(timeout.TotalSeconds * hz);
        if (deadline > jiffies)
        {
            return null;
        }

        // kernel: if (sysctl_hung_task_warnings) { sysctl_hung_task_warnings--; pr_err(...); } — here once per hang.
        if (_reported)
        {
            return null;
        }

        _reported = true;
        return TimeSpan.FromSeconds((double)(jiffies - _lastSwitchTime) / hz);
    }
}
