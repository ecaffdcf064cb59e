using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Wait;

/// <summary>
/// The kernel's users of the open-coded wait and of wait_event from process context, ported from
/// fs/jbd2/journal.c: kjournald2 sleeps with prepare_to_wait / schedule / finish_wait on j_wait_commit;
/// jbd2_log_wait_commit, in plain code, waits on j_wait_done_commit until the commit is done.
/// </summary>
/// <remarks>
/// Cut to what the waits see: no commit timer, freezer, running transaction or abort. Each commit
/// moves j_commit_sequence on by one tid, as transactions commit in order.
/// </remarks>
public sealed class Jbd2Spec(ITestOutputHelper output) : SpecBase(output)
{
    private const int Jbd2Unmount = 0x001; // JBD2_UNMOUNT

    [Fact]
    public async Task Kjournald2_sleeps_in_prepare_to_wait_between_requests_and_commits_each_requested_tid_in_order()
    {
        var commits = CreateTestProbe();
        var journal = new Journal(commits.Ref);
        var thread = await Jbd2JournalStartThreadAsync(journal);
        await AwaitStateAsync(thread, KthreadState.Sleeping);
        Assert.Equal(1, journal.WaitCommit.Count); // asleep on j_wait_commit

        for (var tid = 1; tid <= 3; tid++)
        {
            Assert.True(Jbd2LogStartCommit(journal, tid));
            await commits.ExpectMsgAsync(tid);
            await AwaitStateAsync(thread, KthreadState.Sleeping);
        }

        Assert.False(Jbd2LogStartCommit(journal, 3)); // already requested
        Assert.True(Jbd2LogStartCommit(journal, 6));  // the commits up to it go out in order
        await commits.ExpectMsgAsync(4);
        await commits.ExpectMsgAsync(5);
        await commits.ExpectMsgAsync(6);
        await commits.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));

        await JournalKillThreadAsync(journal);
        await AwaitStateAsync(thread, KthreadState.Zombie);
        Assert.Equal(0, await thread.StopAsync());
        Assert.Equal(0, journal.WaitCommit.Count);
        Assert.Equal(0, journal.WaitDoneCommit.Count);
    }

    [Fact]
    public async Task Jbd2_log_wait_commit_in_plain_code_returns_once_kjournald2_has_committed_its_tid()
    {
        var commits = CreateTestProbe();
        var journal = new Journal(commits.Ref);
        var thread = await Jbd2JournalStartThreadAsync(journal);

        // Four callers wait for tids nobody has asked to commit yet.
        var waits = Enumerable.Range(1, 4).Select(tid => Jbd2LogWaitCommitAsync(journal, tid)).ToArray();
        await AwaitAssertAsync(() => Assert.Equal(4, journal.WaitDoneCommit.Count));
        Assert.All(waits, wait => Assert.False(wait.IsCompleted));

        Assert.True(Jbd2LogStartCommit(journal, 2));
        Assert.Equal(new[] { 0, 0 }, await Task.WhenAll(waits[0], waits[1]).WaitAsync(TimeSpan.FromSeconds(10)));
        await AwaitAssertAsync(() => Assert.Equal(2, journal.WaitDoneCommit.Count));
        Assert.False(waits[2].IsCompleted);
        Assert.False(waits[3].IsCompleted);

        Assert.True(Jbd2LogStartCommit(journal, 4));
        Assert.Equal(new[] { 0, 0 }, await Task.WhenAll(waits[2], waits[3]).WaitAsync(TimeSpan.FromSeconds(10)));

        // jbd2_complete_transaction's shape, many times over: start the commit, then wait for it.
        for (var tid = 5; tid <= 500; tid++)
        {
            Jbd2LogStartCommit(journal, tid);
            Assert.Equal(0, await Jbd2LogWaitCommitAsync(journal, tid).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.False(TidGt(tid, journal.CommitSequence));
        }

        await JournalKillThreadAsync(journal);
        Assert.Equal(0, await thread.StopAsync());
        Assert.Equal(0, journal.WaitDoneCommit.Count);
    }

    // kernel: jbd2_journal_start_thread()
    private async Task<Kthread> Jbd2JournalStartThreadAsync(Journal journal)
    {
        var t = await Kthreads.RunAsync(Kjournald2, journal, "jbd2/sda1-8");            // t = kthread_run(kjournald2, journal, "jbd2/%s", journal->j_devname);
        await journal.WaitDoneCommit.WaitEventAsync(() => journal.Task is not null);  // wait_event(journal->j_wait_done_commit, journal->j_task != NULL);
        return t;
    }

    // readme:begin kjournald2
    // kernel: kjournald2()
    private static async Task<int> Kjournald2(KthreadContext current)
    {
        var journal = (Journal)current.Data!;                      // journal_t *journal = arg;
        journal.Task = current;                                    // journal->j_task = current;
        journal.WaitDoneCommit.WakeUp();                           // wake_up(&journal->j_wait_done_commit);

        while (true)                                               // loop:
        {
            bool commit;
            lock (journal.StateLock)                               // write_lock(&journal->j_state_lock);
            {
                if ((journal.Flags & Jbd2Unmount) != 0)            // if (journal->j_flags & JBD2_UNMOUNT)
                {
                    break;                                         //         goto end_loop;
                }

                commit = journal.CommitSequence != journal.CommitRequest; // if (journal->j_commit_sequence != journal->j_commit_request) {
            }                                                      //         write_unlock(&journal->j_state_lock);

            if (commit)
            {
                await Jbd2JournalCommitTransactionAsync(current, journal); //         jbd2_journal_commit_transaction(journal);
                continue;                                          //         write_lock(&journal->j_state_lock); goto loop; }
            }

            journal.WaitDoneCommit.WakeUp();                       // wake_up(&journal->j_wait_done_commit);
            bool shouldSleep;
            lock (journal.StateLock)
            {
                current.PrepareToWait(journal.WaitCommit);         // prepare_to_wait(&journal->j_wait_commit, &wait, TASK_INTERRUPTIBLE);
                shouldSleep = true;                                // if (transaction == NULL || ...) should_sleep = 1;
                if (journal.CommitSequence != journal.CommitRequest) // if (journal->j_commit_sequence != journal->j_commit_request)
                {
                    shouldSleep = false;                           //         should_sleep = 0;
                }

                if ((journal.Flags & Jbd2Unmount) != 0)            // if (journal->j_flags & JBD2_UNMOUNT)
                {
                    shouldSleep = false;                           //         should_sleep = 0;
                }
            }                                                      // if (should_sleep) { write_unlock(&journal->j_state_lock);

            if (shouldSleep)
            {
                await current.ScheduleAsync();                     //         schedule();
            }                                                      //         write_lock(&journal->j_state_lock); }

            current.FinishWait(journal.WaitCommit);                // finish_wait(&journal->j_wait_commit, &wait);
        }                                                          // goto loop;

        journal.Task = null;                                       // end_loop: journal->j_task = NULL;
        journal.WaitDoneCommit.WakeUp();                           // wake_up(&journal->j_wait_done_commit);
        return 0;
    }
    // readme:end kjournald2

    // kernel: jbd2_journal_commit_transaction(), cut to what waiters see: the next tid is written
    // out, j_commit_sequence moves to it, and j_wait_done_commit is woken.
    private static async Task Jbd2JournalCommitTransactionAsync(KthreadContext current, Journal journal)
    {
        var tid = journal.CommitSequence + 1;                      // commit_transaction = journal->j_running_transaction;
        await current.YieldAsync();                                // (the blocks go out: a point where the CPU may be taken)
        lock (journal.StateLock)                                   // write_lock(&journal->j_state_lock);
        {
            journal.CommitSequence = tid;                          // journal->j_commit_sequence = commit_transaction->t_tid;
            journal.Committed.Tell(tid, ActorRefs.NoSender);
            journal.WaitDoneCommit.WakeUp();                       // wake_up(&journal->j_wait_done_commit);
        }                                                          // write_unlock(&journal->j_state_lock);
    }

    // kernel: __jbd2_log_start_commit() — ask kjournald2 to commit up to target; never commit here.
    private static bool Jbd2LogStartCommit(Journal journal, int target)
    {
        lock (journal.StateLock)                                   // write_lock(&journal->j_state_lock);
        {
            if (!TidGt(target, journal.CommitRequest))             // if (journal->j_commit_request == target) (or older)
            {
                return false;                                      //         return 0;
            }

            journal.CommitRequest = target;                        // journal->j_commit_request = target;
            journal.WaitCommit.WakeUp();                           // wake_up(&journal->j_wait_commit);
            return true;                                           // return 1;
        }
    }

    // kernel: jbd2_log_wait_commit() — process context (a syscall), not a kthread: the plain WaitEventAsync.
    private static async Task<int> Jbd2LogWaitCommitAsync(Journal journal, int tid)
    {
        while (true)
        {
            lock (journal.StateLock)                               // read_lock(&journal->j_state_lock);
            {
                if (!TidGt(tid, journal.CommitSequence))           // while (tid_gt(tid, journal->j_commit_sequence)) {
                {
                    break;
                }
            }                                                      //         read_unlock(&journal->j_state_lock);

            journal.WaitCommit.WakeUp();                           //         wake_up(&journal->j_wait_commit);
            await journal.WaitDoneCommit.WaitEventAsync(           //         wait_event(journal->j_wait_done_commit,
                () => !TidGt(tid, journal.CommitSequence));        //                    !tid_gt(tid, journal->j_commit_sequence));
        }                                                          //         read_lock(&journal->j_state_lock); }

        return 0;                                                  // read_unlock(&journal->j_state_lock); return err;
    }

    // kernel: journal_kill_thread()
    private static async Task JournalKillThreadAsync(Journal journal)
    {
        lock (journal.StateLock)                                   // write_lock(&journal->j_state_lock);
        {
            journal.Flags |= Jbd2Unmount;                          // journal->j_flags |= JBD2_UNMOUNT;
        }

        while (journal.Task is not null)                           // while (journal->j_task) { write_unlock(&journal->j_state_lock);
        {
            journal.WaitCommit.WakeUp();                           //         wake_up(&journal->j_wait_commit);
            await journal.WaitDoneCommit.WaitEventAsync(() => journal.Task is null); // wait_event(journal->j_wait_done_commit, journal->j_task == NULL);
        }                                                          //         write_lock(&journal->j_state_lock); }
    }

    // kernel: tid_gt() — tids wrap, so compare by difference.
    private static bool TidGt(int x, int y) => unchecked(x - y) > 0;

    /// <summary>journal_t, the fields the waits use.</summary>
    private sealed class Journal(IActorRef committed)
    {
        private int _commitSequence;
        private KthreadContext? _task;

        public object StateLock { get; } = new();                  // j_state_lock

        public WaitQueue WaitCommit { get; } = new();              // j_wait_commit: kjournald2 sleeps here

        public WaitQueue WaitDoneCommit { get; } = new();          // j_wait_done_commit: waiters for a commit sleep here

        public int CommitRequest { get; set; }                     // j_commit_request, under StateLock

        public int Flags { get; set; }                             // j_flags, under StateLock

        public IActorRef Committed { get; } = committed;           // the test's view of each commit

        // j_commit_sequence: written under StateLock, read by wait_event conditions without it.
        public int CommitSequence
        {
            get => Volatile.Read(ref _commitSequence);
            set => Volatile.Write(ref _commitSequence, value);
        }

        // j_task: read by wait_event conditions without the lock.
        public KthreadContext? Task
        {
            get => Volatile.Read(ref _task);
            set => Volatile.Write(ref _task, value);
        }
    }
}
