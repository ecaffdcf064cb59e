using Akka.Actor;
using Akka.Configuration;

namespace Akka.Kthreads.Cluster.Store;

/// <summary>
/// INTERNAL API. Turns Akka.Persistence's replay filter off for the CPUs' journal. Akka.Persistence.Sql writes one
/// writer id per node (its journal's), not per entity, so a CPU that comes back to a node it left looks like an
/// "old writer" to the filter, whose default mode then drops everything that node journaled since: saved states
/// and accepted items. Sharding keeps one CPU entity alive at a time, and the journal's unique
/// (persistence id, sequence number) refuses a second writer's event, so the filter has nothing to repair here.
/// </summary>
internal static class ReplayFilter
{
    // The modes that hand every stored event to the CPU: the others drop or refuse a CPU's later events.
    private static readonly string[] Safe = ["off", "warn"];

    public static void TurnOff(ExtendedActorSystem system, ClusterKthreadsSettings settings)
    {
        var key = settings.JournalPlugin + ".replay-filter.mode";
        system.Settings.InjectTopLevelFallback(ConfigurationFactory.ParseString($"{key} = off"));
        var mode = system.Settings.Config.GetString(key, "off");
        if (!Safe.Contains(mode, StringComparer.OrdinalIgnoreCase))
        {
            throw new ConfigurationException(
                $"{key} = {mode} would drop the events a CPU journals on a node it comes back to (Akka.Persistence.Sql " +
                "writes one writer id per node): set it to off (the default kthreads gives it) or warn");
        }
    }
}
