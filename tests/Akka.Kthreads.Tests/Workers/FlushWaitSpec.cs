using Akka.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Workers;

/// <summary>
/// How a flush's caller waits: the marker's own task, ended by the worker's thread, by kthreads.worker.flush-timeout or
/// by the caller's token, whichever comes first.
/// </summary>
public sealed class FlushWaitSpec(ITestOutputHelper output) : SpecBase(output, ConfigurationFactory.ParseString("kthreads.worker.flush-timeout = 300ms"))
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_flush_behind_a_work_that_does_not_end_throws_TimeoutException_naming_the_setting_and_later_flushes_end()
    {
        var (worker, gate) = await BlockedWorkerAsync("kworker/slow");

        // Bounded: a flush whose own timeout never fired would end here with another message.
        var e = await Assert.ThrowsAsync<TimeoutException>(() => worker.FlushAsync().WaitAsync(Bound));
        Assert.Equal("kthread_worker kworker/slow: flush not done within 00:00:00.3000000 (kthreads.worker.flush-timeout)", e.Message);
        var work = await Assert.ThrowsAsync<TimeoutException>(() => worker.FlushWorkAsync(gate.Work).WaitAsync(Bound));
        Assert.Contains("flush of a work", work.Message);

        gate.Open();
        await worker.FlushAsync();
        await worker.DestroyAsync();
    }

    [Fact]
    public async Task A_flush_cancelled_by_its_token_ends_cancelled_at_once_and_the_worker_goes_on()
    {
        var (worker, gate) = await BlockedWorkerAsync("kworker/cancel");
        using var cts = new CancellationTokenSource();

        var flush = worker.FlushAsync(cts.Token);
        var behind = worker.FlushAsync();
        cts.Cancel();
        var canceled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush.WaitAsync(Bound));
        Assert.Equal(cts.Token, canceled.CancellationToken);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker.FlushAsync(cts.Token));
        Assert.False(behind.IsCompleted);

        gate.Open();
        await behind;
        await worker.DestroyAsync();
    }

    // A worker running a work that waits for the gate: every flush queued now waits for it.
    private async Task<(KthreadWorker Worker, Gate Gate)> BlockedWorkerAsync(string name)
    {
        var worker = await Kthreads.CreateWorkerAsync(name);
        var gate = new Gate();
        Assert.True(worker.QueueWork(gate.Work));
        await gate.Entered.WaitAsync(Bound);
        return (worker, gate);
    }

    private sealed class Gate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Gate() => Work = new KthreadWork(async _ =>
        {
            _entered.TrySetResult();
            await _open.Task;
        });

        public KthreadWork Work { get; }

        public Task Entered => _entered.Task;

        public void Open() => _open.TrySetResult();
    }
}
