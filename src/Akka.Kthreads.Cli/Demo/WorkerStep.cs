using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Kthreads.Cli.Output;
using static Akka.Kthreads.Cli.Demo.DemoStep;

namespace Akka.Kthreads.Cli.Demo;

/// <summary>
/// The demo's kthread_worker step: a worker bound to CPU 0, three works and two delayed works
/// queued on it, a flush, what ran in which order, then kthread_destroy_worker().
/// </summary>
internal static class WorkerStep
{
    /// <summary>
    /// The worker's name: kthread_create_worker_on_cpu()'s own kernel-doc example ("helper/%d"),
    /// so it is not taken for a workqueue's kworker/N (the name the per-CPU threads of step b use).
    /// </summary>
    public const string NameFormat = "helper/{0}";

    /// <summary>The CPU the worker is bound to (every node has CPU 0).</summary>
    public const int Cpu = 0;

    private static readonly string[] Works = ["work 1", "work 2", "work 3"];

    private static readonly (string Name, TimeSpan Delay)[] DelayedWorks =
    [
        ("delayed A", TimeSpan.FromMilliseconds(100)),
        ("delayed B", TimeSpan.FromMilliseconds(150)),
    ];

    // Far above the delays: only a stuck timer or worker gets here.
    private static readonly TimeSpan DelayedDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Runs step e, printing as it goes; a result the protocol does not promise throws <see cref="DemoFailedException"/>.</summary>
    public static async Task RunAsync(IKpsOutput output, Kthreads kthreads, CancellationToken ct)
    {
        var worker = await kthreads.CreateWorkerAsync(NameFormat, Cpu, ct).ConfigureAwait(false);
        var thread = worker.Thread;
        output.Heading($"e. CreateWorkerAsync(\"{NameFormat}\", cpu: {Cpu}) made {Name(thread)}: a kthread_worker bound to CPU {Cpu}.");
        output.Line("(\"helper/%d\" is kthread_create_worker_on_cpu()'s kernel-doc example; kworker/N names are the workqueue's.)");

        var ran = new ConcurrentQueue<Ran>();
        var queued = Works.Select(name => worker.QueueWork(new KthreadWork(_ => Record(ran, new Ran(name, null))))).ToList();
        output.Line($"{string.Join(", ", Works.Select(w => $"QueueWork({w})"))}: {Bools(queued)}");
        Expect(queued.All(q => q), "QueueWork of a new work should return true");

        var (armed, fired) = QueueDelayed(worker, ran);
        output.Line($"{string.Join(", ", DelayedWorks.Select(d => $"QueueDelayedWork({d.Name}, {d.Delay.TotalMilliseconds:0} ms)"))}: {Bools(armed)}");
        Expect(armed.All(a => a), "QueueDelayedWork of a new delayed work should return true");
        output.Heading(string.Empty);

        var rows = await ShowAsync(output, kthreads,
            $"e. While it exists ps lists {thread.Comm} like any kthread, on CPU {Cpu}: S with nothing to do, R while a work runs.",
            ct).ConfigureAwait(false);
        Expect(StatOf(rows, thread) is 'R' or 'S', $"the worker {Name(thread)} should be running or sleeping");
        Expect(rows.Any(r => r.Pid == thread.Pid && r.Cpu == $"{Cpu}"), $"the worker {Name(thread)} should be on CPU {Cpu}");

        // FlushAsync waits only for delayed works whose timer has fired (kthread_flush_worker()
        // too): wait for both timers first, then flush.
        await WaitForTimersAsync(fired, ct).ConfigureAwait(false);
        await worker.FlushAsync(ct).ConfigureAwait(false);
        ShowRan(output, ran.ToList());

        await worker.DestroyAsync(ct).ConfigureAwait(false);
        var afterDestroy = worker.QueueWork(new KthreadWork(_ => Task.CompletedTask));
        rows = await ShowAsync(output, kthreads,
            $"e. DestroyAsync flushed {Name(thread)} and stopped it; QueueWork now returns {Bool(afterDestroy)} and ps no longer lists it.",
            ct).ConfigureAwait(false);
        Expect(!afterDestroy, "QueueWork on a destroyed worker should return false");
        Expect(StatOf(rows, thread) is null, $"the worker {Name(thread)} is still listed after DestroyAsync");
    }

    private static (List<bool> Armed, List<Task> Fired) QueueDelayed(KthreadWorker worker, ConcurrentQueue<Ran> ran)
    {
        var clock = Stopwatch.StartNew();
        var armed = new List<bool>();
        var fired = new List<Task>();
        foreach (var (name, delay) in DelayedWorks)
        {
            // Asynchronous continuations: the demo must not go on inline on the worker's thread.
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var work = new KthreadDelayedWork(_ =>
            {
                ran.Enqueue(new Ran(name, clock.Elapsed));
                done.SetResult();
                return Task.CompletedTask;
            });
            fired.Add(done.Task);
            armed.Add(worker.QueueDelayedWork(work, delay));
        }

        return (armed, fired);
    }

    private static async Task WaitForTimersAsync(List<Task> fired, CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(fired).WaitAsync(DelayedDeadline, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new DemoFailedException($"the delayed works did not run within {DelayedDeadline.TotalSeconds:0}s");
        }
    }

    private static void ShowRan(IKpsOutput output, List<Ran> ran)
    {
        output.Heading("e. Both timers fired, then FlushAsync waited for every work queued before it. They ran in this order:");
        for (var i = 0; i < ran.Count; i++)
        {
            output.Line($"{i + 1}. {ran[i]}");
        }

        output.Heading(string.Empty);

        // FIFO: the plain works were on the list before either timer was armed, so they run first.
        Expect(ran.Count == Works.Length + DelayedWorks.Length,
            $"{ran.Count} works ran, not {Works.Length + DelayedWorks.Length}");
        Expect(ran.Take(Works.Length).Select(r => r.Work).SequenceEqual(Works),
            $"the works ran as {string.Join(", ", ran.Select(r => r.Work))}, not in FIFO order");
        Expect(ran.Skip(Works.Length).Select(r => r.Work).Order().SequenceEqual(DelayedWorks.Select(d => d.Name).Order()),
            "each delayed work should run once, after the queued works");
    }

    private static Task Record(ConcurrentQueue<Ran> ran, Ran entry)
    {
        ran.Enqueue(entry);
        return Task.CompletedTask;
    }

    private static string Bools(IEnumerable<bool> values) => string.Join(", ", values.Select(Bool));

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A work that ran; for a delayed work, how long after QueueDelayedWork.</summary>
    private sealed record Ran(string Work, TimeSpan? After)
    {
        public override string ToString() =>
            After is { } after ? $"{Work}, {after.TotalMilliseconds:0} ms after QueueDelayedWork" : Work;
    }
}
