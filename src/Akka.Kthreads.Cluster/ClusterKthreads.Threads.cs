using Akka.Event;
using Akka.Actor;

namespace Akka.Kthreads.Cluster;

// Threads of any node from any node: created by registered name, operated by cluster id (node/pid).
public sealed partial class ClusterKthreads
{
    /// <summary>Lets any node create threads of <paramref name="fn"/> here by <paramref name="name"/>: functions cross nodes by name, never as code.</summary>
    /// <param name="name">The name creators use; register the same name on every node that may host the CPU.</param>
    /// <param name="fn">The thread function.</param>
    /// <exception cref="ArgumentException">An empty name or a null function.</exception>
    /// <exception cref="InvalidOperationException">The name is registered already.</exception>
    public void RegisterFunction(string name, ThreadFn fn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(fn);
        if (!Functions.TryAdd(name, fn))
        {
            throw new InvalidOperationException($"a thread function named '{name}' is registered on this node already");
        }
    }

    /// <summary>kthread_run() of a registered function, on this node (an unbound thread runs where it is created).</summary>
    /// <param name="function">A name registered on this node.</param>
    /// <param name="data">Handed to the function as <c>current.Data</c>.</param>
    /// <param name="comm">The thread's name.</param>
    /// <param name="ct">Gives up waiting, as the local RunAsync.</param>
    /// <returns>The running thread's cluster id.</returns>
    /// <exception cref="KthreadCreateException">-ENOENT: no function of that name is registered here; or kthreadd refused.</exception>
    public async Task<ClusterKthreadId> RunAsync(string function, object? data, string comm, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(function);
        ArgumentException.ThrowIfNullOrWhiteSpace(comm);
        if (!Functions.TryGetValue(function, out var fn))
        {
            throw new KthreadCreateException(-Errno.ENOENT, $"no function '{function}' is registered on {SelfAddress}");
        }

        var thread = await Kthreads.RunAsync(fn, data, comm, ct).ConfigureAwait(false);
        return new ClusterKthreadId(SelfAddress, thread.Pid);
    }

    /// <summary>kthread_create_on_cpu() of a registered function, on the node that hosts <paramref name="cpu"/> now.</summary>
    /// <param name="function">A name registered on the hosting node.</param>
    /// <param name="data">Handed to the function; goes through Akka serialization (bind a serializer for its type).</param>
    /// <param name="cpu">A cluster CPU.</param>
    /// <param name="nameFormat">The thread's name, "{0}" standing for the cpu.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>The thread's cluster id: created parked and bound to the CPU there; unpark it to start it.</returns>
    /// <exception cref="ArgumentException">A cpu outside the cluster's CPUs, an empty function name or a bad name format.</exception>
    /// <exception cref="KthreadCreateException">-ENOENT: the hosting node has no function of that name; -EBUSY: the CPU is being handed off (try again); or kthreadd refused.</exception>
    /// <exception cref="TimeoutException">No reply within ask-timeout.</exception>
    /// <remarks>The thread stays on that node: when its CPU moves away it parks there, as a per-CPU thread of an offline CPU.</remarks>
    public async Task<ClusterKthreadId> CreateOnCpuAsync(string function, object? data, int cpu, string nameFormat, CancellationToken ct = default)
    {
        CheckCpu(cpu);
        ArgumentException.ThrowIfNullOrWhiteSpace(function);
        ArgumentException.ThrowIfNullOrWhiteSpace(nameFormat);
        Kthreads.CheckNameFormat(nameFormat, cpu, nameof(nameFormat));
        var reply = await AskAsync<object>(Region, new ClusterCpuProtocol.CreateOnCpu(cpu, function, data, nameFormat), ct).ConfigureAwait(false);
        return reply switch
        {
            ClusterCpuProtocol.ThreadCreated created => new ClusterKthreadId(created.Node, created.Pid),
            ClusterCpuProtocol.CpuRequestFailed failed => throw new KthreadCreateException(failed.Errno, failed.Reason),
            _ => throw new InvalidOperationException($"cpu {cpu} answered {reply.GetType().Name} to a create"),
        };
    }

    /// <summary>
    /// stop_machine() across the cluster: every online CPU of every node held by its stopper at once
    /// (and no CPU coming or going anywhere), <paramref name="fn"/> run once here, then all released.
    /// </summary>
    /// <param name="fn">Gets this node's first online CPU (-1 if it hosts none); must not wait.</param>
    /// <param name="ct">Gives up waiting while the CPUs are not all held yet; fn then never runs.</param>
    /// <returns>fn's return; -EBUSY while a CPU is being handed off (try again); -ETIMEDOUT if not every node held within kthreads.stop-machine.timeout; -EINVAL if a node holds for less than this one asks (its stop-machine.timeout is under half of this one's); -EFAULT if fn threw.</returns>
    /// <exception cref="ArgumentNullException">A null fn.</exception>
    /// <remarks>A hand-off that starts meanwhile waits until the machine is released: each node holds its cpu_hotplug_lock.</remarks>
    public Task<int> StopMachineAsync(Func<int, int> fn, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ct.ThrowIfCancellationRequested();
        return KthreadContext.SleepingOffCpu(() => RunMachineAsync(fn, ct));
    }

    private async Task<int> RunMachineAsync(Func<int, int> fn, CancellationToken ct)
    {
        // The Up members, and every node that hosts a CPU whatever its status: a leaving node keeps its CPUs (and runs
        // their kthreads) until its hand-off, which comes after it is Exiting.
        var state = Akka.Cluster.Cluster.Get(_system).State;
        var placement = await PlacementAsync(ct).ConfigureAwait(false);
        if (placement.Count < Settings.Cpus
            || placement.Values.Any(host => !state.Members.Any(m => m.Address == host && m.Status is not (Akka.Cluster.MemberStatus.Down or Akka.Cluster.MemberStatus.Removed))))
        {
            return -Errno.EBUSY; // a CPU is between two nodes, or on one that is not (or no longer) a member here
        }

        var members = state.Members.Where(m => m.Status == Akka.Cluster.MemberStatus.Up).Select(m => m.Address)
            .Union(placement.Values).ToArray();

        var id = Guid.NewGuid();
        var timeout = Kthreads.Settings.StopMachineTimeout;
        var hold = new StopMachine.MachineHold(id, timeout + timeout);
        var asked = members.ToDictionary(member => NodeAt(member).Ask<StopMachine.MachineHeld>(hold, timeout, ct));
        var answers = asked.Keys.ToList();
        var holding = new List<Address>(members.Length);
        try
        {
            // Every node answers once it holds (0) or refuses; the first refusal ends the machine.
            while (answers.Count > 0)
            {
                var answered = await Task.WhenAny(answers).ConfigureAwait(false);
                answers.Remove(answered);
                var held = await answered.ConfigureAwait(false);
                if (held.Result is var refused and not 0)
                {
                    return refused;
                }

                holding.Add(asked[answered]);
            }

            // Every CPU of every node is held by its stopper: no kthread runs anywhere while fn does.
            try
            {
                return fn(Kthreads.Cpus.Online.Count > 0 ? Kthreads.Cpus.Online[0] : -1);
            }
            catch (Exception e)
            {
                _system.Log.Error(e, "cluster stop_machine: fn threw {0}", e.GetType().Name);
                return -Errno.EFAULT;
            }
        }
        catch (AskTimeoutException)
        {
            _system.Log.Error("cluster stop_machine: not every node held its CPUs within {0} (kthreads.stop-machine.timeout); fn did not run", timeout);
            return -Errno.ETIMEDOUT;
        }
        finally
        {
            await ReleaseAsync(id, members, holding, timeout).ConfigureAwait(false);
        }
    }

    // kernel: stop_machine() returns once every stopper has finished. Each node that said it holds answers the release
    // once its stoppers are gone and its lock is free; the others (refused, or not answered yet) are told only, since
    // one that never answered may be gone, and each hold ends by itself anyway.
    private async Task ReleaseAsync(Guid id, Address[] members, List<Address> holding, TimeSpan timeout)
    {
        var release = new StopMachine.MachineRelease(id);
        foreach (var member in members.Except(holding))
        {
            NodeAt(member).Tell(release);
        }

        var answers = await Task.WhenAll(holding.Select(async member =>
        {
            try
            {
                await NodeAt(member).Ask<StopMachine.MachineReleased>(release, timeout).ConfigureAwait(false);
                return null;
            }
            catch (AskTimeoutException)
            {
                return member;
            }
        })).ConfigureAwait(false);
        var late = answers.OfType<Address>().ToArray();
        if (late.Length > 0)
        {
            _system.Log.Warning("cluster stop_machine {0}: {1} did not say within {2} (kthreads.stop-machine.timeout) that it let go; each hold ends by itself",
                id, string.Join(", ", late), timeout);
        }
    }

    internal ActorSelection NodeAt(Address node) => _system.ActorSelection(new RootActorPath(node) / Node.Path.Elements);

    /// <summary>kthread_stop() of a thread on any node.</summary>
    /// <param name="id">The thread's cluster id.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>Its exit code (as a local Stop: -EINTR if it never ran, -ETIMEDOUT past stop-timeout); -ESRCH for a thread or node that is gone; -ETIMEDOUT when its node does not answer within ask-timeout.</returns>
    public async Task<int> StopAsync(ClusterKthreadId id, CancellationToken ct = default) =>
        (await OperateAsync(id, ClusterNodeProtocol.ThreadOperation.Stop, ct).ConfigureAwait(false)).Result;

    /// <summary>kthread_park() of a thread on any node.</summary>
    /// <param name="id">The thread's cluster id.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>0 once parked; as a local Park (-ETIMEDOUT past park-timeout, -EINTR); -ESRCH for a thread or node that is gone; -ETIMEDOUT when its node does not answer.</returns>
    public async Task<int> ParkAsync(ClusterKthreadId id, CancellationToken ct = default) =>
        (await OperateAsync(id, ClusterNodeProtocol.ThreadOperation.Park, ct).ConfigureAwait(false)).Result;

    /// <summary>kthread_unpark() of a thread on any node.</summary>
    /// <param name="id">The thread's cluster id.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>0 (also for a gone thread, as locally); -ESRCH for a node that is gone; -ETIMEDOUT when its node does not answer.</returns>
    public async Task<int> UnparkAsync(ClusterKthreadId id, CancellationToken ct = default) =>
        (await OperateAsync(id, ClusterNodeProtocol.ThreadOperation.Unpark, ct).ConfigureAwait(false)).Result;

    /// <summary>wake_up_process() of a thread on any node.</summary>
    /// <param name="id">The thread's cluster id.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>1 if it was woken, 0 if it was not asleep (or is gone, as locally); -ESRCH for a node that is gone; -ETIMEDOUT when its node does not answer.</returns>
    public async Task<int> WakeUpAsync(ClusterKthreadId id, CancellationToken ct = default) =>
        (await OperateAsync(id, ClusterNodeProtocol.ThreadOperation.WakeUp, ct).ConfigureAwait(false)).Result;

    /// <summary>set_cpus_allowed_ptr() of a thread on any node: it may then run only on <paramref name="cpus"/> that its node hosts.</summary>
    /// <param name="id">The thread's cluster id.</param>
    /// <param name="cpus">Cluster CPUs; the thread stays on its node and moves at its next checkpoint to one of them hosted there.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>0 once the mask is in force; -EINVAL for an empty set, a per-CPU thread, or none of them hosted by its node now; -ESRCH for a thread or node that is gone; -ETIMEDOUT when its node does not answer.</returns>
    /// <exception cref="ArgumentNullException">A null set.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A CPU outside the cluster's CPUs.</exception>
    /// <remarks>When hotplug moves the last of them away from its node, the thread drops the mask and runs on any CPU there, as locally.</remarks>
    public async Task<int> SetCpusAllowedAsync(ClusterKthreadId id, IReadOnlyCollection<int> cpus, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        foreach (var cpu in cpus)
        {
            CheckCpu(cpu, nameof(cpus));
        }

        return (await OperateAsync(id, ClusterNodeProtocol.ThreadOperation.SetCpusAllowed, ct, cpus.ToArray()).ConfigureAwait(false)).Result;
    }

    /// <summary>The ps row of a thread on any node.</summary>
    /// <param name="id">The thread's cluster id.</param>
    /// <param name="ct">Stops waiting.</param>
    /// <returns>Result 0 and the row; -ESRCH (with its last row, Dead, when its node still remembers it) for a thread or node that is gone; -ETIMEDOUT when its node does not answer.</returns>
    public Task<ClusterNodeProtocol.ThreadOpResult> InfoAsync(ClusterKthreadId id, CancellationToken ct = default) =>
        OperateAsync(id, ClusterNodeProtocol.ThreadOperation.Info, ct);

    // The operation (with the mask of a set_cpus_allowed) goes to the node's query actor, which sends it to the thread as a local caller would.
    internal async Task<ClusterNodeProtocol.ThreadOpResult> OperateAsync(ClusterKthreadId id, ClusterNodeProtocol.ThreadOperation operation, CancellationToken ct,
        IReadOnlyList<int>? cpus = null)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Pid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id.Pid, "a pid is positive");
        }

        var member = Akka.Cluster.Cluster.Get(_system).State.Members.FirstOrDefault(m => m.Address.Equals(id.Node));
        if (member is null || member.Status is Akka.Cluster.MemberStatus.Down or Akka.Cluster.MemberStatus.Removed or Akka.Cluster.MemberStatus.Exiting)
        {
            return new ClusterNodeProtocol.ThreadOpResult(-Errno.ESRCH, null);
        }

        var node = NodeAt(id.Node);
        try
        {
            return await node.Ask<ClusterNodeProtocol.ThreadOpResult>(new ClusterNodeProtocol.ThreadOp(id.Pid, operation) { Cpus = cpus }, Settings.AskTimeout, ct)
                .ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new ClusterNodeProtocol.ThreadOpResult(-Errno.ETIMEDOUT, null);
        }
    }
}
