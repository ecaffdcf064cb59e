using Akka.Event;

namespace Akka.Kthreads.Internal;

// The one place the state changes; see the diagram on KthreadState.
internal sealed partial class KthreadActor
{
    private static bool IsLegal(KthreadState from, KthreadState to) => (from, to) switch
    {
        (KthreadState.New, KthreadState.Running or KthreadState.Parked or KthreadState.Dead) => true,
        (KthreadState.Running, KthreadState.Sleeping or KthreadState.Parked or KthreadState.Zombie or KthreadState.Dead) => true,
        (KthreadState.Sleeping, KthreadState.Running) => true,
        (KthreadState.Parked, KthreadState.Running or KthreadState.Dead) => true,
        (KthreadState.Zombie, KthreadState.Dead) => true,
        _ => false,
    };

    private void Transition(KthreadState to)
    {
        var from = _k.State;
        if (from == to)
        {
            return;
        }

        if (!IsLegal(from, to))
        {
            // kernel: WARN_ON — loud in the specs (strict), a log line in production.
            var warning = $"kthread {_k.Pid} ({_k.Comm}): illegal transition {from} -> {to}";
            if (_settings.StrictTransitions)
            {
                throw new InvalidOperationException(warning);
            }

            Log.Warning(warning);
        }

        _k.State = to;
    }
}
