using System.Globalization;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Hotplug;

/// <summary>
/// The scenario's smpboot threads, after seed 000's "migration thread, ksoftirqd" that hotplug must
/// stop as a CPU leaves and start as it comes: each handles work raised for its CPU, counted in
/// its per-CPU <see cref="PerCpuCounter"/>.
/// </summary>
internal sealed class PerCpuDaemons
{
    private readonly Kthreads _kthreads;

    /// <summary>The two specs for <paramref name="kthreads"/>' node, not registered yet.</summary>
    public PerCpuDaemons(Kthreads kthreads)
    {
        _kthreads = kthreads;
        Specs = [Spec("ksoftirqd/{0}"), Spec("migration/{0}")];
    }

    /// <summary>The registered specs, in registration order (smpboot parks in the reverse order).</summary>
    public IReadOnlyList<PerCpuThread> Specs { get; }

    /// <summary>"ksoftirqd/N": how the scenario names every thread of a spec at once.</summary>
    public static string Family(PerCpuThread spec) => spec.Comm.Replace("{0}", "N", StringComparison.Ordinal);

    /// <summary>smpboot_register_percpu_thread() of both specs; each must return 0.</summary>
    /// <returns>The line to print: each RegisterAsync and its result.</returns>
    public async Task<string> RegisterAsync(CancellationToken ct)
    {
        var results = new List<string>();
        foreach (var spec in Specs)
        {
            var result = await _kthreads.PerCpuThreads.RegisterAsync(spec, ct).ConfigureAwait(false);
            Expect(result == 0, $"RegisterAsync({spec.Comm}) returned {ExitCodes.Describe(result)}, not 0");
            results.Add($"RegisterAsync({spec.Comm}) = {result}");
        }

        return string.Join(", ", results);
    }

    /// <summary>smpboot_unregister_percpu_thread() of both specs, last registered first.</summary>
    public async Task UnregisterAsync(CancellationToken ct)
    {
        foreach (var spec in Specs.Reverse())
        {
            await _kthreads.PerCpuThreads.UnregisterAsync(spec, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The thread of <paramref name="spec"/> on <paramref name="cpu"/>; every possible CPU has one once registered with all online.</summary>
    public PerCpu Thread(PerCpuThread spec, int cpu) =>
        _kthreads.PerCpuThreads.Get(spec, cpu) ?? throw new DemoFailedException($"no {spec.Comm} thread for cpu {cpu}");

    /// <summary>The per-CPU counter of <paramref name="spec"/> on <paramref name="cpu"/>.</summary>
    public PerCpuCounter Counter(PerCpuThread spec, int cpu) => Counter(Thread(spec, cpu));

    /// <summary>Raises <paramref name="works"/> on every thread, then wakes each (wakeup_softirqd()).</summary>
    /// <returns>Each thread's name with what WakeUpAsync said: false for a parked one, whose work waits.</returns>
    public async Task<IReadOnlyList<(string Comm, bool Woken)>> RaiseAllAsync(int works, CancellationToken ct)
    {
        var woken = new List<(string, bool)>();
        foreach (var spec in Specs)
        {
            foreach (var cpu in _kthreads.Cpus.Possible)
            {
                var thread = Thread(spec, cpu);
                // The work before the wake-up: the loop checks ThreadShouldRun after PrepareToSleep, so neither is lost.
                Counter(thread).Raise(works);
                woken.Add((thread.Thread.Comm, await thread.Thread.WakeUpAsync(ct).ConfigureAwait(false)));
            }
        }

        return woken;
    }

    /// <summary>Waits until every thread on <paramref name="cpus"/> has handled <paramref name="target"/>(spec, cpu) works.</summary>
    public async Task WaitHandledAsync(IEnumerable<int> cpus, Func<PerCpuThread, int, int> target, CancellationToken ct)
    {
        foreach (var cpu in cpus)
        {
            foreach (var spec in Specs)
            {
                var thread = Thread(spec, cpu);
                await Counter(thread).WaitHandledAsync(target(spec, cpu), thread.Thread.Comm, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Works handled so far, by spec and CPU.</summary>
    public Dictionary<(PerCpuThread Spec, int Cpu), int> Handled() =>
        Specs.SelectMany(spec => _kthreads.Cpus.Possible.Select(cpu => (spec, cpu)))
            .ToDictionary(key => key, key => Counter(key.spec, key.cpu).Handled);

    /// <summary>"ksoftirqd/N handled: cpu 0 = 2, cpu 1 = 2 (+1 pending), ...": one line per spec.</summary>
    public IEnumerable<string> CounterLines() =>
        Specs.Select(spec => $"{Family(spec)} handled: " + string.Join(", ", _kthreads.Cpus.Possible.Select(cpu =>
        {
            var counter = Counter(spec, cpu);
            var pending = counter.Pending;
            var count = counter.Handled.ToString(CultureInfo.InvariantCulture);
            return pending > 0 ? $"cpu {cpu} = {count} (+{pending} pending)" : $"cpu {cpu} = {count}";
        })));

    /// <summary>Every counter, for the checks that need the callbacks too.</summary>
    public IEnumerable<(string Comm, PerCpuCounter Counter)> Counters() =>
        Specs.SelectMany(spec => _kthreads.Cpus.Possible.Select(cpu => (Thread(spec, cpu).Thread.Comm, Counter(spec, cpu))));

    private static PerCpuCounter Counter(PerCpu thread) => (PerCpuCounter)thread.State!;

    private static PerCpuThread Spec(string comm) => new(comm,
        ThreadShouldRun: thread => Counter(thread).Pending > 0,
        ThreadFn: async thread =>
        {
            Counter(thread).HandleOne(thread.Current.Cpu);
            // kernel: cond_resched() between rounds, where stop_machine may take the CPU.
            await thread.Current.YieldAsync().ConfigureAwait(false);
        })
    {
        CreateState = cpu => new PerCpuCounter(cpu),
        Setup = thread => Count(thread, c => c.CountSetup()),
        Park = thread => Count(thread, c => c.CountPark()),
        Unpark = thread => Count(thread, c => c.CountUnpark()),
    };

    private static Task Count(PerCpu thread, Action<PerCpuCounter> count)
    {
        count(Counter(thread));
        return Task.CompletedTask;
    }
}
