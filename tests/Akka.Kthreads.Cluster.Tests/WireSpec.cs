using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Kthreads.Cluster.Serialization;
using Akka.Kthreads.Cluster.Store;
using Xunit;
using Xunit.Abstractions;
using static Akka.Kthreads.Cluster.ClusterCpuProtocol;
using static Akka.Kthreads.Cluster.ClusterNodeProtocol;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// Every library message that crosses the network or is journaled goes through the library's own
/// serializer (never the default JSON), round-trips, and garbage is refused while the node goes on.
/// </summary>
/// <remarks>A plain local system with the library's reference config: the bindings are config, no cluster is needed.</remarks>
public sealed class WireSpec(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(ClusterKthreads.DefaultConfig(), "wire", output)
{
    private static readonly Address Node = Address.Parse("akka.tcp://kthreads@127.0.0.1:4053");

    public static TheoryData<object> Messages() =>
    [
        new EnsureUp(3),
        new CpuHosted(3, Node),
        new QueueItem(1, "tally/1", "an item"),
        new ItemQueued(1, 42),
        new CpuRequestFailed(1, -Errno.EINVAL, "why"),
        new GetCpuInfo(2),
        new CpuInfo(2, Node, [new PerCpuInfo("tally/2", "3:a,b,c", 1), new PerCpuInfo("x/2", null, 0)]),
        HandOff.Instance,
        new ListThreads(true),
        new ThreadList([new KthreadInfo(7, 2, "counter/1", KthreadState.Sleeping, 1, true, null, "node-a") { Uninterruptible = true, Nvcsw = 12, Nivcsw = 3 },
            new KthreadInfo(8, 2, "w", KthreadState.Zombie, null, false, -4, "node-b")], ["akka.tcp://kthreads@h:1"]),
        ListCpus.Instance,
        new CpuList([new CpuInfo(0, Node, [])]),
        new ThreadOp(7, ThreadOperation.Unpark),
        new ThreadOp(7, ThreadOperation.SetCpusAllowed) { Cpus = [3, 1] },
        new CreateOnCpu(1, "echo", "data", "echo/{0}"),
        new CreateOnCpu(1, "echo", null, "echo/{0}"),
        new ThreadCreated(Node, 12),
        new ThreadOpById("127.0.0.1:4053/7", ThreadOperation.Stop),
        new ThreadOpById("127.0.0.1:4053/7", ThreadOperation.SetCpusAllowed) { Cpus = [0, 2] },
        new ThreadOpResult(-Errno.ESRCH, null),
        new ThreadOpResult(0, new KthreadInfo(7, 2, "w", KthreadState.Parked, 1, false, null, "node-a")),
        new Akka.Kthreads.Cluster.Internal.IsCpuOnline(5),
        new Akka.Kthreads.Cluster.Internal.CpuOnlineHere(5, true),
        new Akka.Kthreads.Cluster.Internal.NodeDrained(Node, 12345),
        new Akka.Kthreads.Cluster.StopMachine.MachineHold(Guid.NewGuid(), TimeSpan.FromSeconds(10)),
        new Akka.Kthreads.Cluster.StopMachine.MachineHeld(Guid.NewGuid(), "node-a", -Errno.EBUSY),
        new Akka.Kthreads.Cluster.StopMachine.MachineRelease(Guid.NewGuid()),
        new Akka.Kthreads.Cluster.StopMachine.MachineReleased(Guid.NewGuid(), "node-a"),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_message_is_bound_to_the_library_serializer_and_round_trips(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ClusterKthreadsSerializer>(serializer);
        var manifest = ((ClusterKthreadsSerializer)serializer).Manifest(message);
        var back = Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);

        Assert.Equal(Describe(message), Describe(back));
    }

    [Fact]
    public void Journaled_events_use_the_library_serializer_and_carry_user_objects_through_akka_serialization()
    {
        var item = Payload.From(Sys.Serialization, "an item");
        var state = Payload.From(Sys.Serialization, 41L);
        var snapshot = new LedgerSnapshot(9, [new StateSaved("tally/0", state, 5)], [new ItemAccepted(7, "tally/0", item), new ItemAccepted(9, "x/0", item)]);
        foreach (object e in new object[] { new ItemAccepted(5, "tally/0", item), new StateSaved("tally/0", state, 5), new StateSaved("tally/0", null, 0), snapshot })
        {
            var serializer = Assert.IsType<ClusterKthreadsSerializer>(Sys.Serialization.FindSerializerFor(e));
            var back = serializer.FromBinary(serializer.ToBinary(e), serializer.Manifest(e));
            Assert.Equal(Describe(e), Describe(back));
        }

        Assert.Equal("an item", item.ToObject(Sys.Serialization));
        Assert.Equal(41L, state.ToObject(Sys.Serialization));
    }

    [Fact]
    public void An_operation_without_a_mask_has_the_bytes_it_had_before_masks_so_the_previous_version_reads_it()
    {
        var serializer = (ClusterKthreadsSerializer)Sys.Serialization.FindSerializerFor(HandOff.Instance);

        // pid 7, then the operation (Unpark = 3), little-endian: nothing after them.
        Assert.Equal(new byte[] { 7, 0, 0, 0, 3, 0, 0, 0 }, serializer.ToBinary(new ThreadOp(7, ThreadOperation.Unpark)));
        var masked = serializer.ToBinary(new ThreadOp(7, ThreadOperation.SetCpusAllowed) { Cpus = [1] });
        Assert.Equal(new byte[] { 7, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 }, masked);
        Assert.Throws<SerializationException>(() => serializer.FromBinary(masked[..^2], "TO")); // a mask cut short
    }

    [Fact]
    public void Unknown_manifests_and_garbage_are_refused()
    {
        var serializer = (ClusterKthreadsSerializer)Sys.Serialization.FindSerializerFor(HandOff.Instance);
        var garbage = new (string Manifest, byte[] Bytes)[]
        {
            ("ZZ", [1, 2, 3]),
            ("", []),
            ("QI", [1, 0]),
            ("QI", [1, 0, 0, 0, 3, 97, 98, 99, 255, 255, 255, 127]),
            ("TL", [255, 255, 255, 127]),
            ("EU", [1, 0, 0, 0, 9]),
        };

        foreach (var (manifest, bytes) in garbage)
        {
            Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, manifest));
        }

        // Above max-payload-size: refused on the way in before it is decoded, and on the way out before it is sent.
        var oversized = new byte[120 * 1024 + 1];
        Assert.Throws<SerializationException>(() => serializer.FromBinary(oversized, "EU"));
        Assert.Throws<ArgumentException>(() => serializer.ToBinary(new QueueItem(0, "x/0", new string('x', 130 * 1024))));
    }

    [Fact]
    public void The_size_counted_for_the_journal_check_is_the_size_the_serializer_writes()
    {
        // Names of every UTF-8 width, and an item long enough for a multi-byte length prefix.
        var item = Payload.From(Sys.Serialization, new string('x', 300));
        object[] events =
        [
            new ItemAccepted(1, "tally/1", item),
            new ItemAccepted(long.MaxValue, "zähler/ü€𝄞" + new string('n', 200), item),
            new StateSaved("tally/1", item, 7),
            new StateSaved("zähler/€", null, 0),
        ];

        foreach (var e in events)
        {
            var written = Sys.Serialization.FindSerializerFor(e).ToBinary(e).Length;
            Assert.Equal(written, e is ItemAccepted a ? ClusterKthreadsSerializer.EncodedSize(a) : ClusterKthreadsSerializer.EncodedSize((StateSaved)e));
        }
    }

    // Records with lists compare by reference: compare what they print, lists spelled out.
    private static string Describe(object? o) => o switch
    {
        CpuInfo c => $"CpuInfo {c.Cpu} {c.Node} [{string.Join(";", c.Threads)}]",
        ThreadOp t => $"ThreadOp {t.Pid} {t.Operation} {(t.Cpus is null ? "null" : $"[{string.Join(";", t.Cpus)}]")}",
        ThreadOpById t => $"ThreadOpById {t.Id} {t.Operation} {(t.Cpus is null ? "null" : $"[{string.Join(";", t.Cpus)}]")}",
        ThreadList t => $"ThreadList [{string.Join(";", t.Threads)}] [{string.Join(";", t.Missing)}]",
        CpuList l => $"CpuList [{string.Join(";", l.Cpus.Select(Describe))}]",
        ItemAccepted a => $"ItemAccepted {a.Seq} {a.Name} {Describe(a.Item)}",
        StateSaved s => $"StateSaved {s.Name} {Describe(s.State)} {s.Taken}",
        LedgerSnapshot l => $"LedgerSnapshot {l.LastSeq} [{string.Join(";", l.States.Select(Describe))}] [{string.Join(";", l.Pending.Select(Describe))}]",
        Payload p => $"Payload {p.SerializerId} {p.Manifest} {Convert.ToHexString(p.Bytes)}",
        _ => o?.ToString() ?? "null",
    };
}
