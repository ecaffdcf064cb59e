using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Cluster.Tests;

/// <summary>
/// The wire door, through a node's real remote endpoint: a client sends garbage, truncated,
/// oversized and unknown-manifest payloads under the library's serializer id; each is refused and
/// logged, nothing of it reaches a kthread, and the node goes on answering.
/// </summary>
public sealed class HostileWireSpec(ITestOutputHelper output)
    : ClusterSpecBase(output, cpus: 1, extraConfig: "kthreads.cluster.max-payload-size = 16KiB")
{
    private readonly ConcurrentQueue<(string Node, int Cpu, string Item)> _handled = new();

    [Fact]
    public async Task Hostile_payloads_at_the_remote_endpoint_are_refused_and_logged_and_the_node_goes_on()
    {
        Assert.Equal(0, await Node1.Kthreads.PerCpuThreads.RegisterAsync(Tally.Spec(_handled, Node1.Name)));
        await AwaitMembersAsync(1);
        await AwaitSettledAsync();

        var client = ActorSystem.Create("hostile", ConfigurationFactory.ParseString($$"""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.actor.serializers.hostile = "{{typeof(HostileSerializer).AssemblyQualifiedName}}"
            akka.actor.serialization-bindings { "{{typeof(Hostile).AssemblyQualifiedName}}" = hostile }
            """));
        try
        {
            var region = client.ActorSelection(new RootActorPath(Node1.Cluster.SelfAddress) / "system" / "sharding" / "kthreads-cpu");
            var attacks = new (string Manifest, byte[] Bytes, string Logged)[]
            {
                ("ZZ", [1, 2, 3], "unknown manifest 'ZZ'"),
                ("QI", [0, 0, 0, 0, 9, 1], "does not decode"),
                ("QI", [0, 0, 0, 0, 3, 120, 47, 48, 255, 255, 255, 127], "does not decode"),
                ("QI", new byte[20 * 1024], "above kthreads.cluster.max-payload-size"),
            };
            foreach (var (manifest, bytes, logged) in attacks)
            {
                await EventFilter.Warning(contains: logged).ExpectOneAsync(() =>
                {
                    region.Tell(new Hostile(manifest, bytes));
                    return Task.CompletedTask;
                });
            }

            // An item above the limit is refused at its CPU with -EMSGSIZE, before it is journaled.
            Assert.Equal(-Errno.EMSGSIZE, await Node1.Cluster.QueueOnCpuAsync(0, Tally.Comm, new string('x', 20 * 1024)));

            // The node goes on, and the only item its thread ever took is the one sent properly.
            Assert.True(await Node1.Cluster.QueueOnCpuAsync(0, Tally.Comm, "good") > 0);
            await AwaitAssertAsync(() => Assert.Equal(["good"], _handled.Select(h => h.Item)));
            Assert.Equal(Node1.Cluster.SelfAddress, Assert.Single(await Node1.Cluster.PlacementAsync()).Value);
        }
        finally
        {
            await client.Terminate();
        }
    }
}

/// <summary>What a hostile client puts on the wire under the library's serializer id.</summary>
public sealed record Hostile(string Manifest, byte[] Bytes);

/// <summary>Claims the library's serializer id and writes whatever bytes and manifest it is given.</summary>
public sealed class HostileSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public override int Identifier => 4711;

    public override string Manifest(object o) => ((Hostile)o).Manifest;

    public override byte[] ToBinary(object obj) => ((Hostile)obj).Bytes;

    public override object FromBinary(byte[] bytes, string manifest) => new Hostile(manifest, bytes);
}
