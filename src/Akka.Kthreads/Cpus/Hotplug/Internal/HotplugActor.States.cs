using Akka.Event;

namespace Akka.Kthreads.Internal;

// cpuhp_setup_state() / cpuhp_remove_state(): dynamic states, run on every online CPU as they come and go.
internal sealed partial class HotplugActor
{
    // kernel: __cpuhp_setup_state() + cpuhp_rollback_install() — all online CPUs or none.
    private async Task<int> SetupAsync(CpuHotplugProtocol.SetupState setup)
    {
        var state = new StateEntry(_nextState++, setup.Name, setup.Startup, setup.Teardown);
        var done = new List<int>();
        foreach (var cpu in _cpus.Online)
        {
            var result = await InvokeAsync(state, cpu, startup: true).ConfigureAwait(false);
            if (result != 0)
            {
                _log.Warning("cpuhp: state {0} ({1}) failed on cpu {2}: {3}; undoing it on the CPUs done", state.Id, state.Name, cpu, result);
                for (var i = done.Count - 1; i >= 0; i--)
                {
                    await InvokeAsync(state, done[i], startup: false).ConfigureAwait(false);
                }

                return result;
            }

            done.Add(cpu);
        }

        _states.Add(state);
        PublishStates();
        return state.Id;
    }

    // kernel: __cpuhp_remove_state() — teardown on every online CPU (failures only warn), then forget it.
    private async Task<int> RemoveAsync(int id)
    {
        var state = _states.Find(s => s.Id == id);
        if (state is null || id == Cpus.Smpboot.Id)
        {
            return -Errno.EINVAL;
        }

        foreach (var cpu in _cpus.Online)
        {
            var result = await InvokeAsync(state, cpu, startup: false).ConfigureAwait(false);
            if (result != 0)
            {
                _log.Warning("cpuhp: teardown of state {0} ({1}) on cpu {2} returned {3}; the state is removed anyway", id, state.Name, cpu, result);
            }
        }

        _states.Remove(state);
        PublishStates();
        return 0;
    }
}
