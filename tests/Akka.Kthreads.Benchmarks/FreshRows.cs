using Akka.Actor;

namespace Akka.Kthreads.Benchmarks;

/// <summary>The ps baselines' actor: answers every message with a fresh array of fresh copies of its rows, as kthreadd makes one per List.</summary>
internal sealed class FreshRows(KthreadInfo[] rows) : UntypedActor
{
    protected override void OnReceive(object message)
    {
        var fresh = new KthreadInfo[rows.Length];
        for (var i = 0; i < fresh.Length; i++)
        {
            fresh[i] = rows[i] with { };
        }

        Sender.Tell(fresh);
    }
}
