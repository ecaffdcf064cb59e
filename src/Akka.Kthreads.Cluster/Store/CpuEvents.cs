namespace Akka.Kthreads.Cluster.Store;

/// <summary>INTERNAL API. Journaled: an item was accepted for the per-CPU thread <paramref name="Name"/>; durable before the sender is answered.</summary>
internal sealed record ItemAccepted(long Seq, string Name, Payload Item) : IClusterKthreadsMessage;

/// <summary>
/// INTERNAL API. Journaled: the state of the per-CPU thread <paramref name="Name"/> after it took the
/// items up to <paramref name="Taken"/> (saved by the thread, or captured after it parked on hand-off).
/// </summary>
internal sealed record StateSaved(string Name, Payload? State, long Taken) : IClusterKthreadsMessage;

/// <summary>INTERNAL API. A snapshot of a CPU's ledger, so recovery does not replay its whole journal.</summary>
internal sealed record LedgerSnapshot(long LastSeq, IReadOnlyList<StateSaved> States, IReadOnlyList<ItemAccepted> Pending) : IClusterKthreadsMessage;
