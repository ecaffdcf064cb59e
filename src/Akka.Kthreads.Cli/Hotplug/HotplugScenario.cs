using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Hotplug;

/// <summary>
/// <c>kps hotplug</c> step by step: per-CPU threads and two dynamic states on every CPU (a, b), the
/// CPUs but 0 taken down one at a time (c, d), brought back (e), everything removed (f).
/// </summary>
/// <remarks>Each result is checked against what hotplug promises; a miss throws <see cref="DemoFailedException"/>.</remarks>
internal sealed partial class HotplugScenario(IKpsOutput output, Kthreads kthreads, HotplugEventLog events, CancellationToken ct)
{
    /// <summary>The dynamic states, set up in this order (their ids ascend, so do their startups).</summary>
    public static IReadOnlyList<string> StateNames { get; } = ["demo/first:online", "demo/second:online"];

    /// <summary>The plain kthread bound to the highest CPU, to watch it move when that CPU goes down.</summary>
    public const string PinnedComm = "pinned";

    /// <summary>Works raised on every per-CPU thread in step b.</summary>
    public const int FirstWorks = 2;

    private readonly PerCpuDaemons _daemons = new(kthreads);
    private readonly List<int> _states = [];
    private Dictionary<(PerCpuThread Spec, int Cpu), int> _handledBefore = new();
    private Kthread? _pinned;

    private Cpus Cpus => kthreads.Cpus;

    /// <summary>CPU 0 stays; the others go down from the highest, one at a time, and come back from the lowest.</summary>
    private IReadOnlyList<int> GoingDown => Cpus.Possible.Where(c => c != 0).Reverse().ToList();

    /// <summary>Runs steps a to f, printing as it goes.</summary>
    public async Task RunAsync()
    {
        var count = Cpus.Possible.Count;
        output.Heading($"kps hotplug: one node with {count} CPU{(count == 1 ? string.Empty : "s")}; Cpus.Online: {HotplugText.CpuList(Cpus.Online)}.");
        output.Heading(string.Empty);
        await SetUpAsync().ConfigureAwait(false);
        await RunWorkAsync().ConfigureAwait(false);
        if (GoingDown.Count > 0)
        {
            await FirstDownAsync(GoingDown[0]).ConfigureAwait(false);
        }

        await RestDownAsync(GoingDown.Skip(1).ToList()).ConfigureAwait(false);
        if (GoingDown.Count > 0)
        {
            await UpAsync(GoingDown.Reverse().ToList()).ConfigureAwait(false);
        }

        await TearDownAsync().ConfigureAwait(false);
    }

    // a. smpboot threads first (state 0 exists from boot), then the dynamic states after it.
    private async Task SetUpAsync()
    {
        var registered = await _daemons.RegisterAsync(ct).ConfigureAwait(false);
        output.Heading($"a. {registered}: smpboot made one thread of each per online CPU, unparked.");
        output.Heading("a. SetupStateAsync of two dynamic states; each startup ran at once on every online CPU:");
        foreach (var name in StateNames)
        {
            var id = await Cpus.SetupStateAsync(name, Succeed, Succeed, ct).ConfigureAwait(false);
            var call = $"SetupStateAsync(\"{name}\") = {ExitCodes.Describe(id)}";
            Expect(id > 0, $"{call}, not a state id");
            var steps = await events.ReadStepsAsync(Cpus.Online.Count, call, ct).ConfigureAwait(false);
            output.Line(HotplugText.StateLine(call, startup: true, steps));
            HotplugText.ExpectStateSteps(id, startup: true, steps, Cpus.Online);
            _states.Add(id);
        }

        output.Line($"Cpus.States, in startup order: {HotplugText.States(Cpus.States)}");
        output.Heading(string.Empty);
        Expect(Cpus.States.Select(s => s.Id).SequenceEqual(_states.Prepend(0)), $"Cpus.States is {HotplugText.States(Cpus.States)}");
    }

    // b. Work on every CPU, and a plain kthread bound to the CPU that goes down first.
    private async Task RunWorkAsync()
    {
        await _daemons.RaiseAllAsync(FirstWorks, ct).ConfigureAwait(false);
        await _daemons.WaitHandledAsync(Cpus.Possible, (_, _) => FirstWorks, ct).ConfigureAwait(false);
        _handledBefore = _daemons.Handled();
        output.Heading($"b. Raised {FirstWorks} works on every per-CPU thread and woke it; each handled them on its own CPU:");
        ShowCounters();
        ExpectOwnCpu();

        var families = string.Join(" and ", _daemons.Specs.Select(PerCpuDaemons.Family));
        var heading = $"b. ps: {families} asleep on their CPUs (S) until woken.";
        if (GoingDown.Count > 0)
        {
            _pinned = await StartPinnedAsync(GoingDown[0]).ConfigureAwait(false);
            heading = $"b. ps: {families} asleep on their CPUs (S) until woken; {PinnedComm} bound to CPU {GoingDown[0]}.";
        }

        output.Heading(string.Empty);
        var rows = await SettledPs.ShowAsync(output, kthreads, heading, ct).ConfigureAwait(false);
        ExpectPerCpu(rows, Cpus.Possible, 'S');
        if (_pinned is not null)
        {
            Expect(SettledPs.Row(rows, PinnedComm).Cpu == $"{GoingDown[0]}", $"{PinnedComm} should be on CPU {GoingDown[0]}, where it is bound");
        }
    }

    // kernel: kthread_create() + kthread_bind() + wake_up_process(): bound before it first runs.
    private async Task<Kthread> StartPinnedAsync(int cpu)
    {
        var pinned = await kthreads.CreateAsync(ThreadFunctions.KworkerAsync, null, PinnedComm, ct).ConfigureAwait(false);
        var bound = await pinned.BindAsync(cpu, ct).ConfigureAwait(false);
        Expect(bound == 0, $"BindAsync({cpu}) of {Name(pinned)} returned {ExitCodes.Describe(bound)}, not 0");
        var woken = await pinned.WakeUpAsync(ct).ConfigureAwait(false);
        Expect(woken, $"WakeUpAsync of the new {Name(pinned)} returned false");
        output.Heading($"b. CreateAsync(\"{PinnedComm}\"), BindAsync({cpu}) = {bound}, WakeUpAsync = true: {Name(pinned)}, a plain kthread bound to CPU {cpu}.");
        return pinned;
    }

    private void ShowCounters()
    {
        foreach (var line in _daemons.CounterLines())
        {
            output.Line(line);
        }
    }

    private void ExpectOwnCpu()
    {
        var elsewhere = _daemons.Counters().Where(c => c.Counter.HandledElsewhere > 0).Select(c => c.Comm).ToList();
        Expect(elsewhere.Count == 0, $"{string.Join(", ", elsewhere)} handled work on another CPU than its own");
    }

    /// <summary>Every per-CPU thread of <paramref name="cpus"/> shows <paramref name="stat"/>, on its own CPU.</summary>
    private void ExpectPerCpu(IReadOnlyList<PsRow> rows, IEnumerable<int> cpus, char stat)
    {
        foreach (var cpu in cpus)
        {
            foreach (var spec in _daemons.Specs)
            {
                var comm = _daemons.Thread(spec, cpu).Thread.Comm;
                var row = SettledPs.Row(rows, comm);
                Expect(row.Stat == stat, $"{comm} is {row.Stat}, not {stat}, with CPU {cpu} {(Cpus.IsOnline(cpu) ? "online" : "offline")}");
                Expect(row.Cpu == $"{cpu}", $"{comm} is listed on CPU {row.Cpu}, not its own CPU {cpu}");
            }
        }
    }

    // The dynamic states' callbacks: they only mark the step; the event stream shows them running.
    private static Task<int> Succeed(int cpu) => Task.FromResult(0);
}
