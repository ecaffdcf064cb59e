using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Akka.Kthreads.Cluster;
using Akka.Kthreads.Hosting.Tests.Readme;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Akka.Kthreads.Hosting.Tests;

/// <summary>
/// builder.WithKthreadsCluster: two hosts come up as one Kthreads cluster from options alone (remoting,
/// clustering, store, CPUs), DI gives ClusterKthreads, and stopping a host hands its CPUs off with their
/// states before its threads stop, so the other node goes on counting from where it was.
/// </summary>
public sealed class ClusterHostingSpec : Akka.Hosting.TestKit.TestKit, IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int Cpus = 4;
    private readonly StoreFolder _folder = new("kthreads-hosting-spec");
    private readonly int _seedPort = FreePort();
    private readonly ConcurrentQueue<(string Node, int Cpu, string Item)> _handled = new();

    public ClusterHostingSpec(ITestOutputHelper output)
        : base("kthreads", output)
    {
    }

    private string Seed => $"akka.tcp://kthreads@127.0.0.1:{_seedPort}";

    protected override void ConfigureServices(HostBuilderContext context, IServiceCollection services) => services.AddKthreads();

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        Node(builder, "node1", _seedPort);

    [Fact]
    public async Task Two_hosts_form_a_cluster_from_options_alone_and_a_stopped_host_hands_its_CPUs_and_states_over()
    {
        var cluster1 = Host.Services.GetRequiredService<ClusterKthreads>();
        Assert.Same(ClusterKthreads.Get(Sys), cluster1);
        Assert.Same(cluster1.Kthreads, Host.Services.GetRequiredService<Kthreads>());
        Assert.Equal(cluster1.Kthreads.Kthreadd, await ActorRegistry.GetAsync<KthreaddKey>(Ct));

        using var host2 = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddAkka("kthreads", b => Node(b, "node2", port: 0));
                services.AddKthreads();
            })
            .Build();
        await host2.StartAsync(Ct);
        var cluster2 = host2.Services.GetRequiredService<ClusterKthreads>();

        // Both Up, and the CPUs spread two and two, each running the per-CPU thread WithKthreads declared.
        await AwaitAssertAsync(async () =>
        {
            Assert.Equal(2, Akka.Cluster.Cluster.Get(Sys).State.Members.Count(m => m.Status == MemberStatus.Up));
            var placement = await cluster1.PlacementAsync(Ct);
            Assert.Equal(Cpus, placement.Count);
            Assert.Equal(2, placement.Values.Count(a => a.Equals(cluster2.SelfAddress)));
            Assert.Equal(2, cluster2.Kthreads.Cpus.Online.Count);
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200), Ct);

        var onNode2 = cluster2.Kthreads.Cpus.Online.ToArray();
        foreach (var cpu in onNode2)
        {
            Assert.True(await cluster1.QueueOnCpuAsync(cpu, Comm, "a", Ct) > 0);
            Assert.True(await cluster1.QueueOnCpuAsync(cpu, Comm, "b", Ct) > 0);
        }

        await AwaitAssertAsync(() => Assert.Equal(2 * onNode2.Length, _handled.Count(h => h.Node == "node2")), TimeSpan.FromSeconds(30), cancellationToken: Ct);

        // The host's stop is a graceful leave: its CPUs come up on node 1 with their counts, and nothing on node 2
        // fails to stop (its per-CPU threads are the hand-off's, parked as their CPUs leave, never stopped one by one).
        var errors = new ConcurrentQueue<string>();
        LogSink.Collect(host2.Services.GetRequiredService<ActorSystem>(), errors);
        await host2.StopAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.Empty(errors);
        await AwaitAssertAsync(() => Assert.Equal(Cpus, cluster1.Kthreads.Cpus.Online.Count), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200), Ct);
        foreach (var cpu in onNode2)
        {
            Assert.True(await cluster1.QueueOnCpuAsync(cpu, Comm, "c", Ct) > 0);
        }

        await AwaitAssertAsync(async () =>
        {
            foreach (var cpu in onNode2)
            {
                var info = await cluster1.CpuInfoAsync(cpu, Ct);
                Assert.Contains(info.Threads, t => t.Name == string.Format(System.Globalization.CultureInfo.InvariantCulture, Comm, cpu) && t.State == "3:a,b,c");
            }
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200), Ct);
        Assert.Equal(onNode2.Length, _handled.Count(h => h.Node == "node1" && h.Item == "c"));
        Assert.DoesNotContain(_handled, h => h.Node == "node1" && h.Item != "c");
    }

    private const string Comm = "hosted-tally/{0}";

    // The README's cluster example, as is: options alone, nothing by hand.
    private void Node(AkkaConfigurationBuilder builder, string name, int port) =>
        GenericHostExample.ConfigureClusterNode(builder, [Seed], port, $"Data Source={_folder.File("store.db")}", Tally(name));

    private PerCpuThread Tally(string node) =>
        new(Comm, td => td.PendingItems > 0, td =>
        {
            while (td.TryTakeItem(out var item))
            {
                var parts = ((string)td.State!).Split(':', 2);
                var count = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) + 1;
                td.State = $"{count}:{(parts[1].Length == 0 ? "" : parts[1] + ",")}{item}";
                _handled.Enqueue((node, td.Cpu, (string)item!));
            }

            // Never saved here: only the hand-off saves the state, once the thread has parked for its CPU's leave.
            return Task.CompletedTask;
        })
        {
            CreateState = _ => "0:",
        };

    private static int FreePort()
    {
        // Node 1 is its own seed, so its port is known before it starts: one the OS picks, as port 0 would.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    void IDisposable.Dispose() => _folder.Dispose();
}
