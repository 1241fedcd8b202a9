/* The recovery policy alone: what becomes of a worker's files when it
 * ends, as pure data. The statuses are built as wait() reports them. */
#include <signal.h>
#include <sys/wait.h>

#include "shardpix/recovery.h"
#include "shardpix/worker.h"

#define KILLED W_EXITCODE (0, SIGKILL)
#define EXITED(code) W_EXITCODE (code, 0)

/* A worker on grant [10, 15) of shard 3 that got as far as @next. */
static ShardpixEnding
ending_at (guint next, int status)
{
  return (ShardpixEnding){ .range = { 10, 5 }, .shard = 3, .next = next, .status = status };
}

/* Pushes @recovery's requeued work in front of a queue holding one shard
 * [40, 42) and returns what is popped, in order, as "start+count[r] ...". */
static char *
popped_after (const ShardpixRecovery *recovery)
{
  g_autoptr (GArray) shards = g_array_new (FALSE, FALSE, sizeof (ShardpixRange));
  g_autoptr (ShardpixWorkQueue) queue = NULL;
  GString *out = g_string_new (NULL);
  ShardpixRange later = { 40, 2 };

  g_array_append_val (shards, later);
  queue = shardpix_work_queue_new (shards);
  for (guint i = 0; i < recovery->n_requeue; i++)
    shardpix_work_queue_push_front (queue, &recovery->requeue[i]);
  while (!shardpix_work_queue_is_empty (queue))
    {
      ShardpixWork work = shardpix_work_queue_pop (queue);

      g_string_append_printf (out, "%s%u+%u%s", out->len > 0 ? " " : "", work.range.start,
                              work.range.count, work.retry ? "r" : "");
    }
  return g_string_free (out, FALSE);
}

static void
test_all_done (void)
{
  ShardpixEnding ending = ending_at (15, KILLED);
  ShardpixRecovery recovery;

  shardpix_recovery_decide (&ending, &recovery);
  g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_NONE);
  g_assert_cmpuint (recovery.n_undone, ==, 0);
  g_assert_cmpuint (recovery.n_requeue, ==, 0);
  g_assert_false (recovery.child_failed);
}

/* Died on file 12: 12 alone first (a retry), then 13-14, then the rest. */
static void
test_death_retries_alone (void)
{
  ShardpixEnding ending = ending_at (12, KILLED);
  ShardpixRecovery recovery;
  g_autofree char *popped = NULL;

  shardpix_recovery_decide (&ending, &recovery);
  g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_RETRY);
  g_assert_cmpuint (recovery.n_undone, ==, 3);
  g_assert_false (recovery.child_failed);
  popped = popped_after (&recovery);
  g_assert_cmpstr (popped, ==, "12+1r 13+2 40+2");
  for (guint i = 0; i < recovery.n_requeue; i++)
    g_assert_cmpuint (recovery.requeue[i].shard, ==, 3);
}

/* Any death that is not a start-up failure counts: a clean exit without
 * DONE too. On its last file there is no rest. */
static void
test_death_on_last_file (void)
{
  ShardpixEnding ending = ending_at (14, EXITED (0));
  ShardpixRecovery recovery;
  g_autofree char *popped = NULL;

  shardpix_recovery_decide (&ending, &recovery);
  g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_RETRY);
  g_assert_cmpuint (recovery.n_undone, ==, 1);
  popped = popped_after (&recovery);
  g_assert_cmpstr (popped, ==, "14+1r 40+2");
}

/* A grant sent ahead and not begun goes back whole, after what the worker
 * was on; it is not counted undone. */
static void
test_grant_ahead_requeued (void)
{
  ShardpixEnding ending = ending_at (11, KILLED);
  ShardpixEnding between = ending_at (15, KILLED);
  ShardpixRecovery recovery;
  g_autofree char *popped = NULL;
  g_autofree char *popped_between = NULL;

  ending.ahead = (ShardpixWork){ { 20, 4 }, 5, FALSE };
  shardpix_recovery_decide (&ending, &recovery);
  g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_RETRY);
  g_assert_cmpuint (recovery.n_undone, ==, 4);
  popped = popped_after (&recovery);
  g_assert_cmpstr (popped, ==, "11+1r 12+3 20+4 40+2");

  /* Dead between its grant and the one ahead: that one alone goes back. */
  between.ahead = ending.ahead;
  shardpix_recovery_decide (&between, &recovery);
  g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_REQUEUE);
  g_assert_cmpuint (recovery.n_undone, ==, 0);
  popped_between = popped_after (&recovery);
  g_assert_cmpstr (popped_between, ==, "20+4 40+2");
  g_assert_cmpuint (recovery.requeue[0].shard, ==, 5);
}

/* A retry that dies too: its one file is poison, nothing is requeued. */
static void
test_retry_death_is_poison (void)
{
  ShardpixEnding ending = { .range = { 7, 1 }, .shard = 0, .next = 7, .retry = TRUE,
                            .status = KILLED };
  ShardpixEnding survived = ending;
  ShardpixRecovery recovery;
  g_autofree char *reason = shardpix_recovery_poison_reason ("killed by SIGKILL");

  shardpix_recovery_decide (&ending, &recovery);
  g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_POISON);
  g_assert_cmpuint (recovery.poison, ==, 7);
  g_assert_cmpuint (recovery.n_undone, ==, 0);
  g_assert_cmpuint (recovery.n_requeue, ==, 0);
  g_assert_false (recovery.child_failed);
  g_assert_cmpstr (reason, ==, "poison file: its worker died on it twice (last: killed by SIGKILL)");

  survived.next = 8;
  shardpix_recovery_decide (&survived, &recovery);
  g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_NONE);
}

/* A worker that cannot work at all (usage, protocol, start-up) would fail
 * the same way for any file: its files stay undone, the run takes no more
 * work; a retry's too, rather than a poison verdict on an innocent file. */
static void
test_hopeless (void)
{
  const int codes[] = { SHARDPIX_WORKER_EXIT_USAGE, SHARDPIX_WORKER_EXIT_PROTOCOL,
                        SHARDPIX_WORKER_EXIT_INIT };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    for (guint retry = 0; retry < 2; retry++)
      {
        ShardpixEnding ending = ending_at (12, EXITED (codes[i]));
        ShardpixRecovery recovery;

        ending.retry = retry;
        ending.ahead = (ShardpixWork){ { 20, 4 }, 5, FALSE };
        g_assert_true (shardpix_recovery_is_hopeless (ending.status));
        shardpix_recovery_decide (&ending, &recovery);
        g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_UNDONE);
        g_assert_true (recovery.child_failed);
        g_assert_cmpuint (recovery.n_undone, ==, 3 + 4);
        g_assert_cmpuint (recovery.undone[0].start, ==, 12);
        g_assert_cmpuint (recovery.undone[0].count, ==, 3);
        g_assert_cmpuint (recovery.undone[1].start, ==, 20);
        g_assert_cmpuint (recovery.undone[1].count, ==, 4);
        g_assert_cmpuint (recovery.n_requeue, ==, 0);
      }
  g_assert_false (shardpix_recovery_is_hopeless (EXITED (0)));
  g_assert_false (shardpix_recovery_is_hopeless (EXITED (1)));
  g_assert_false (shardpix_recovery_is_hopeless (EXITED (3)));
  g_assert_false (shardpix_recovery_is_hopeless (KILLED));
  g_assert_false (shardpix_recovery_is_hopeless (W_EXITCODE (0, SIGSEGV)));
}

/* A stopping run retries nothing, and is no worker's fault; neither is a
 * worker that sent DONE and then died. */
static void
test_stopping_or_finished_leaves_undone (void)
{
  for (guint finished = 0; finished < 2; finished++)
    {
      ShardpixEnding ending = ending_at (finished ? 15 : 13, W_EXITCODE (0, SIGTERM));
      ShardpixRecovery recovery;

      ending.stopping = !finished;
      ending.finished = finished;
      ending.ahead = finished ? (ShardpixWork){ { 0 } } : (ShardpixWork){ { 20, 1 }, 5, FALSE };
      shardpix_recovery_decide (&ending, &recovery);
      if (finished)
        {
          g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_NONE);
          continue;
        }
      g_assert_cmpint (recovery.kind, ==, SHARDPIX_RECOVERY_UNDONE);
      g_assert_false (recovery.child_failed);
      g_assert_cmpuint (recovery.n_undone, ==, 2 + 1);
      g_assert_cmpuint (recovery.n_requeue, ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/recovery/all-done", test_all_done);
  g_test_add_func ("/shardpix/recovery/death-retries-alone", test_death_retries_alone);
  g_test_add_func ("/shardpix/recovery/death-on-last-file", test_death_on_last_file);
  g_test_add_func ("/shardpix/recovery/grant-ahead-requeued", test_grant_ahead_requeued);
  g_test_add_func ("/shardpix/recovery/retry-death-is-poison", test_retry_death_is_poison);
  g_test_add_func ("/shardpix/recovery/hopeless", test_hopeless);
  g_test_add_func ("/shardpix/recovery/stopping-or-finished", test_stopping_or_finished_leaves_undone);
  return g_test_run ();
}
