using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Event;
using Akka.Kthreads.Cluster.Store;
using Akka.Serialization;
using static Akka.Kthreads.Cluster.ClusterCpuProtocol;
using static Akka.Kthreads.Cluster.ClusterNodeProtocol;

namespace Akka.Kthreads.Cluster.Serialization;

/// <summary>
/// The library's own wire and journal format: one short manifest per message type (an allowlist),
/// a compact binary body, user objects (items, states) through the Akka serializer bound to their type.
/// </summary>
/// <remarks>An unknown manifest or a body that does not decode is logged and refused with a SerializationException; the node goes on.</remarks>
public sealed partial class ClusterKthreadsSerializer : SerializerWithStringManifest
{
    // Made on first use: serializers are made while the system starts, before its logging can name it.
    private readonly Lazy<ILoggingAdapter> _log;
    private const string SnapshotManifest = "LS";
    private readonly Lazy<long> _limit;

    /// <summary>Made by Akka's serialization from the binding in kthreads-cluster.conf.</summary>
    /// <param name="system">The system it serializes for.</param>
    public ClusterKthreadsSerializer(ExtendedActorSystem system)
        : base(system)
    {
        _log = new Lazy<ILoggingAdapter>(() => Logging.GetLogger(system, "kthreads-cluster-serializer"));
        _limit = new Lazy<long>(() => ClusterKthreadsSettings.Create(system).MaxPayloadSize);
    }

    /// <summary>The manifest of <paramref name="o"/>: one of the library's short names.</summary>
    /// <param name="o">A library message.</param>
    /// <returns>Its manifest.</returns>
    /// <exception cref="ArgumentException">Not a message of this library.</exception>
    public override string Manifest(object o) => o switch
    {
        EnsureUp => "EU",
        CpuHosted => "CH",
        QueueItem => "QI",
        ItemQueued => "IQ",
        CpuRequestFailed => "RF",
        GetCpuInfo => "GI",
        CpuInfo => "CI",
        HandOff => "HO",
        ListThreads => "LT",
        ThreadList => "TL",
        ListCpus => "LC",
        CpuList => "CL",
        ItemAccepted => "IA",
        StateSaved => "SS",
        LedgerSnapshot => SnapshotManifest,
        ThreadOp => "TO",
        ThreadOpResult => "TR",
        ThreadOpById => "TI",
        CreateOnCpu => "CC",
        ThreadCreated => "TC",
        StopMachine.MachineHold => "MH",
        StopMachine.MachineHeld => "MD",
        StopMachine.MachineRelease => "MR",
        StopMachine.MachineReleased => "ML",
        Internal.IsCpuOnline => "OQ",
        Internal.CpuOnlineHere => "OA",
        Internal.NodeDrained => "ND",
        _ => throw new ArgumentException($"{o?.GetType()} is not a Kthreads cluster message", nameof(o)),
    };

    /// <summary>Writes <paramref name="obj"/> in the library's binary format.</summary>
    /// <param name="obj">A library message.</param>
    /// <returns>Its bytes.</returns>
    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            Write(w, obj);
        }

        // Refused before it is sent (or journaled): the receiving node would drop it anyway. A snapshot is neither.
        var bytes = stream.ToArray();
        if (bytes.Length > _limit.Value && obj is not LedgerSnapshot)
        {
            throw new ArgumentException(
                $"a {obj.GetType().Name} of {bytes.Length} bytes is above kthreads.cluster.max-payload-size ({_limit.Value} bytes)", nameof(obj));
        }

        return bytes;
    }

    /// <summary>Reads a message written by <see cref="ToBinary"/>.</summary>
    /// <param name="bytes">Its bytes.</param>
    /// <param name="manifest">Its manifest.</param>
    /// <returns>The message.</returns>
    /// <exception cref="SerializationException">An unknown manifest, or bytes that do not decode as that message.</exception>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Readers.ContainsKey(manifest ?? string.Empty))
        {
            _log.Value.Warning("kthreads-cluster: refused a message with unknown manifest '{0}' ({1} bytes)", manifest, bytes?.Length ?? 0);
            throw new SerializationException($"Unknown manifest '{manifest}' for {nameof(ClusterKthreadsSerializer)}");
        }

        // A snapshot holds a whole CPU (every thread's state, every pending item): it is stored, never sent, so
        // the limit of one message does not bound it; refusing it would keep the journal from ever being trimmed.
        if (bytes is not null && bytes.Length > _limit.Value && manifest != SnapshotManifest)
        {
            _log.Value.Warning("kthreads-cluster: refused a '{0}' message of {1} bytes, above kthreads.cluster.max-payload-size ({2})", manifest, bytes.Length, _limit.Value);
            throw new SerializationException($"A '{manifest}' message of {bytes.Length} bytes is above kthreads.cluster.max-payload-size ({_limit.Value} bytes)");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes ?? []));
            var message = Readers[manifest!](this, r);
            if (r.BaseStream.Position != r.BaseStream.Length)
            {
                throw new InvalidDataException($"{r.BaseStream.Length - r.BaseStream.Position} bytes left over");
            }

            return message;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or FormatException
                                      or ArgumentException or OverflowException or UriFormatException)
        {
            _log.Value.Warning("kthreads-cluster: refused a '{0}' message of {1} bytes that does not decode: {2}", manifest, bytes?.Length ?? 0, e.Message);
            throw new SerializationException($"A '{manifest}' message that does not decode: {e.Message}", e);
        }
    }
}
