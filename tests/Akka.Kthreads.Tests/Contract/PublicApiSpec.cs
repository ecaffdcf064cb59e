using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml.Linq;
using Xunit;

namespace Akka.Kthreads.Tests.Contract;

/// <summary>
/// The public contract of Akka.Kthreads (DESIGN §3): a checked-in API snapshot, the section-3 types in
/// namespace Akka.Kthreads, the kernel's errno values, and an XML doc comment on every public member.
/// </summary>
/// <remarks>
/// When the API changes on purpose, the snapshot spec writes Contract/PublicApi.received.txt next to
/// the approved file: diff the two, and approve by copying received over approved.
/// </remarks>
public sealed class PublicApiSpec
{
    private static readonly Assembly Core = typeof(Kthreads).Assembly;

    [Theory]
    [InlineData("Akka.Kthreads", "PublicApi")]
    [InlineData("Akka.Kthreads.Cluster", "ClusterPublicApi")]
    [InlineData("Akka.Kthreads.Hosting", "HostingPublicApi")]
    public void The_public_API_matches_the_approved_snapshot(string assemblyName, string snapshot)
    {
        var assembly = new[] { Core, typeof(Akka.Kthreads.Cluster.ClusterKthreads).Assembly, typeof(Akka.Kthreads.Hosting.KthreadsOptions).Assembly }
            .Single(a => a.GetName().Name == assemblyName);
        Assert.Equal(assemblyName, assembly.GetName().Name);
        var received = PublicApiDump.Dump(assembly);
        var approved = Normalize(ReadApproved($"Akka.Kthreads.Tests.Contract.{snapshot}.approved.txt"));
        var receivedPath = Path.Combine(ContractDirectory(), $"{snapshot}.received.txt");

        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail($"""
            The public API of {assemblyName} differs from Contract/{snapshot}.approved.txt.
            The API as built is in {receivedPath}: diff it with the approved file; if the change is
            meant (DESIGN §3: add freely, rename only with an issue), copy it over the approved file.
            {Difference(approved, received)}
            """);
    }

    [Fact]
    public void The_API_dump_is_stable_and_shows_kinds_bases_and_signatures()
    {
        var dump = PublicApiDump.Dump(Core);

        Assert.Equal(dump, PublicApiDump.Dump(Core));
        Assert.Contains("public sealed class Akka.Kthreads.Kthreads : System.Object, Akka.Actor.IExtension\n", dump, StringComparison.Ordinal);
        Assert.Contains("public delegate System.Threading.Tasks.Task<System.Int32> Akka.Kthreads.ThreadFn(Akka.Kthreads.KthreadContext current)\n", dump, StringComparison.Ordinal);
        Assert.Contains("    public System.Threading.Tasks.Task<Akka.Kthreads.Kthread> CreateAsync(Akka.Kthreads.ThreadFn fn, System.Object? data, System.String name, System.Threading.CancellationToken ct = default)\n", dump, StringComparison.Ordinal);
        Assert.Contains("public sealed record Akka.Kthreads.KthreadInfo : System.Object, System.IEquatable<Akka.Kthreads.KthreadInfo>\n", dump, StringComparison.Ordinal);
        Assert.Contains("    public const System.Int32 EINTR = 4\n", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("Akka.Kthreads.Internal.", dump, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kthreads")]
    [InlineData("Kthread")]
    [InlineData("KthreadContext")]
    [InlineData("ThreadFn")]
    [InlineData("KthreadInfo")]
    [InlineData("KthreadState")]
    [InlineData("KthreaddProtocol")]
    [InlineData("KthreaddProtocol+Create")]
    [InlineData("KthreaddProtocol+Created")]
    [InlineData("KthreaddProtocol+CreateFailed")]
    [InlineData("KthreaddProtocol+List")]
    [InlineData("KthreaddProtocol+KthreadList")]
    [InlineData("KthreadProtocol")]
    [InlineData("KthreadProtocol+WakeUp")]
    [InlineData("KthreadProtocol+Woken")]
    [InlineData("KthreadProtocol+Stop")]
    [InlineData("KthreadProtocol+Stopped")]
    [InlineData("KthreadProtocol+Park")]
    [InlineData("KthreadProtocol+ParkResult")]
    [InlineData("KthreadProtocol+Unpark")]
    [InlineData("KthreadProtocol+Unparked")]
    [InlineData("KthreadProtocol+Bind")]
    [InlineData("KthreadProtocol+BindResult")]
    [InlineData("KthreadProtocol+GetInfo")]
    [InlineData("Errno")]
    [InlineData("Cpus")]
    public void A_section_3_type_is_public_in_namespace_Akka_Kthreads(string name)
    {
        // Looked up by name, not typeof: a moved type fails this spec instead of the build.
        var type = Core.GetType("Akka.Kthreads." + name);

        Assert.True(type is not null, $"no type Akka.Kthreads.{name} in {Core.GetName().Name}");
        Assert.True(type.IsVisible, $"{name} is not public");
        Assert.Equal("Akka.Kthreads", type.Namespace);
    }

    [Fact]
    public void The_section_3_types_have_their_kinds()
    {
        Assert.True(typeof(MulticastDelegate).IsAssignableFrom(typeof(ThreadFn)));
        Assert.True(typeof(KthreadState).IsEnum);
        Assert.Equal(["New", "Running", "Sleeping", "Parked", "Zombie", "Dead"], Enum.GetNames<KthreadState>());
        Assert.All(
            new[] { typeof(Kthreads), typeof(Kthread), typeof(KthreadContext), typeof(KthreadInfo), typeof(Cpus) },
            t => Assert.True(t.IsSealed && !t.IsValueType, $"{t.Name} must be a sealed class"));
        Assert.All(
            new[] { typeof(Errno), typeof(KthreaddProtocol), typeof(KthreadProtocol) },
            t => Assert.True(t.IsAbstract && t.IsSealed, $"{t.Name} must be a static class"));
        Assert.True(typeof(Akka.Actor.IExtension).IsAssignableFrom(typeof(Kthreads)));
    }

    [Theory]
    [InlineData("ESRCH", 3)]
    [InlineData("EINTR", 4)]
    [InlineData("EAGAIN", 11)]
    [InlineData("EWOULDBLOCK", 11)]
    [InlineData("ENOMEM", 12)]
    [InlineData("EFAULT", 14)]
    [InlineData("EBUSY", 16)]
    [InlineData("ENODEV", 19)]
    [InlineData("EINVAL", 22)]
    [InlineData("ENOSYS", 38)]
    [InlineData("ETIMEDOUT", 110)]
    [InlineData("ECANCELED", 125)]
    public void An_Errno_constant_has_the_kernels_value(string name, int value)
    {
        var field = typeof(Errno).GetField(name, BindingFlags.Public | BindingFlags.Static);

        Assert.True(field is { IsLiteral: true }, $"Errno.{name} must be a public const");
        Assert.Equal(typeof(int), field.FieldType);
        Assert.Equal(value, field.GetRawConstantValue());
    }

    [Fact]
    public void Every_public_type_and_member_has_an_XML_doc_summary() => AssertDocumented(Core);

    [Fact]
    public void Every_public_type_and_member_of_the_cluster_has_an_XML_doc_summary() =>
        AssertDocumented(typeof(Akka.Kthreads.Cluster.ClusterKthreads).Assembly);

    [Fact]
    public void Every_public_type_and_member_of_the_hosting_has_an_XML_doc_summary() =>
        AssertDocumented(typeof(Akka.Kthreads.Hosting.KthreadsOptions).Assembly, least: 10);

    private static void AssertDocumented(Assembly assembly, int least = 20)
    {
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(file), $"no documentation file {file}: GenerateDocumentationFile must be on for {assembly.GetName().Name}");
        var summaries = XDocument.Load(file).Descendants("member")
            .ToDictionary(m => (string)m.Attribute("name")!, m => m.Element("summary")?.Value.Trim() ?? string.Empty, StringComparer.Ordinal);

        var undocumented = new List<string>();
        var checkedCount = 0;
        foreach (var type in assembly.GetExportedTypes())
        {
            IEnumerable<MemberInfo> members = typeof(Delegate).IsAssignableFrom(type)
                ? [type]
                : PublicApiDump.VisibleMembers(type).Where(m => !PublicApiDump.IsCompilerGenerated(m)).Prepend(type);
            foreach (var member in members)
            {
                var id = XmlDocIds.Of(member);
                checkedCount++;
                if (!summaries.TryGetValue(id, out var summary) || summary.Length == 0)
                {
                    undocumented.Add(id);
                }
            }
        }

        Assert.True(checkedCount > least, $"only {checkedCount} members checked: the reflection walk is broken");
        Assert.True(undocumented.Count == 0,
            "public API without an XML <summary> (STYLE rule 17):\n" + string.Join("\n", undocumented.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void The_doc_id_walk_finds_known_entries()
    {
        // Guards the spec above: ids computed here must be the compiler's own.
        Assert.Equal("T:Akka.Kthreads.KthreadProtocol.WakeUp", XmlDocIds.Of(typeof(KthreadProtocol.WakeUp)));
        Assert.Equal(
            "M:Akka.Kthreads.Kthreads.CreateOnCpuAsync(Akka.Kthreads.ThreadFn,System.Object,System.Int32,System.String,System.Threading.CancellationToken)",
            XmlDocIds.Of(typeof(Kthreads).GetMethod(nameof(Kthreads.CreateOnCpuAsync))!));
        Assert.Equal(
            "M:Akka.Kthreads.KthreaddProtocol.Create.#ctor(Akka.Kthreads.ThreadFn,System.Object,System.String,System.Nullable{System.Int32},System.Boolean)",
            XmlDocIds.Of(typeof(KthreaddProtocol.Create).GetConstructors().Single(c => c.GetParameters().Length == 5)));
        Assert.Equal("P:Akka.Kthreads.KthreadInfo.Cpu", XmlDocIds.Of(typeof(KthreadInfo).GetProperty(nameof(KthreadInfo.Cpu))!));
        Assert.Equal("F:Akka.Kthreads.Errno.EINTR", XmlDocIds.Of(typeof(Errno).GetField(nameof(Errno.EINTR))!));
    }

    private static string ReadApproved(string resource)
    {
        using var stream = typeof(PublicApiSpec).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{resource} is not embedded: see Akka.Kthreads.Tests.csproj");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    // Where this file lives in the source tree, so received lands beside approved; the output dir otherwise.
    private static string ContractDirectory([CallerFilePath] string thisFile = "")
    {
        var directory = Path.GetDirectoryName(thisFile);
        return directory is not null && Directory.Exists(directory) ? directory : AppContext.BaseDirectory;
    }

    private static string Difference(string approved, string received)
    {
        var before = approved.Split('\n');
        var after = received.Split('\n');
        var removed = before.Except(after, StringComparer.Ordinal).Select(l => "- " + l);
        var added = after.Except(before, StringComparer.Ordinal).Select(l => "+ " + l);
        return string.Join("\n", removed.Concat(added).Take(40));
    }
}
