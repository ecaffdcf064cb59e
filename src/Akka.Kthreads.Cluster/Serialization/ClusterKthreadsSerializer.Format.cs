using Akka.Actor;
using Akka.Kthreads.Cluster.Store;
using static Akka.Kthreads.Cluster.ClusterCpuProtocol;
using static Akka.Kthreads.Cluster.ClusterNodeProtocol;

namespace Akka.Kthreads.Cluster.Serialization;

// The body of each manifest: fields in declaration order, strings length-prefixed, lists count-prefixed.
public sealed partial class ClusterKthreadsSerializer
{
    // A list longer than this is not a message of ours: refuse it before allocating for it.
    private const int MaxCount = 1 << 20;

    private static readonly Dictionary<string, Func<ClusterKthreadsSerializer, BinaryReader, object>> Readers = new(StringComparer.Ordinal)
    {
        ["EU"] = (_, r) => new EnsureUp(r.ReadInt32()),
        ["CH"] = (_, r) => new CpuHosted(r.ReadInt32(), ReadAddress(r)),
        ["QI"] = (s, r) => new QueueItem(r.ReadInt32(), r.ReadString(), ReadPayload(r).ToObject(s.system.Serialization)),
        ["IQ"] = (_, r) => new ItemQueued(r.ReadInt32(), r.ReadInt64()),
        ["RF"] = (_, r) => new CpuRequestFailed(r.ReadInt32(), r.ReadInt32(), r.ReadString()),
        ["GI"] = (_, r) => new GetCpuInfo(r.ReadInt32()),
        ["CI"] = (_, r) => ReadCpuInfo(r),
        ["HO"] = (_, _) => HandOff.Instance,
        ["LT"] = (_, r) => new ListThreads(r.ReadBoolean()),
        ["TL"] = (_, r) => new ThreadList(ReadList(r, ReadThread), ReadList(r, x => x.ReadString())),
        ["LC"] = (_, _) => ListCpus.Instance,
        ["CL"] = (_, r) => new CpuList(ReadList(r, ReadCpuInfo)),
        ["IA"] = (_, r) => ReadItemAccepted(r),
        ["SS"] = (_, r) => ReadStateSaved(r),
        ["TO"] = (_, r) => ReadThreadOp(r),
        ["TI"] = (_, r) => ReadThreadOpById(r),
        ["CC"] = (s, r) => new CreateOnCpu(r.ReadInt32(), r.ReadString(), r.ReadBoolean() ? ReadPayload(r).ToObject(s.system.Serialization) : null, r.ReadString()),
        ["TC"] = (_, r) => new ThreadCreated(ReadAddress(r), r.ReadInt32()),
        ["MH"] = (_, r) => new StopMachine.MachineHold(new Guid(r.ReadBytes(16)), TimeSpan.FromTicks(r.ReadInt64())),
        ["MD"] = (_, r) => new StopMachine.MachineHeld(new Guid(r.ReadBytes(16)), r.ReadString(), r.ReadInt32()),
        ["MR"] = (_, r) => new StopMachine.MachineRelease(new Guid(r.ReadBytes(16))),
        ["ML"] = (_, r) => new StopMachine.MachineReleased(new Guid(r.ReadBytes(16)), r.ReadString()),
        ["OQ"] = (_, r) => new Internal.IsCpuOnline(r.ReadInt32()),
        ["OA"] = (_, r) => new Internal.CpuOnlineHere(r.ReadInt32(), r.ReadBoolean()),
        ["ND"] = (_, r) => new Internal.NodeDrained(ReadAddress(r), r.ReadInt32()),
        ["TR"] = (_, r) => new ThreadOpResult(r.ReadInt32(), r.ReadBoolean() ? ReadThread(r) : null),
        ["LS"] = (_, r) => new LedgerSnapshot(r.ReadInt64(), ReadList(r, ReadStateSaved), ReadList(r, ReadItemAccepted)),
    };

    private void Write(BinaryWriter w, object obj)
    {
        switch (obj)
        {
            case EnsureUp m:
                w.Write(m.Cpu);
                break;
            case CpuHosted m:
                w.Write(m.Cpu);
                w.Write(m.Node.ToString());
                break;
            case QueueItem m:
                w.Write(m.Cpu);
                w.Write(m.Comm);
                WritePayload(w, Payload.From(system.Serialization, m.Item));
                break;
            case ItemQueued m:
                w.Write(m.Cpu);
                w.Write(m.Seq);
                break;
            case CpuRequestFailed m:
                w.Write(m.Cpu);
                w.Write(m.Errno);
                w.Write(m.Reason);
                break;
            case GetCpuInfo m:
                w.Write(m.Cpu);
                break;
            case CpuInfo m:
                WriteCpuInfo(w, m);
                break;
            case HandOff or ListCpus:
                break;
            case ListThreads m:
                w.Write(m.ClusterWide);
                break;
            case ThreadList m:
                WriteList(w, m.Threads, WriteThread);
                WriteList(w, m.Missing, (x, s) => x.Write(s));
                break;
            case CpuList m:
                WriteList(w, m.Cpus, WriteCpuInfo);
                break;
            case ItemAccepted m:
                WriteItemAccepted(w, m);
                break;
            case StateSaved m:
                WriteStateSaved(w, m);
                break;
            case ThreadOp m:
                w.Write(m.Pid);
                w.Write((int)m.Operation);
                WriteCpus(w, m.Cpus);
                break;
            case CreateOnCpu m:
                w.Write(m.Cpu);
                w.Write(m.Function);
                w.Write(m.Data is not null);
                if (m.Data is not null)
                {
                    WritePayload(w, Payload.From(system.Serialization, m.Data));
                }

                w.Write(m.NameFormat);
                break;
            case StopMachine.MachineHold m:
                w.Write(m.Id.ToByteArray());
                w.Write(m.Timeout.Ticks);
                break;
            case StopMachine.MachineHeld m:
                w.Write(m.Id.ToByteArray());
                w.Write(m.Node);
                w.Write(m.Result);
                break;
            case StopMachine.MachineRelease m:
                w.Write(m.Id.ToByteArray());
                break;
            case StopMachine.MachineReleased m:
                w.Write(m.Id.ToByteArray());
                w.Write(m.Node);
                break;
            case Internal.IsCpuOnline m:
                w.Write(m.Cpu);
                break;
            case Internal.CpuOnlineHere m:
                w.Write(m.Cpu);
                w.Write(m.Online);
                break;
            case Internal.NodeDrained m:
                w.Write(m.Node.ToString());
                w.Write(m.Uid);
                break;
            case ThreadCreated m:
                w.Write(m.Node.ToString());
                w.Write(m.Pid);
                break;
            case ThreadOpById m:
                w.Write(m.Id);
                w.Write((int)m.Operation);
                WriteCpus(w, m.Cpus);
                break;
            case ThreadOpResult m:
                w.Write(m.Result);
                w.Write(m.Info is not null);
                if (m.Info is not null)
                {
                    WriteThread(w, m.Info);
                }

                break;
            case LedgerSnapshot m:
                w.Write(m.LastSeq);
                WriteList(w, m.States, WriteStateSaved);
                WriteList(w, m.Pending, WriteItemAccepted);
                break;
            default:
                throw new ArgumentException($"{obj?.GetType()} is not a Kthreads cluster message", nameof(obj));
        }
    }

    private static ThreadOp ReadThreadOp(BinaryReader r)
    {
        var pid = r.ReadInt32();
        var operation = r.ReadInt32();
        if (!Enum.IsDefined(typeof(ThreadOperation), operation))
        {
            throw new InvalidDataException($"no thread operation {operation}");
        }

        return new ThreadOp(pid, (ThreadOperation)operation) { Cpus = ReadCpus(r) };
    }

    private static ThreadOpById ReadThreadOpById(BinaryReader r)
    {
        var id = r.ReadString();
        var operation = r.ReadInt32();
        if (!Enum.IsDefined(typeof(ThreadOperation), operation))
        {
            throw new InvalidDataException($"no thread operation {operation}");
        }

        return new ThreadOpById(id, (ThreadOperation)operation) { Cpus = ReadCpus(r) };
    }

    // A set_cpus_allowed mask at the end, or nothing: every other operation keeps the bytes it had before masks
    // existed, so nodes of the previous version still read them during a rolling upgrade.
    private static void WriteCpus(BinaryWriter w, IReadOnlyList<int>? cpus)
    {
        if (cpus is not null)
        {
            WriteList(w, cpus, (x, cpu) => x.Write(cpu));
        }
    }

    private static int[]? ReadCpus(BinaryReader r) =>
        r.BaseStream.Position < r.BaseStream.Length ? ReadList(r, x => x.ReadInt32()) : null;

    /// <summary>The bytes <see cref="WriteItemAccepted"/> writes, counted without writing them: the size check on every item.</summary>
    internal static long EncodedSize(ItemAccepted m) => sizeof(long) + StringSize(m.Name) + PayloadSize(m.Item);

    /// <summary>The bytes <see cref="WriteStateSaved"/> writes, counted without writing them: the size check on every save.</summary>
    internal static long EncodedSize(StateSaved m) =>
        StringSize(m.Name) + sizeof(bool) + (m.State is null ? 0 : PayloadSize(m.State)) + sizeof(long);

    private static long PayloadSize(Payload p) => sizeof(int) + StringSize(p.Manifest) + sizeof(int) + p.Bytes.Length;

    // BinaryWriter.Write(string): its UTF-8 length as a 7-bit encoded int, then the bytes.
    private static long StringSize(string s)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(s);
        var prefix = 1;
        for (var rest = (uint)length >> 7; rest != 0; rest >>= 7)
        {
            prefix++;
        }

        return prefix + length;
    }

    private static void WriteItemAccepted(BinaryWriter w, ItemAccepted m)
    {
        w.Write(m.Seq);
        w.Write(m.Name);
        WritePayload(w, m.Item);
    }

    private static ItemAccepted ReadItemAccepted(BinaryReader r) => new(r.ReadInt64(), r.ReadString(), ReadPayload(r));

    private static void WriteStateSaved(BinaryWriter w, StateSaved m)
    {
        w.Write(m.Name);
        w.Write(m.State is not null);
        if (m.State is not null)
        {
            WritePayload(w, m.State);
        }

        w.Write(m.Taken);
    }

    private static StateSaved ReadStateSaved(BinaryReader r) => new(r.ReadString(), r.ReadBoolean() ? ReadPayload(r) : null, r.ReadInt64());

    private static void WritePayload(BinaryWriter w, Payload p)
    {
        w.Write(p.SerializerId);
        w.Write(p.Manifest);
        w.Write(p.Bytes.Length);
        w.Write(p.Bytes);
    }

    private static Payload ReadPayload(BinaryReader r)
    {
        var id = r.ReadInt32();
        var manifest = r.ReadString();
        var length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new InvalidDataException($"a payload of {length} bytes where {r.BaseStream.Length - r.BaseStream.Position} are left");
        }

        return new Payload(id, manifest, r.ReadBytes(length));
    }

    private static Address ReadAddress(BinaryReader r) => Address.Parse(r.ReadString());

    private static void WriteCpuInfo(BinaryWriter w, CpuInfo m)
    {
        w.Write(m.Cpu);
        w.Write(m.Node.ToString());
        WriteList(w, m.Threads, (x, t) =>
        {
            x.Write(t.Name);
            x.Write(t.State is not null);
            if (t.State is not null)
            {
                x.Write(t.State);
            }

            x.Write(t.PendingItems);
        });
    }

    private static CpuInfo ReadCpuInfo(BinaryReader r) =>
        new(r.ReadInt32(), ReadAddress(r), ReadList(r, x => new PerCpuInfo(x.ReadString(), x.ReadBoolean() ? x.ReadString() : null, x.ReadInt32())));

    private static void WriteThread(BinaryWriter w, KthreadInfo t)
    {
        w.Write(t.Pid);
        w.Write(t.PPid);
        w.Write(t.Comm);
        w.Write((int)t.State);
        w.Write(t.Cpu ?? -1);
        w.Write(t.PerCpu);
        w.Write(t.ExitCode.HasValue);
        w.Write(t.ExitCode ?? 0);
        w.Write(t.Node);
        w.Write(t.Uninterruptible);
        w.Write(t.Nvcsw);
        w.Write(t.Nivcsw);
    }

    private static KthreadInfo ReadThread(BinaryReader r)
    {
        var pid = r.ReadInt32();
        var ppid = r.ReadInt32();
        var comm = r.ReadString();
        var state = r.ReadInt32();
        if (!Enum.IsDefined(typeof(KthreadState), state))
        {
            throw new InvalidDataException($"no thread state {state}");
        }

        var cpu = r.ReadInt32();
        var perCpu = r.ReadBoolean();
        var hasExit = r.ReadBoolean();
        var exit = r.ReadInt32();
        var node = r.ReadString();
        // D and the switch counts travel too, so a remote row reads as a local one does.
        return new KthreadInfo(pid, ppid, comm, (KthreadState)state, cpu < 0 ? null : cpu, perCpu, hasExit ? exit : null, node)
        {
            Uninterruptible = r.ReadBoolean(),
            Nvcsw = r.ReadInt64(),
            Nivcsw = r.ReadInt64(),
        };
    }

    private static void WriteList<T>(BinaryWriter w, IReadOnlyList<T> items, Action<BinaryWriter, T> write)
    {
        w.Write(items.Count);
        foreach (var item in items)
        {
            write(w, item);
        }
    }

    private static T[] ReadList<T>(BinaryReader r, Func<BinaryReader, T> read)
    {
        var count = r.ReadInt32();
        if (count < 0 || count > MaxCount)
        {
            throw new InvalidDataException($"a list of {count} entries");
        }

        var items = new T[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = read(r);
        }

        return items;
    }
}
