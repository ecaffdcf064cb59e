using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Kthreads.Cluster.Internal;

namespace Akka.Kthreads.Cluster;

// Before a CPU comes up here: which other nodes still have it online.
public sealed partial class ClusterKthreads
{
    /// <summary>
    /// Asks every other member (not Down or Removed, with the CPUs' role) whether <paramref name="cpu"/> is online
    /// there: it comes up here only once none has it and every one that runs kthreads answered, so it is never
    /// online on two nodes, even when sharding stopped its entity there before its hand-off finished.
    /// </summary>
    /// <remarks>
    /// A graceful hand-off took the CPU down before its entity stopped, so the usual answer is "none", for one
    /// round trip. A member without kthreads (no query actor, as Identify says, while it is not leaving: a leaving
    /// node stops that actor before its CPUs) is not counted; one that is unreachable or does not answer within
    /// hand-off-retry counts as unanswered, and the caller asks again. A leaving node that said it has no CPU left
    /// (<see cref="NodeDrained"/>) is not asked: it may have ended before it could answer.
    /// </remarks>
    internal async Task<OnlineElsewhere> OnlineElsewhereAsync(int cpu)
    {
        var others = Akka.Cluster.Cluster.Get(_system).State.Members
            .Where(m => m.Address != SelfAddress
                && m.Status is not (Akka.Cluster.MemberStatus.Down or Akka.Cluster.MemberStatus.Removed)
                && !Drained.ContainsKey(m.UniqueAddress)
                && (Settings.Role.Length == 0 || m.HasRole(Settings.Role)))
            .ToArray();
        if (others.Length == 0)
        {
            return new OnlineElsewhere([], []);
        }

        var answers = await Task.WhenAll(others.Select(m => AskOnlineAsync(m, cpu))).ConfigureAwait(false);
        return new OnlineElsewhere(
            others.Where((_, i) => answers[i] == true).Select(m => m.Address.ToString()).ToArray(),
            others.Where((_, i) => answers[i] is null).Select(m => m.Address.ToString()).ToArray());
    }

    /// <summary>Leaving nodes that said they have no CPU online and will bring none up (kept for the node's life: a handful of entries).</summary>
    internal ConcurrentDictionary<Akka.Cluster.UniqueAddress, byte> Drained { get; } = new();

    /// <summary>
    /// The cluster-leave task: once the CPUs of entities stopped mid-hand-off are down here (none will come up: the
    /// region is shut down), tell every member, so none waits for an answer from this node while it ends.
    /// </summary>
    private async Task<Done> DrainAsync(TimeSpan timeout)
    {
        // Also run when the ActorSystem was terminated without leaving (the cluster runs this shutdown then, as for a
        // downed node): its actors are gone, so nothing can be taken down, and the ask would only time out.
        var drained = Orphans.Ask<Done>(new OrphanCpus.Drain(timeout), timeout);
        if (await Task.WhenAny(drained, _system.WhenTerminated).ConfigureAwait(false) != drained)
        {
            _ = drained.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            return Done.Instance;
        }

        await drained.ConfigureAwait(false);
        if (Kthreads.Cpus.Online.Count == 0)
        {
            var cluster = Akka.Cluster.Cluster.Get(_system);
            var told = new NodeDrained(SelfAddress, cluster.SelfUniqueAddress.Uid);
            foreach (var member in cluster.State.Members.Where(m => m.Address != SelfAddress))
            {
                NodeAt(member.Address).Tell(told);
            }
        }

        return Done.Instance;
    }

    // True or false as the node answered; false with no query actor on a node not leaving; null when it could not be told.
    private async Task<bool?> AskOnlineAsync(Akka.Cluster.Member member, int cpu)
    {
        var node = member.Address;
        var notLeaving = member.Status is Akka.Cluster.MemberStatus.Joining or Akka.Cluster.MemberStatus.WeaklyUp or Akka.Cluster.MemberStatus.Up;
        var timeout = Settings.HandOffRetry;
        var at = NodeAt(node);
        var identity = at.Ask<ActorIdentity>(new Identify(cpu), timeout);
        var answer = at.Ask<CpuOnlineHere>(new IsCpuOnline(cpu), timeout);
        try
        {
            if (await Task.WhenAny(answer, identity).ConfigureAwait(false) == identity
                && identity.IsCompletedSuccessfully && identity.Result.Subject is null)
            {
                return notLeaving ? false : null;
            }

            return (await answer.ConfigureAwait(false)).Online;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return null;
        }
        finally
        {
            // Both observed whichever ended first, so a late fault is not reported as unobserved.
            _ = identity.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            _ = answer.ContinueWith(static t => t.Exception, TaskScheduler.Default);
        }
    }
}
