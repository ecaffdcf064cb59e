using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Cluster.Internal;

namespace Akka.Kthreads.Cluster;

// Before a CPU comes up here: which other nodes still have it online.
public sealed partial class ClusterKthreads
{
    /// <summary>
    /// The reachable members (with the CPUs' role) that answer that <paramref name="cpu"/> is online there: it
    /// comes up here only once none has, so it is never online on two nodes, even when sharding stopped its
    /// entity there before its hand-off finished.
    /// </summary>
    /// <remarks>
    /// A graceful hand-off took the CPU down before its entity stopped, so the usual answer is "none", for one
    /// round trip. A member that does not answer within hand-off-retry (one without kthreads, or too busy) is
    /// logged and not waited for; nor is an unreachable one, whose CPUs sharding moves only once it is downed.
    /// </remarks>
    internal async Task<IReadOnlyList<Address>> OnlineElsewhereAsync(int cpu)
    {
        var state = Akka.Cluster.Cluster.Get(_system).State;
        var others = state.Members
            .Where(m => m.Address != SelfAddress
                && m.Status is not (Akka.Cluster.MemberStatus.Down or Akka.Cluster.MemberStatus.Removed)
                && !state.Unreachable.Contains(m)
                && (Settings.Role.Length == 0 || m.HasRole(Settings.Role)))
            .Select(m => m.Address)
            .ToArray();
        if (others.Length == 0)
        {
            return [];
        }

        var timeout = Settings.HandOffRetry;
        var answers = await Task.WhenAll(others.Select(async node =>
        {
            try
            {
                var answer = await NodeAt(node).Ask<CpuOnlineHere>(new IsCpuOnline(cpu), timeout).ConfigureAwait(false);
                return answer.Online ? node : null;
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
            {
                _system.Log.Warning("cluster: {0} did not say within {1} whether cpu {2} is online there; not waiting for it", node, timeout, cpu);
                return null;
            }
        })).ConfigureAwait(false);
        return answers.OfType<Address>().ToArray();
    }
}
