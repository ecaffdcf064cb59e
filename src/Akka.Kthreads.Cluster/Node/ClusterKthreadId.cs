using System.Globalization;
using Akka.Actor;

namespace Akka.Kthreads.Cluster;

/// <summary>
/// A thread's cluster id, <c>node/pid</c>: each node has its own kthreadd and pid space, so a pid
/// names a thread only together with its node's address.
/// </summary>
/// <param name="Node">The address of the node the thread lives on.</param>
/// <param name="Pid">Its pid on that node.</param>
public sealed record ClusterKthreadId(Address Node, int Pid)
{
    /// <summary>The id of a row of ps (<see cref="KthreadInfo.Node"/> and <see cref="KthreadInfo.Pid"/>).</summary>
    /// <param name="info">A row from any node.</param>
    /// <returns>Its cluster id.</returns>
    public static ClusterKthreadId Of(KthreadInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new ClusterKthreadId(Address.Parse(info.Node), info.Pid);
    }

    /// <summary>The short form kps prints and takes: <c>host:port/pid</c>.</summary>
    public string Short => $"{Node.Host}:{Node.Port}/{Pid.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads <c>akka.tcp://system@host:port/pid</c>, or the short <c>host:port/pid</c> for a node of <paramref name="members"/>.</summary>
    /// <param name="text">The id as printed.</param>
    /// <param name="members">The cluster's nodes, to find the node of a short id.</param>
    /// <param name="id">The id, when the text is one.</param>
    /// <returns>False for text that is not an id, or a short id whose host:port is not a member.</returns>
    public static bool TryParse(string? text, IEnumerable<Address> members, out ClusterKthreadId? id)
    {
        ArgumentNullException.ThrowIfNull(members);
        id = null;
        if (!TrySplit(text, out var node, out var pid))
        {
            return false;
        }

        if (node.Contains("://", StringComparison.Ordinal))
        {
            id = FullAddress(node) is { } address ? new ClusterKthreadId(address, pid) : null;
            return id is not null;
        }

        var member = members.FirstOrDefault(a => $"{a.Host}:{a.Port}" == node);
        id = member is null ? null : new ClusterKthreadId(member, pid);
        return id is not null;
    }

    /// <summary>The address <paramref name="node"/> spells (akka.tcp://system@host:port), or null unless it is exactly one, port included.</summary>
    /// <remarks>Address.Parse reads a Uri: it would ignore a path (".../junk") and read a missing port as -1.</remarks>
    internal static Address? FullAddress(string node)
    {
        try
        {
            return Address.Parse(node) is { Host: not null, Port: >= 1 and <= 65535 } address && address.ToString() == node ? address : null;
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    /// <summary>Splits <c>node/pid</c> at its last slash, without resolving the node.</summary>
    /// <param name="text">The id as printed.</param>
    /// <param name="node">The part before the last slash: an address or host:port.</param>
    /// <param name="pid">The positive pid after it.</param>
    /// <returns>False when there is no node part or no positive pid.</returns>
    public static bool TrySplit(string? text, out string node, out int pid)
    {
        node = string.Empty;
        pid = 0;
        var slash = text?.LastIndexOf('/') ?? -1;
        if (text is null || slash <= 0
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out pid) || pid <= 0)
        {
            return false;
        }

        node = text[..slash];
        return true;
    }

    /// <summary>The full form, <c>akka.tcp://system@host:port/pid</c>.</summary>
    /// <returns>The id as text.</returns>
    public override string ToString() => $"{Node}/{Pid.ToString(CultureInfo.InvariantCulture)}";
}
