namespace Akka.Kthreads.Cli.Modules;

/// <summary>enum module_state as sys_delete_module sees it: only a Live module hands out references.</summary>
internal enum ModuleState
{
    /// <summary>MODULE_STATE_LIVE: try_module_get succeeds.</summary>
    Live,

    /// <summary>MODULE_STATE_GOING: marked dying under stop_machine; try_module_get fails, the last module_put wakes the deleter.</summary>
    Going,

    /// <summary>free_module() ran: the registry no longer lists it; a forced unload may leave references behind.</summary>
    Gone,
}
