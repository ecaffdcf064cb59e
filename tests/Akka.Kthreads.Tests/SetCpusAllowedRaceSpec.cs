using System.Diagnostics;
using Akka.Actor;
using Akka.Kthreads.Internal;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>set_cpus_allowed_ptr() racing threads that run checkpoints: the mask holds from their next checkpoint on.</summary>
public sealed class SetCpusAllowedRaceSpec : SpecBase
{
    private readonly ITestOutputHelper _output;

    public SetCpusAllowedRaceSpec(ITestOutputHelper output)
        : base(output) => _output = output;

    private const int Rounds = 10_000;

    // Checkpoints a racer runs after each wake-up before it rests.
    private const int Burst = 32;

    // Masks of one CPU make the two racers queue for the same CPU (a move while waiting in a run queue);
    // masks of two let them run side by side.
    private static readonly int[][] Masks = [[0], [1, 2], [3], [0, 2], [1], [2, 3], [0, 1, 3]];

    [Fact]
    public async Task Ten_thousand_moves_never_leave_a_thread_outside_its_mask_once_it_passed_a_checkpoint()
    {
        var cpus = Kthreads.Cpus;
        var round = new int[1]; // published by the spec once both replies came back
        var probe = CreateTestProbe();
        ThreadFn racer = async current =>
        {
            var reported = 0;
            var burst = 0;
            while (!current.ShouldStop)
            {
                var seen = Volatile.Read(ref round[0]);
                await current.YieldAsync(); // a checkpoint; the first one after the reply reports
                if (seen > reported)
                {
                    // Where it runs, by current.Cpu, by the OS thread it is on, and by the run queue that holds it.
                    var os = cpus.Possible.FirstOrDefault(c => ReferenceEquals(cpus.Queue(c).OsThread, CpuThread.Current), -1);
                    probe.Ref.Tell((current.Pid, seen, current.Cpu, os, os >= 0 && ReferenceEquals(cpus.Queue(os).Holder, current)));
                    reported = seen;
                    burst = 0;
                }
                else if (++burst >= Burst)
                {
                    // Rest until the next round instead of spinning: two cores run this and the actors.
                    current.PrepareToSleep();
                    if (Volatile.Read(ref round[0]) == reported && !current.ShouldStop)
                    {
                        await current.ScheduleAsync();
                    }
                    else
                    {
                        current.SetRunning();
                    }
                }
            }

            return 0;
        };
        var racers = new[]
        {
            await Kthreads.RunAsync(racer, null, "racer/a"),
            await Kthreads.RunAsync(racer, null, "racer/b"),
        };

        var clock = Stopwatch.StartNew();
        for (var r = 1; r <= Rounds; r++)
        {
            var mask = Masks[r % Masks.Length];
            // The moves race the racers' wake-ups and their checkpoints.
            var woken = racers.Select(t => t.WakeUpAsync()).ToArray();
            var replies = await Task.WhenAll(racers.Select(t => t.SetCpusAllowedAsync(mask)));
            Assert.All(replies, reply => Assert.Equal(0, reply));
            Volatile.Write(ref round[0], r);
            await Task.WhenAll(woken);
            await Task.WhenAll(racers.Select(t => t.WakeUpAsync()));

            for (var i = 0; i < racers.Length; i++)
            {
                var (pid, seen, cpu, os, holds) = await probe.ExpectMsgAsync<(int, int, int?, int, bool)>();
                Assert.True(seen == r && cpu == os && holds && mask.Contains(os),
                    $"round {r}: pid {pid} saw round {seen} and runs on cpu {cpu} (OS thread of cpu {os}, its queue holds it: {holds}), mask [{string.Join(",", mask)}]");
            }
        }

        _output.WriteLine($"{Rounds} rounds in {clock.Elapsed.TotalSeconds:F1} s");
        foreach (var thread in racers)
        {
            Assert.Equal(0, await thread.StopAsync());
        }
    }
}
