using Akka.Serialization;

namespace Akka.Kthreads.Cluster.Store;

/// <summary>
/// INTERNAL API. A user object (per-CPU state, a queued item) already serialized by the Akka
/// serializer bound to its type, so the library stores and ships it without knowing the type.
/// </summary>
internal sealed record Payload(int SerializerId, string Manifest, byte[] Bytes)
{
    /// <summary>Serializes <paramref name="value"/> now, so later changes to it are not captured.</summary>
    public static Payload From(Akka.Serialization.Serialization serialization, object value)
    {
        var serializer = serialization.FindSerializerFor(value);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, value);
        return new Payload(serializer.Identifier, manifest, serializer.ToBinary(value));
    }

    public object ToObject(Akka.Serialization.Serialization serialization) =>
        serialization.Deserialize(Bytes, SerializerId, Manifest);
}
