using System.Globalization;
using Akka.Kthreads.Cli.Demo;
using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Modules;

/// <summary>
/// <c>kps modules</c>: seed 003 end to end on one node. Three modules, two user kthreads each, then
/// delete_module refused, forced and waiting; every result is checked against what the seed promises.
/// </summary>
internal sealed partial class ModulesScenario
{
    /// <summary>The modules loaded, in load order: refused, forced, waited for.</summary>
    public static readonly string[] Names = ["dummy", "loop", "nbd"];

    /// <summary>User kthreads per module.</summary>
    public const int UsersPerModule = 2;

    /// <summary>How many stop_machine calls step 3 makes.</summary>
    public const int StopMachineRounds = 20;

    // Far above anything a step needs: only a lost wake-up or a stuck CPU gets here.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly IKpsOutput _output;
    private readonly Kthreads _kthreads;
    private readonly CancellationToken _ct;
    private readonly ModuleRegistry _registry;
    private readonly Dictionary<string, List<(Kthread Thread, ModuleUser User)>> _users = new(StringComparer.Ordinal);

    /// <summary>One run's state: a fresh registry on the node's stop_machine, so runs never share modules.</summary>
    private ModulesScenario(IKpsOutput output, Kthreads kthreads, CancellationToken ct)
    {
        _output = output;
        _kthreads = kthreads;
        _ct = ct;
        _registry = new ModuleRegistry(kthreads.StopMachine);
    }

    /// <summary>Runs every step, printing as it goes; a result the seed does not promise throws <see cref="DemoFailedException"/>.</summary>
    public static async Task RunAsync(IKpsOutput output, Kthreads kthreads, CancellationToken ct)
    {
        var scenario = new ModulesScenario(output, kthreads, ct);
        var cpus = kthreads.Cpus.Possible.Count;
        output.Heading($"kps modules: seed 003 (module removal under stop_machine) on one node with {cpus} CPU{(cpus == 1 ? string.Empty : "s")}.");
        output.Heading(string.Empty);
        await scenario.StartUsersAsync().ConfigureAwait(false);
        await scenario.CheckStopMachineAsync().ConfigureAwait(false);
        await scenario.RefuseAsync().ConfigureAwait(false);
        await scenario.ForceAsync().ConfigureAwait(false);
        await scenario.WaitForUsersAsync().ConfigureAwait(false);
        await scenario.CleanUpAsync().ConfigureAwait(false);
    }

    /// <summary>Steps 1-2: the modules, and users that hold them before anything is deleted, so every refcount starts non-zero.</summary>
    private async Task StartUsersAsync()
    {
        foreach (var name in Names)
        {
            _registry.Load(name);
        }

        Lsmod($"1. Loaded {string.Join(", ", Names)} (sys_init_module): each Live, with no references.");
        _output.Heading(string.Empty);
        var cpus = _kthreads.Cpus.Possible.Count;
        for (var m = 0; m < Names.Length; m++)
        {
            var module = _registry.Find(Names[m])!;
            var users = _users[module.Name] = [];
            for (var i = 0; i < UsersPerModule; i++)
            {
                var user = new ModuleUser(module);
                var thread = await _kthreads.CreateAsync(ModuleUser.ThreadFnAsync, user, $"{module.Name}-user/{i}", _ct).ConfigureAwait(false);
                Expect(await thread.BindAsync(m % cpus, _ct).ConfigureAwait(false) == 0, $"BindAsync({Name(thread)}) failed");
                users.Add((thread, user));
            }
        }

        foreach (var (thread, user) in _users.Values.SelectMany(u => u))
        {
            await thread.WakeUpAsync(_ct).ConfigureAwait(false);
            await WithinAsync(user.Holding, $"{Name(thread)} to take its reference").ConfigureAwait(false);
        }

        var rows = await ShowAsync(_output, _kthreads,
            $"2. Created {UsersPerModule} users per module, bound in pairs (BindAsync), woken: each holds one reference (an open device) and takes get/put pairs, YieldAsync on each side of the put.",
            _ct).ConfigureAwait(false);
        foreach (var (thread, _) in _users.Values.SelectMany(u => u))
        {
            Expect(StatOf(rows, thread) is 'R' or 'S', $"{Name(thread)} should be running or sleeping");
        }
    }

    /// <summary>Step 3, the seed's use of stop_machine: while fn runs no kthread code runs, so two reads of a refcount agree.</summary>
    private async Task CheckStopMachineAsync()
    {
        var dummy = _registry.Find(Names[0])!;
        var users = _users[dummy.Name];
        int Pairs() => users.Sum(u => u.User.Pairs);
        var seen = new SortedSet<int>();
        var pairsBefore = Pairs();
        for (var round = 0; round < StopMachineRounds; round++)
        {
            // Each round comes right after a user took a reference: the refcount moves between rounds.
            await WithinAsync(users[0].User.NextGetAsync(), $"{Name(users[0].Thread)} to take a reference").ConfigureAwait(false);
            var ret = await _kthreads.StopMachine.RunAsync(_ =>
            {
                var (refs, pairs) = (dummy.Refcount, Pairs());
                Thread.SpinWait(2_000);
                seen.Add(refs);
                return refs == dummy.Refcount && pairs == Pairs() ? 0 : -Errno.EBUSY;
            }, ct: _ct).ConfigureAwait(false);
            Expect(ret == 0, $"stop_machine round {round + 1}: the refcount moved while fn ran ({Describe(ret)})");
        }

        _output.Heading($"3. StopMachine.RunAsync {StopMachineRounds} times, each right after a TryGet of {Name(users[0].Thread)}: "
            + $"in fn, {dummy.Name}'s refcount (seen: {string.Join(", ", seen)}) and its users' pair counts, each read twice a spin apart, never moved.");
        _output.Line($"Between the rounds the users took {Pairs() - pairsBefore} get/put pairs.");
        _output.Heading(string.Empty);
    }

    /// <summary>lsmod under a heading, plus the taint, so each delete's effect on the list is visible.</summary>
    private void Lsmod(string heading)
    {
        _output.Heading(heading);
        _output.Line(string.Create(CultureInfo.InvariantCulture, $"{"Module",-8} {"Refs",4}  State"));
        foreach (var module in _registry.List())
        {
            _output.Line(string.Create(CultureInfo.InvariantCulture, $"{module.Name,-8} {module.Refcount,4}  {module.State}"));
        }

        _output.Line(_registry.Tainted ? $"Tainted: F (TAINT_FORCED_MODULE, taint mask {_registry.Taint})" : "Not tainted");
    }

    /// <summary>Awaits an event the protocol promises; a lost wake-up fails the demo instead of hanging it.</summary>
    private async Task WithinAsync(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Deadline, _ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DemoFailedException($"waited {Deadline.TotalSeconds:0}s for {what}");
        }
    }

    /// <summary>A delete_module result as its man page names it: "-11 (-EWOULDBLOCK)", "-2 (-ENOENT)".</summary>
    public static string Describe(int ret) => ret switch
    {
        -Errno.EWOULDBLOCK => $"{ret} (-EWOULDBLOCK)",
        -Errno.ENOENT => $"{ret} (-ENOENT)",
        _ => ExitCodes.Describe(ret),
    };
}
