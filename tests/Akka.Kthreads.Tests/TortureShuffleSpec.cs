using System.Collections.Concurrent;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests;

/// <summary>
/// kernel/torture.c's shuffler on SetCpusAllowedAsync: every shuffle_interval it lets one CPU go idle by
/// taking it out of every torture task's mask, CPU after CPU, and then none.
/// </summary>
public sealed class TortureShuffleSpec(ITestOutputHelper output) : SpecBase(output)
{
    [Fact]
    public async Task The_shuffler_idles_each_cpu_in_turn_and_no_torture_task_runs_on_the_idle_one()
    {
        var torture = new TortureShuffle(Kthreads.Cpus, shuffleInterval: TimeSpan.FromMilliseconds(5));
        var tasks = new List<Kthread>();
        for (var i = 0; i < 3; i++)
        {
            var tp = await Kthreads.RunAsync(torture.TortureReader, null, $"torture_reader/{i}");
            torture.TortureShuffleTaskRegister(tp);
            tasks.Add(tp);
        }

        var shuffler = await Kthreads.RunAsync(torture.TortureShuffleFn, null, "torture_shuffle");

        // Two full turns of shuffle_idle_cpu (0, 1, 2, 3, -1), with the readers seen running in each.
        await AwaitAssertAsync(() =>
        {
            foreach (var idle in new[] { 0, 1, 2, 3, -1 })
            {
                Assert.True(torture.CleanRunsWithIdle(idle) > 0, $"no reader seen while cpu {idle} was idle");
            }

            Assert.True(torture.Shuffles >= 10, $"{torture.Shuffles} shuffles");
        }, TimeSpan.FromSeconds(15));

        Assert.Equal(0, await shuffler.StopAsync());
        foreach (var tp in tasks)
        {
            Assert.Equal(0, await tp.StopAsync());
        }

        Assert.Empty(torture.Violations);
        Assert.All(torture.Replies, reply => Assert.Equal(0, reply));
    }

    /// <summary>torture.c's shuffle variables and functions, line for line; the spec's own bookkeeping is marked "spec:".</summary>
    private sealed class TortureShuffle(Akka.Kthreads.Cpus cpus, TimeSpan shuffleInterval)
    {
        private readonly TimeSpan _shuffleInterval = shuffleInterval;                  // static long shuffle_interval;
        private readonly HashSet<int> _shuffleTmpMask = [];                               // static cpumask_var_t shuffle_tmp_mask;
        private int _shuffleIdleCpu = -1;                                                 // static int shuffle_idle_cpu;
        private readonly List<Kthread> _shuffleTaskList = [];                             // static struct list_head shuffle_task_list;
        private readonly SemaphoreSlim _shuffleTaskMutex = new(1, 1);                     // static DEFINE_MUTEX(shuffle_task_mutex);

        // spec: a seqcount, odd while the masks change, and shuffle_idle_cpu for each even count.
        private int _seq;
        private readonly ConcurrentDictionary<int, int> _idleAt = new() { [0] = -1 };
        private readonly ConcurrentDictionary<int, int> _cleanRuns = new();

        public int Shuffles => Volatile.Read(ref _seq) / 2;

        public ConcurrentQueue<string> Violations { get; } = new();

        public ConcurrentQueue<int> Replies { get; } = new();

        public int CleanRunsWithIdle(int cpu) => _cleanRuns.GetValueOrDefault(cpu);

        // void torture_shuffle_task_register(struct task_struct *tp)
        public void TortureShuffleTaskRegister(Kthread tp)
        {
            ArgumentNullException.ThrowIfNull(tp);                                        // if (WARN_ON_ONCE(tp == NULL)) return;
            _shuffleTaskMutex.Wait();                                                     // mutex_lock(&shuffle_task_mutex);
            _shuffleTaskList.Insert(0, tp);                                               // list_add(&stp->st_l, &shuffle_task_list);
            _shuffleTaskMutex.Release();                                                  // mutex_unlock(&shuffle_task_mutex);
        }

        // static void torture_shuffle_tasks(void)
        private async Task TortureShuffleTasksAsync()
        {
            _shuffleTmpMask.Clear();                                                      // cpumask_setall(shuffle_tmp_mask);
            _shuffleTmpMask.UnionWith(cpus.Possible);
            // get_online_cpus(); — no cpus_read_lock to hold here: this spec takes no CPU down.

            // No point in shuffling if there is only one online CPU (ex: UP)
            if (cpus.Online.Count == 1)                                                   // if (num_online_cpus() == 1) {
            {
                return;                                                                   //     put_online_cpus(); return; }
            }

            // Advance to the next CPU.  Upon overflow, don't idle any CPUs.
            _shuffleIdleCpu = CpumaskNext(_shuffleIdleCpu, _shuffleTmpMask);             // shuffle_idle_cpu = cpumask_next(shuffle_idle_cpu, shuffle_tmp_mask);
            if (_shuffleIdleCpu >= NrCpuIds)                                              // if (shuffle_idle_cpu >= nr_cpu_ids)
            {
                _shuffleIdleCpu = -1;                                                     //     shuffle_idle_cpu = -1;
            }
            else
            {
                _shuffleTmpMask.Remove(_shuffleIdleCpu);                                  //     cpumask_clear_cpu(shuffle_idle_cpu, shuffle_tmp_mask);
            }

            await _shuffleTaskMutex.WaitAsync();                                          // mutex_lock(&shuffle_task_mutex);
            Interlocked.Increment(ref _seq);                                              // spec: write_seqcount_begin
            foreach (var stp in _shuffleTaskList)                                         // list_for_each_entry(stp, &shuffle_task_list, st_l)
            {
                Replies.Enqueue(await stp.SetCpusAllowedAsync(_shuffleTmpMask.ToArray())); //     set_cpus_allowed_ptr(stp->st_t, shuffle_tmp_mask);
            }

            _idleAt[Volatile.Read(ref _seq) + 1] = _shuffleIdleCpu;                       // spec: write_seqcount_end
            Interlocked.Increment(ref _seq);
            _shuffleTaskMutex.Release();                                                  // mutex_unlock(&shuffle_task_mutex);

            // put_online_cpus();
        }

        // static int torture_shuffle(void *arg)
        public async Task<int> TortureShuffleFn(KthreadContext current)
        {
            // VERBOSE_TOROUT_STRING("torture_shuffle task started");
            do
            {
                await current.ScheduleTimeoutAsync(_shuffleInterval);                     //     schedule_timeout_interruptible(shuffle_interval);
                await TortureShuffleTasksAsync();                                         //     torture_shuffle_tasks();
                // torture_shutdown_absorb("torture_shuffle"); — no shutdown kthread here
            }
            while (!TortureMustStop(current));                                            // } while (!torture_must_stop());

            // torture_kthread_stopping("torture_shuffle");
            return 0;
        }

        // A torture task in rcu_torture_reader()'s shape: run, cond_resched(), now and then sleep a tick.
        public async Task<int> TortureReader(KthreadContext current)
        {
            var loops = 0;
            do
            {
                var seq = Volatile.Read(ref _seq);                                        // spec: read_seqcount_begin
                if (++loops % 64 == 0)
                {
                    await current.ScheduleTimeoutAsync(TimeSpan.FromMilliseconds(1));     // schedule_timeout_interruptible(1);
                }
                else
                {
                    await current.YieldAsync();                                           // cond_resched();
                }

                var cpu = current.Cpu!.Value;                                             // smp_processor_id()
                if (seq % 2 == 0 && seq == Volatile.Read(ref _seq))                       // spec: !read_seqcount_retry
                {
                    var idle = _idleAt[seq];
                    _cleanRuns.AddOrUpdate(idle, 1, static (_, n) => n + 1);
                    if (cpu == idle)
                    {
                        Violations.Enqueue($"{current.Comm} on cpu {cpu} while it was idle (shuffle {seq / 2})");
                    }
                }
            }
            while (!TortureMustStop(current));

            return 0;
        }

        // bool torture_must_stop(void): torture_must_stop_irq() || kthread_should_stop(); no fullstop here.
        private static bool TortureMustStop(KthreadContext current) => current.ShouldStop;

        private int NrCpuIds => cpus.Possible.Count;                                      // nr_cpu_ids

        // cpumask_next(n, srcp): the next CPU after n in the mask, or nr_cpu_ids.
        private int CpumaskNext(int n, HashSet<int> srcp)
        {
            for (var cpu = n + 1; cpu < NrCpuIds; cpu++)
            {
                if (srcp.Contains(cpu))
                {
                    return cpu;
                }
            }

            return NrCpuIds;
        }
    }
}
