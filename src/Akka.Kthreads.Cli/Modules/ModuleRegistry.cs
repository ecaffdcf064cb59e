using System.Collections.Concurrent;

namespace Akka.Kthreads.Cli.Modules;

/// <summary>
/// The loaded modules and sys_delete_module() as seed 003 (2.6.2-mm) has it: the refcount test and
/// the Going mark run under stop_machine, so no kthread can be between a try_module_get check and its increment.
/// </summary>
internal sealed partial class ModuleRegistry
{
    /// <summary>
    /// TAINT_FORCED_MODULE (1 &lt;&lt; 1), set in <see cref="Taint"/> by a forced unload, as try_force() does in
    /// the seed (later kernels mark forced unloads with TAINT_FORCED_RMMOD instead).
    /// </summary>
    public const int TAINT_FORCED_MODULE = 1 << 1;

    private readonly ConcurrentDictionary<string, Module> _modules = new(StringComparer.Ordinal);

    // kernel: module_mutex — one delete at a time, dropped while waiting for the refcount.
    private readonly SemaphoreSlim _moduleMutex = new(1, 1);
    private readonly StopMachine _stopMachine;
    private readonly bool _forceUnload;
    private int _loads;
    private int _taint;

    /// <summary>A registry whose deletes stop the machine of <paramref name="stopMachine"/>.</summary>
    /// <param name="stopMachine">Kthreads.Get(system).StopMachine.</param>
    /// <param name="forceUnload">CONFIG_MODULE_FORCE_UNLOAD: false makes O_TRUNC mean nothing, as try_force() returns 0.</param>
    public ModuleRegistry(StopMachine stopMachine, bool forceUnload = true)
    {
        _stopMachine = stopMachine;
        _forceUnload = forceUnload;
    }

    /// <summary>The kernel's <c>tainted</c> mask: what has happened that makes it untrustworthy.</summary>
    public int Taint => Volatile.Read(ref _taint);

    /// <summary>True once a forced unload (or anything else) tainted it; never cleared, as in the kernel.</summary>
    public bool Tainted => Taint != 0;

    /// <summary>sys_init_module(), the part that matters here: a Live module with no references.</summary>
    /// <exception cref="InvalidOperationException">A module of that name is loaded already (the kernel's -EEXIST).</exception>
    public Module Load(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var module = new Module(name, Interlocked.Increment(ref _loads));
        if (!_modules.TryAdd(name, module))
        {
            throw new InvalidOperationException($"module {name} is already loaded (-EEXIST)");
        }

        return module;
    }

    /// <summary>find_module(): the loaded module of that name; null once freed.</summary>
    public Module? Find(string name) => _modules.GetValueOrDefault(name);

    /// <summary>lsmod: the loaded modules, newest first as the kernel's list keeps them.</summary>
    public IReadOnlyList<Module> List() => _modules.Values.OrderByDescending(m => m.LoadOrder).ToList();

    /// <summary>try_module_get() by name, for callers that have no handle.</summary>
    /// <returns>False for a module not loaded, Going or Gone.</returns>
    public bool TryGet(string name) => Find(name)?.TryGet() ?? false;

    /// <summary>module_put() by name; a freed module is no longer found, so holders of a forced one keep its handle.</summary>
    /// <returns>False if no module of that name is loaded (nothing was put).</returns>
    public bool Put(string name)
    {
        var module = Find(name);
        module?.Put();
        return module is not null;
    }
}
