using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Akka.Kthreads.Tests.Timers;

/// <summary>
/// jbd2's commit timer (fs/jbd2/journal.c, fs/jbd2/transaction.c), ported in its kernel shape: the names are
/// the kernel's, the kernel lines stand beside the port where they differ. A transaction start arms
/// j_commit_timer; commit_timeout wakes kjournald2; kjournald2 sees the transaction expired, requests its
/// commit, del_timer_sync()s the timer and commits.
/// </summary>
public sealed class Kjournald2Spec(ITestOutputHelper output) : SpecBase(output)
{
    private const int JBD2_UNMOUNT = 0x001; // include/linux/jbd2.h

    private readonly long _boot = Stopwatch.GetTimestamp();

    private TimeSpan jiffies => Stopwatch.GetElapsedTime(_boot);

    [Fact]
    public async Task Kjournald2_commits_each_transaction_when_its_commit_timer_wakes_it_and_unmount_disarms_the_timer()
    {
        var journal = new journal_t
        {
            j_devname = "sda1-8",
            j_commit_interval = TimeSpan.FromMilliseconds(200),
            j_wait_done_commit = CreateTestProbe(),
            j_commits = CreateTestProbe(),
        };
        var task = await jbd2_journal_start_thread(journal);
        await AwaitStateAsync(task, KthreadState.Sleeping); // no transaction: asleep until woken

        for (var tid = 0; tid < 3; tid++)
        {
            var transaction = start_this_handle(journal);
            Assert.Equal(tid, transaction.t_tid);
            Assert.True(journal.j_commit_timer!.IsPending);

            // Committed by kjournald2 once woken by the timer, not before the transaction expired.
            var commit = await journal.j_commits.ExpectMsgAsync<Committed>();
            Assert.Equal(tid, commit.Tid);
            Assert.True(commit.Expired, $"transaction {tid} committed before it expired");
            Assert.False(commit.TimerPending);
            await AwaitStateAsync(task, KthreadState.Sleeping);
        }

        // A transaction still running at unmount: end_loop's del_timer_sync disarms its timer (returns 1), it never commits.
        start_this_handle(journal);
        jbd2_journal_kill_thread(journal);
        Assert.Equal(1, await journal.j_wait_done_commit.ExpectMsgAsync<int>());
        await AwaitStateAsync(task, KthreadState.Zombie);
        Assert.Equal(0, await task.StopAsync());
        Assert.False(journal.j_commit_timer!.IsPending);
        await journal.j_commits.ExpectNoMsgAsync(journal.j_commit_interval * 2);
        journal.j_commit_timer.Dispose();
    }

    // static void commit_timeout(struct timer_list *t)
    private static void commit_timeout(journal_t journal) // journal_t *journal = from_timer(journal, t, j_commit_timer);
    {
        journal.j_task!.WakeUpProcess();                   // wake_up_process(journal->j_task);
    }

    // static int kjournald2(void *arg)
    private async Task<int> kjournald2(KthreadContext current)
    {
        var journal = (journal_t)current.Data!;            // journal_t *journal = arg;
        transaction_t? transaction;

        // Set up an interval timer which can be used to trigger a commit wakeup after the commit interval expires.
        journal.j_commit_timer = Kthreads.TimerSetup(_ => commit_timeout(journal)); // timer_setup(&journal->j_commit_timer, commit_timeout, 0);

        // Record that the journal thread is running: journal->j_task = current; (the handle is kthread_run's result, set by the starter)
        journal.j_wait_done_commit.Ref.Tell("kjournald2 running"); // wake_up(&journal->j_wait_done_commit);

        // And now, wait forever for commit wakeup events.
        write_lock(journal.j_state_lock);

    loop:
        if ((journal.j_flags & JBD2_UNMOUNT) != 0 || current.ShouldStop) // not the kernel's: a failed spec's stop must not spin here
        {
            goto end_loop;
        }

        if (journal.j_commit_sequence != journal.j_commit_request)
        {
            write_unlock(journal.j_state_lock);
            await journal.j_commit_timer.DelTimerSyncAsync(); // del_timer_sync(&journal->j_commit_timer);
            jbd2_journal_commit_transaction(journal);
            write_lock(journal.j_state_lock);
            goto loop;
        }

        {
            var should_sleep = true;
            current.PrepareToSleep(); // prepare_to_wait(&journal->j_wait_commit, &wait, TASK_INTERRUPTIBLE);
            if (journal.j_commit_sequence != journal.j_commit_request)
            {
                should_sleep = false;
            }

            transaction = journal.j_running_transaction;
            if (transaction is not null && time_after_eq(jiffies, transaction.t_expires))
            {
                should_sleep = false;
            }

            if ((journal.j_flags & JBD2_UNMOUNT) != 0)
            {
                should_sleep = false;
            }

            if (should_sleep)
            {
                write_unlock(journal.j_state_lock);
                await current.ScheduleAsync(); // schedule();
                write_lock(journal.j_state_lock);
            }

            current.SetRunning(); // finish_wait(&journal->j_wait_commit, &wait);
        }

        // Were we woken up by a commit wakeup event?
        transaction = journal.j_running_transaction;
        if (transaction is not null && time_after_eq(jiffies, transaction.t_expires))
        {
            journal.j_commit_request = transaction.t_tid; // "woke because of timeout"
        }

        goto loop;

    end_loop:
        var pending = await journal.j_commit_timer.DelTimerSyncAsync(); // del_timer_sync(&journal->j_commit_timer);
        journal.j_task = null;
        journal.j_wait_done_commit.Ref.Tell(pending); // wake_up(&journal->j_wait_done_commit);
        write_unlock(journal.j_state_lock);
        return 0;
    }

    // static int jbd2_journal_start_thread(journal_t *journal)
    private async Task<Kthread> jbd2_journal_start_thread(journal_t journal)
    {
        var t = await Kthreads.RunAsync(kjournald2, journal, $"jbd2/{journal.j_devname}"); // t = kthread_run(kjournald2, journal, "jbd2/%s", journal->j_devname);
        journal.j_task = t;
        await journal.j_wait_done_commit.ExpectMsgAsync("kjournald2 running"); // wait_event(journal->j_wait_done_commit, journal->j_task != NULL);
        return t;
    }

    // static void jbd2_journal_kill_thread(journal_t *journal), without its wait (the spec awaits the reply)
    private static void jbd2_journal_kill_thread(journal_t journal)
    {
        write_lock(journal.j_state_lock);
        journal.j_flags |= JBD2_UNMOUNT;
        write_unlock(journal.j_state_lock);
        journal.j_task!.WakeUpProcess(); // wake_up(&journal->j_wait_commit);
    }

    // start_this_handle(): no running transaction, so jbd2_get_transaction() makes one, under j_state_lock.
    private transaction_t start_this_handle(journal_t journal)
    {
        write_lock(journal.j_state_lock);
        try
        {
            Assert.Null(journal.j_running_transaction); // J_ASSERT(journal->j_running_transaction == NULL);
            return jbd2_get_transaction(journal);
        }
        finally
        {
            write_unlock(journal.j_state_lock);
        }
    }

    // static void jbd2_get_transaction(journal_t *journal, transaction_t *transaction)
    private transaction_t jbd2_get_transaction(journal_t journal)
    {
        var transaction = new transaction_t
        {
            t_tid = journal.j_transaction_sequence++,                // transaction->t_tid = journal->j_transaction_sequence++;
            t_expires = jiffies + journal.j_commit_interval,         // transaction->t_expires = jiffies + journal->j_commit_interval;
        };

        // Set up the commit timer for the new transaction.
        // journal->j_commit_timer.expires = round_jiffies_up(transaction->t_expires);
        // add_timer(&journal->j_commit_timer);
        journal.j_commit_timer!.AddTimer(Max(transaction.t_expires - jiffies, TimeSpan.Zero));

        journal.j_running_transaction = transaction;            // journal->j_running_transaction = transaction;
        return transaction;
    }

    // void jbd2_journal_commit_transaction(journal_t *journal), reduced to what the commit timer sees.
    private void jbd2_journal_commit_transaction(journal_t journal)
    {
        write_lock(journal.j_state_lock);
        var commit_transaction = journal.j_running_transaction!; // commit_transaction = journal->j_running_transaction;
        journal.j_running_transaction = null;                    // journal->j_running_transaction = NULL;
        var expired = time_after_eq(jiffies, commit_transaction.t_expires);
        journal.j_commit_sequence = commit_transaction.t_tid;    // journal->j_commit_sequence = commit_transaction->t_tid;
        write_unlock(journal.j_state_lock);
        journal.j_commits.Ref.Tell(new Committed(commit_transaction.t_tid, expired, journal.j_commit_timer!.IsPending));
    }

    private static bool time_after_eq(TimeSpan a, TimeSpan b) => a >= b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // rwlock_t: held only between checkpoints or, as at end_loop, across a wait that never needs it.
    private static void write_lock(SemaphoreSlim @lock) => @lock.Wait();

    private static void write_unlock(SemaphoreSlim @lock) => @lock.Release();

    private sealed record Committed(int Tid, bool Expired, bool TimerPending);

    // journal_t, the fields the commit timer touches
    private sealed class journal_t
    {
        public int j_flags;
        public string j_devname = string.Empty;
        public Kthread? j_task;
        public KernelTimer? j_commit_timer;
        public TimeSpan j_commit_interval;
        public int j_transaction_sequence;
        public int j_commit_sequence = -1;
        public int j_commit_request = -1;
        public transaction_t? j_running_transaction;
        public SemaphoreSlim j_state_lock = new(1, 1);
        public TestProbe j_wait_done_commit = null!;
        public TestProbe j_commits = null!; // not the kernel's: what the spec sees of each commit
    }

    private sealed class transaction_t
    {
        public int t_tid;
        public TimeSpan t_expires;
    }
}
