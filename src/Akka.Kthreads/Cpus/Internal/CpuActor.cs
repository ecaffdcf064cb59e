using Akka.Actor;

namespace Akka.Kthreads.Internal;

/// <summary>
/// INTERNAL API. One CPU's stopper as an actor (the kernel's cpu_stopper thread, "migration/N"): a
/// stopper work sent here joins that CPU's <see cref="CpuStopper"/> queue, as stop_machine's own do directly.
/// </summary>
internal sealed class CpuActor : UntypedActor
{
    private readonly CpuStopper _stopper;

    public CpuActor(CpuStopper stopper) => _stopper = stopper;

    public static Props Props(CpuStopper stopper) => Actor.Props.Create(() => new CpuActor(stopper));

    protected override void OnReceive(object message)
    {
        if (message is MultiStop work)
        {
            _stopper.Queue(work);
        }
        else
        {
            Unhandled(message);
        }
    }
}
