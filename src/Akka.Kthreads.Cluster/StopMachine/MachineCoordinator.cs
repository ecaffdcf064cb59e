using Akka.Actor;

namespace Akka.Kthreads.Cluster.StopMachine;

/// <summary>INTERNAL API. Collects every node's answer for one cluster-wide stop_machine and completes once all held, or one refused.</summary>
internal sealed class MachineCoordinator : ReceiveActor
{
    public MachineCoordinator(Guid id, IReadOnlyCollection<string> nodes, TaskCompletionSource<int> done)
    {
        var waiting = new HashSet<string>(nodes, StringComparer.Ordinal);
        Receive<MachineHeld>(held => held.Id == id, held =>
        {
            if (held.Result != 0)
            {
                done.TrySetResult(held.Result);
                return;
            }

            waiting.Remove(held.Node);
            if (waiting.Count == 0)
            {
                done.TrySetResult(0);
            }
        });
    }

    public static Props Props(Guid id, IReadOnlyCollection<string> nodes, TaskCompletionSource<int> done) =>
        Actor.Props.Create(() => new MachineCoordinator(id, nodes, done));
}
