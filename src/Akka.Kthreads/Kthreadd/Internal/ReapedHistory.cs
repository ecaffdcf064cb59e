namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. The last rows of the most recently reaped threads, oldest forgotten first, so a
/// late GetInfo still shows the name and exit code (kthreads.kthreadd.reaped-history).
/// </summary>
internal sealed class ReapedHistory(int capacity)
{
    private readonly RecentHistory<int, KthreadInfo> _rows = new(capacity);

    public void Add(KthreadInfo last) => _rows.Add(last.Pid, last);

    /// <summary>The remembered row of <paramref name="pid"/>, else a bare Dead row (nothing but the pid is known).</summary>
    public KthreadInfo Find(int pid, string node) =>
        _rows.TryGetValue(pid, out var row) ? row : new KthreadInfo(pid, 2, string.Empty, KthreadState.Dead, null, false, null, node);
}
