using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>Specs that keep every core busy on purpose run alone, after the others.</summary>
[CollectionDefinition(nameof(CpuHogs), DisableParallelization = true)]
public sealed class CpuHogs;

/// <summary>
/// Every CPU busy with kernel-style code between checkpoints must not stall the ActorSystem: the
/// kthreads hold their CPUs' own OS threads, never the pool that Akka's actors run on.
/// </summary>
[Collection(nameof(CpuHogs))]
public sealed class BusyCpusSpec(ITestOutputHelper output)
    : SpecBase(output, ConfigurationFactory.ParseString($"kthreads.cpus.possible = {Possible}"))
{
    // Four times as many CPUs as cores, so the busy CPUs' threads far outnumber the pool's.
    private static readonly int Possible = 4 * Environment.ProcessorCount;

    private static readonly TimeSpan Compute = TimeSpan.FromMilliseconds(50);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    [Fact]
    public async Task With_every_cpu_computing_50ms_between_checkpoints_an_unrelated_actor_and_the_kthread_operations_stay_responsive()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Echo()), "echo");
        var computing = new CountdownEvent(Possible);
        var onPool = 0;
        var hogs = new List<Kthread>();
        foreach (var cpu in Kthreads.Cpus.Possible)
        {
            var hog = await Kthreads.CreateAsync(async current =>
            {
                var first = true;
                while (!current.ShouldStop)
                {
                    // Legal kernel code: it holds its CPU until cond_resched().
                    var clock = Stopwatch.StartNew();
                    while (clock.Elapsed < Compute)
                    {
                        Thread.SpinWait(100);
                    }

                    if (Thread.CurrentThread.IsThreadPoolThread)
                    {
                        Interlocked.Increment(ref onPool);
                    }

                    if (first)
                    {
                        first = false;
                        computing.Signal();
                    }

                    await current.YieldAsync();
                }

                return 0;
            }, null, $"hog/{cpu}");
            Assert.Equal(0, await hog.BindAsync(cpu));
            hogs.Add(hog);
        }

        // Every CPU starts computing at once, while the asks are already going.
        var latencies = new List<double>(200);
        var asks = Task.Run(async () =>
        {
            // One ask every 10 ms, so the 200 asks span the start and two seconds of busy CPUs.
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            for (var i = 0; i < 200 && await pace.WaitForNextTickAsync(); i++)
            {
                var clock = Stopwatch.StartNew();
                Assert.Equal(i, await echo.Ask<int>(i, TimeSpan.FromSeconds(30)));
                latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
        });
        await Task.WhenAll(hogs.Select(h => h.WakeUpAsync()));
        await AwaitConditionAsync(() => Task.FromResult(computing.IsSet));

        // The kthread operations, meanwhile, each within its usual bound (an error or a timeout fails).
        var operations = Task.Run(async () =>
        {
            Assert.Equal(Possible, (await Kthreads.ListAsync()).Count(t => t.Comm.StartsWith("hog/")));
            // Unbound: it runs on whichever CPU's hog reaches a checkpoint first.
            var run = await Kthreads.RunAsync(_ => Task.FromResult(7), null, "quick");
            await AwaitStateAsync(run, KthreadState.Zombie);
            Assert.Equal(7, await run.StopAsync());
            var last = Possible - 1;
            Assert.Equal(0, await Kthreads.Cpus.DownAsync(last));
            Assert.DoesNotContain(last, Kthreads.Cpus.Online);
            Assert.Equal(0, await Kthreads.Cpus.UpAsync(last));
            Assert.Equal(0, await Kthreads.StopMachine.RunAsync(_ => 0));
        });

        await asks;
        await operations;
        latencies.Sort();
        var p99 = latencies[(int)Math.Ceiling(0.99 * latencies.Count) - 1];
        Output?.WriteLine($"Ask with {Possible} busy CPUs on {Environment.ProcessorCount} cores: median {latencies[100]:F2} ms, p99 {p99:F2} ms, max {latencies[^1]:F2} ms");
        Assert.True(p99 < 100, $"the unrelated actor's Ask took {p99:F1} ms at the 99th percentile");
        Assert.Equal(0, Volatile.Read(ref onPool)); // no kthread code ran on the pool Akka's actors share

        foreach (var hog in hogs)
        {
            Assert.Equal(0, await hog.StopAsync());
        }
    }
}
