using static Akka.Kthreads.Cli.Demo.DemoStep;
using static Akka.Kthreads.Cli.Modules.DeleteFlags;

namespace Akka.Kthreads.Cli.Modules;

// Steps 4-7: delete_module refused (O_NONBLOCK), forced (O_NONBLOCK | O_TRUNC), waiting (no flags), then the rest.
internal sealed partial class ModulesScenario
{
    /// <summary>Step 4: O_NONBLOCK on a module in use is refused before it is marked, so it stays usable.</summary>
    private async Task RefuseAsync()
    {
        var dummy = _registry.Find(Names[0])!;
        var ret = await _registry.DeleteModuleAsync(dummy.Name, O_NONBLOCK, _ct).ConfigureAwait(false);
        Lsmod($"4. DeleteModuleAsync(\"{dummy.Name}\", O_NONBLOCK) while its {UsersPerModule} users hold it: {Describe(ret)}. "
            + "try_stop_module_local saw a refcount with O_NONBLOCK and no force, and returned before marking it: it stays Live.");
        Expect(ret == -Errno.EWOULDBLOCK, $"DeleteModuleAsync({dummy.Name}, O_NONBLOCK) returned {Describe(ret)}, not -11 (-EWOULDBLOCK)");
        Expect(dummy.State == ModuleState.Live && _registry.Find(dummy.Name) == dummy, $"{dummy.Name} should stay loaded and Live");
        Expect(!_registry.Tainted, "a refused delete should not taint");

        // Still usable: each user's next TryGet succeeds (waited for, not slept on).
        foreach (var (thread, user) in _users[dummy.Name])
        {
            await WithinAsync(user.NextGetAsync(), $"{Name(thread)} to take another reference").ConfigureAwait(false);
        }

        _output.Line($"Its users go on taking references: {string.Join(", ", _users[dummy.Name].Select(u => $"{u.Thread.Comm} {u.User.Pairs} get/put pairs"))} so far.");
        _output.Heading(string.Empty);
    }

    /// <summary>Step 5: O_NONBLOCK | O_TRUNC frees a module in use at once and taints: its users' references dangle.</summary>
    private async Task ForceAsync()
    {
        var loop = _registry.Find(Names[1])!;
        var ret = await _registry.DeleteModuleAsync(loop.Name, O_NONBLOCK | O_TRUNC, _ct).ConfigureAwait(false);
        Lsmod($"5. DeleteModuleAsync(\"{loop.Name}\", O_NONBLOCK | O_TRUNC) while its {UsersPerModule} users hold it: {Describe(ret)}. "
            + "try_force: forced, tainted, and \"never wait if forced\": it is freed at once.");
        Expect(ret == 0, $"the forced DeleteModuleAsync({loop.Name}) returned {Describe(ret)}, not 0");
        Expect(_registry.Tainted && (_registry.Taint & ModuleRegistry.TAINT_FORCED_MODULE) != 0, "a forced unload should set TAINT_FORCED_MODULE");
        Expect(loop.State == ModuleState.Gone && _registry.Find(loop.Name) is null, $"{loop.Name} should be gone");

        foreach (var (thread, user) in _users[loop.Name])
        {
            await WithinAsync(user.Refused, $"{Name(thread)} to be refused by TryGet").ConfigureAwait(false);
        }

        _output.Line($"Its users were then refused by TryGet, yet still hold {loop.Refcount} references to the freed module: why forcing taints.");
        _output.Heading(string.Empty);
        Expect(loop.Refcount == UsersPerModule, $"{loop.Name}'s users should still hold {UsersPerModule} references, not {loop.Refcount}");
    }

    /// <summary>Step 6: no flags: marked Going, the delete waits until the last module_put, which only stopping the users gives.</summary>
    private async Task WaitForUsersAsync()
    {
        var nbd = _registry.Find(Names[2])!;
        var delete = _registry.DeleteModuleAsync(nbd.Name, 0, _ct);
        await WithinAsync(nbd.MarkedGoing, $"{nbd.Name} to be marked Going").ConfigureAwait(false);
        var users = _users[nbd.Name];
        foreach (var (thread, user) in users)
        {
            await WithinAsync(user.Refused, $"{Name(thread)} to be refused by TryGet").ConfigureAwait(false);
        }

        Lsmod($"6. DeleteModuleAsync(\"{nbd.Name}\", 0) blocks: marked Going under stop_machine, it waits for the refcount; TryGet now refuses every user.");
        Expect(!delete.IsCompleted, $"DeleteModuleAsync({nbd.Name}, 0) returned {Result(delete)} while {nbd.Refcount} references were held");
        Expect(nbd.State == ModuleState.Going && nbd.Refcount == UsersPerModule, $"{nbd.Name} should be Going with {UsersPerModule} references");

        // wait_for_zero_refcount() sleeps without module_mutex: a second delete is answered at once.
        var again = await _registry.DeleteModuleAsync(nbd.Name, O_NONBLOCK, _ct).ConfigureAwait(false);
        _output.Line($"Meanwhile DeleteModuleAsync(\"{nbd.Name}\", O_NONBLOCK): {Describe(again)}, already dying.");
        Expect(again == -Errno.EBUSY, $"a second delete of a Going module returned {Describe(again)}, not -16 (-EBUSY)");

        for (var i = 0; i < users.Count; i++)
        {
            var (thread, user) = users[i];
            var code = await thread.StopAsync(_ct).ConfigureAwait(false);
            Expect(code == -Errno.ENODEV, $"StopAsync({Name(thread)}) returned {Describe(code)}, not -19 (-ENODEV)");
            if (i < users.Count - 1)
            {
                _output.Line($"StopAsync({Name(thread)}): {Describe(code)}; refcount {nbd.Refcount}, the delete still waits.");
                Expect(!delete.IsCompleted, $"DeleteModuleAsync({nbd.Name}, 0) returned {Result(delete)} before the last module_put");
                continue;
            }

            await WithinAsync(delete, $"DeleteModuleAsync({nbd.Name}, 0) to return after the last module_put").ConfigureAwait(false);
            var ret = await delete.ConfigureAwait(false);
            _output.Line($"StopAsync({Name(thread)}): {Describe(code)}; its module_put was the last one and woke the deleter: DeleteModuleAsync returned {Describe(ret)}.");
            Expect(ret == 0, $"DeleteModuleAsync({nbd.Name}, 0) returned {Describe(ret)}, not 0");
            Expect(users.All(u => u.User.Dropping.IsCompleted), "the delete returned before every user dropped its reference");
        }

        _output.Heading(string.Empty);
        Expect(nbd.State == ModuleState.Gone && _registry.Find(nbd.Name) is null, $"{nbd.Name} should be gone");
    }

    /// <summary>Step 7-8: the remaining users stop, the now unused module goes without waiting, and nothing is left.</summary>
    private async Task CleanUpAsync()
    {
        var dummy = _registry.Find(Names[0])!;
        var codes = new List<string>();
        foreach (var (thread, _) in _users[Names[0]].Concat(_users[Names[1]]))
        {
            var code = await thread.StopAsync(_ct).ConfigureAwait(false);
            codes.Add($"{thread.Comm} {Describe(code)}");
        }

        var ret = await _registry.DeleteModuleAsync(dummy.Name, O_NONBLOCK, _ct).ConfigureAwait(false);
        var again = await _registry.DeleteModuleAsync(dummy.Name, O_NONBLOCK, _ct).ConfigureAwait(false);
        Lsmod($"7. Stopped the other users ({string.Join(", ", codes)}); DeleteModuleAsync(\"{dummy.Name}\", O_NONBLOCK), now unused: {Describe(ret)}; once more: {Describe(again)}.");
        _output.Heading(string.Empty);
        Expect(ret == 0, $"DeleteModuleAsync({dummy.Name}, O_NONBLOCK) of an unused module returned {Describe(ret)}, not 0");
        Expect(again == -Errno.ENOENT, $"DeleteModuleAsync of a deleted module returned {Describe(again)}, not -2 (-ENOENT)");
        Expect(_registry.List().Count == 0, "every module should be gone");

        var rows = await ShowAsync(_output, _kthreads, "8. After the stops only kthreadd is left; the registry stays tainted.", _ct).ConfigureAwait(false);
        Expect(rows.Count == 1, $"{rows.Count - 1} threads are still listed after they were all stopped");
    }

    /// <summary>A delete that should still be waiting, described for the failure message if it is not.</summary>
    private static string Result(Task<int> task) => task.IsCompletedSuccessfully ? Describe(task.Result) : task.Status.ToString();
}
