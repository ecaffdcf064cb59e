using Akka.Actor;
using static Akka.Kthreads.KthreadWorkerProtocol;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. A worker's door for actor users: each message is the matching KthreadWorker call;
/// waits are piped back, so this actor never blocks.
/// </summary>
internal sealed class KthreadWorkerActor(KthreadWorker worker) : UntypedActor
{
    public static Props Props(KthreadWorker worker) => Actor.Props.Create(() => new KthreadWorkerActor(worker));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case QueueWork queue:
                Reply(() => new WorkQueued(worker.QueueWork(queue.Work)));
                break;
            case QueueDelayedWork queue:
                Reply(() => new WorkQueued(worker.QueueDelayedWork(queue.Work, queue.Delay)));
                break;
            case ModDelayedWork mod:
                Reply(() => new DelayedWorkModified(worker.ModDelayedWork(mod.Work, mod.Delay)));
                break;
            case FlushWork flush:
                Pipe(flush.Work is null ? Fail<bool>(nameof(FlushWork.Work)) : worker.FlushWorkAsync(flush.Work), waited => new WorkFlushed(waited));
                break;
            case Flush:
                Pipe(worker.FlushAsync(), Flushed.Instance);
                break;
            case CancelWork cancel:
                Pipe(cancel.Work is null ? Fail<bool>(nameof(CancelWork.Work)) : cancel.Work.Worker == worker ? cancel.Work.CancelSyncAsync() : Task.FromResult(false),
                    wasPending => new WorkCancelled(wasPending));
                break;
            case Destroy:
                Pipe(worker.DestroyAsync(), Destroyed.Instance);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private static Task<T> Fail<T>(string param) => Task.FromException<T>(new ArgumentNullException(param));

    private void Reply(Func<object> call)
    {
        try
        {
            Sender.Tell(call());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Sender.Tell(new Status.Failure(e));
        }
    }

    private void Pipe<T>(Task<T> task, Func<T, object> reply) =>
        task.PipeTo(Sender, success: result => reply(result), failure: e => new Status.Failure(e));

    private void Pipe(Task task, object reply) =>
        task.PipeTo(Sender, success: () => reply, failure: e => new Status.Failure(e));
}
