/* The real supervisor, real fork/exec, real pipes and signals, pointed at
 * test/fake-worker.c, which misbehaves on the files named to make it. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "shardpix/supervisor.h"

typedef struct {
  char *out;
  ShardpixJob job;
  GPtrArray *paths;
  GArray *shards;
  GArray *seen; /* guint index per on_result call */
  guint grant_ahead; /* config.grant_ahead of the dynamic runs */
} Fixture;

static void
on_result (const ShardpixRecord *result, gpointer data)
{
  Fixture *fx = data;

  g_array_append_val (fx->seen, result->index);
}

static void
fixture_setup (Fixture *fx, gconstpointer names_data)
{
  const char *const *names = names_data;

  fx->out = fixtures_mkdtemp ();
  shardpix_job_init (&fx->job);
  fx->job.input_dir = g_strdup ("/nonexistent-input");
  fx->job.output_dir = g_strdup (fx->out);
  fx->paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; names[i] != NULL; i++)
    g_ptr_array_add (fx->paths, g_strdup (names[i]));
  fx->seen = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  fixtures_rmtree (fx->out);
  g_free (fx->out);
  shardpix_job_clear (&fx->job);
  g_ptr_array_unref (fx->paths);
  g_clear_pointer (&fx->shards, g_array_unref);
  g_array_unref (fx->seen);
}

/* Takes @shards. */
static ShardpixRunRecord *
fixture_run_shards (Fixture *fx, const char *exe, guint jobs, GArray *shards,
                    guint timeout_s, gboolean dynamic)
{
  g_autofree char *fake = g_test_build_filename (G_TEST_BUILT, "fake-worker", NULL);
  g_autoptr (GError) error = NULL;
  ShardpixRunRecord *report = NULL;
  ShardpixSupervisorConfig config = {
    .job = &fx->job,
    .worker_exe = exe ? exe : fake,
    .paths = fx->paths,
    .shards = shards,
    .jobs = jobs,
    .timeout_s = timeout_s,
    .dynamic = dynamic,
    .grant_ahead = dynamic ? fx->grant_ahead : 0,
    .on_result = on_result,
    .user_data = fx,
  };

  fx->shards = shards;
  g_assert_true (shardpix_supervisor_run (&config, &report, &error));
  g_assert_no_error (error);
  return report;
}

static ShardpixRunRecord *
fixture_run (Fixture *fx, const char *exe, guint jobs, guint n_shards, guint timeout_s)
{
  return fixture_run_shards (fx, exe, jobs, shardpix_shard_by_count (fx->paths->len, n_shards),
                             timeout_s, FALSE);
}

/* --balance dynamic: guided chunks granted over the pipe to long-lived
 * workers. */
static ShardpixRunRecord *
fixture_run_dynamic (Fixture *fx, guint jobs)
{
  return fixture_run_shards (fx, NULL, jobs, shardpix_shard_guided (fx->paths->len, jobs), 0,
                             TRUE);
}

static const ShardpixChildRecord *
child_with (const ShardpixRunRecord *report, guint index)
{
  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);

      if (index >= child->range.start && index < child->range.start + child->range.count)
        return child;
    }
  g_assert_not_reached ();
}

static void
assert_no_temp_files (Fixture *fx)
{
  g_autoptr (GPtrArray) left = fixtures_list_files (fx->out);

  for (guint i = 0; i < left->len; i++)
    g_test_message ("left behind: %s", (const char *) g_ptr_array_index (left, i));
  g_assert_cmpuint (left->len, ==, 0);
}

static const char *const good_names[] = {
  "a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg", "g.jpg", "h.jpg", "i.jpg", "j.jpg",
  "k.jpg", "l.jpg", "m.jpg", "n.jpg", "o.jpg", "p.jpg", "q.jpg", "r.jpg", "s.jpg", "t.jpg",
  NULL,
};

/* Each image reported exactly once through on_result, poison files too. */
static void
assert_each_seen_once (Fixture *fx)
{
  g_assert_cmpuint (fx->seen->len, ==, fx->paths->len);
  for (guint i = 0; i < fx->paths->len; i++)
    {
      guint hits = 0;

      for (guint j = 0; j < fx->seen->len; j++)
        hits += g_array_index (fx->seen, guint, j) == i;
      g_assert_cmpuint (hits, ==, 1);
    }
}

/* Every image done by @n_children clean workers, each reported once. */
static void
assert_all_good (Fixture *fx, const ShardpixRunRecord *report, guint n_children)
{
  guint n_files = 0;

  g_assert_cmpuint (report->n_ok, ==, 20);
  g_assert_cmpuint (report->n_failed, ==, 0);
  g_assert_cmpuint (report->undone->len, ==, 0);
  g_assert_false (report->child_failed);
  g_assert_cmpuint (report->children->len, ==, n_children);
  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);

      g_assert_true (child->done);
      g_assert_true (child->reaped);
      g_assert_true (WIFEXITED (child->status) && WEXITSTATUS (child->status) == 0);
      g_assert_null (child->failure);
      g_assert_cmpuint (child->n_ok, ==, child->n_files);
      g_assert_cmpuint (child->images->len, ==, child->n_files);
      /* Its last grant holding files (the whole shard unless dynamic). */
      g_assert_cmpuint (child->range.count, >, 0);
      g_assert_cmpuint (child->range.count, <=, child->n_files);
      g_assert_cmpuint (child->range.start + child->range.count, <=, 20);
      g_assert_cmpint (child->pid, >, 0);
      g_assert_cmpint (child->wall_us, >, 0);
      n_files += child->n_files;
    }
  g_assert_cmpuint (n_files, ==, 20);
  assert_each_seen_once (fx);
}

static void
test_all_good (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 3, 7, 0);

  assert_all_good (fx, report, 7);
  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);

      g_assert_cmpuint (child->n_files, ==, child->range.count);
    }
}

/* The retry of @index: the child given that file alone after a death. */
static const ShardpixChildRecord *
retry_of (const ShardpixRunRecord *report, guint index)
{
  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);

      if (child->retry && child->range.start == index)
        return child;
    }
  g_assert_not_reached ();
}

static const char *const crash_names[] = {
  "a.jpg", "b-crash.jpg", "c.jpg", "d.jpg", "e.jpg", "f.jpg", "g.jpg", "h.jpg", NULL,
};

/* b-crash kills every worker that touches it: it is retried once alone,
 * then failed as poison; c and d still get done by a fresh worker. */
static void
test_crash (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 2, 2, 0);
  const ShardpixChildRecord *dead = child_with (report, 1);
  const ShardpixChildRecord *retry = retry_of (report, 1);
  const ShardpixChildRecord *alive = child_with (report, 5);

  g_assert_false (report->child_failed);
  g_assert_true (WIFSIGNALED (dead->status) && WTERMSIG (dead->status) == SIGKILL);
  g_assert_nonnull (strstr (dead->failure, "killed by SIGKILL"));
  g_assert_false (dead->done);
  g_assert_true (dead->requeued);
  g_assert_cmpuint (dead->n_ok, ==, 1);
  g_assert_cmpuint (dead->n_undone, ==, 3);

  g_assert_true (retry->poisoned);
  g_assert_true (WIFSIGNALED (retry->status) && WTERMSIG (retry->status) == SIGKILL);
  g_assert_cmpuint (retry->range.count, ==, 1);
  g_assert_cmpuint (retry->n_failed, ==, 1);

  /* The dead worker, its retry, its tail, the other shard. */
  g_assert_cmpuint (report->children->len, ==, 4);
  g_assert_true (alive->done);
  g_assert_cmpuint (alive->n_ok, ==, 4);
  g_assert_cmpuint (report->n_ok, ==, 7);
  g_assert_cmpuint (report->n_failed, ==, 1);
  g_assert_cmpuint (report->n_retried, ==, 1);
  g_assert_cmpuint (report->n_poison, ==, 1);
  g_assert_cmpuint (report->undone->len, ==, 0);
  assert_each_seen_once (fx);
  assert_no_temp_files (fx);
}

/* File 1's worker died: it was retried alone, and its retry died too
 * (@poison) or succeeded; every other file is ok. */
static void
assert_one_retry (Fixture *fx, const ShardpixRunRecord *report, gboolean poison)
{
  const ShardpixChildRecord *retry = retry_of (report, 1);

  g_assert_false (report->child_failed);
  g_assert_cmpint (retry->poisoned, ==, poison);
  g_assert_cmpint (retry->done, ==, !poison);
  g_assert_cmpuint (retry->range.count, ==, 1);
  g_assert_cmpuint (retry->n_ok, ==, poison ? 0 : 1);
  g_assert_cmpuint (report->n_ok, ==, fx->paths->len - (poison ? 1 : 0));
  g_assert_cmpuint (report->n_failed, ==, poison ? 1 : 0);
  g_assert_cmpuint (report->n_retried, ==, 1);
  g_assert_cmpuint (report->n_poison, ==, poison ? 1 : 0);
  g_assert_cmpuint (report->undone->len, ==, 0);
  assert_each_seen_once (fx);
}

static const char *const flaky_names[] = { "a.jpg", "b-flaky.jpg", "c.jpg", "d.jpg", NULL };

/* A file whose worker died once but whose retry succeeds is not failed. */
static void
test_crash_once (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 1, 1, 0);
  g_autofree char *marker = g_build_filename (fx->out, "flaky-marker", NULL);

  assert_one_retry (fx, report, FALSE);
  g_assert_cmpuint (report->children->len, ==, 3);
  g_assert_cmpint (unlink (marker), ==, 0);
  assert_no_temp_files (fx);
}

static const char *const hang_names[] = { "a.jpg", "b-hang.jpg", "c.jpg", "d.jpg", NULL };

static void
test_hang_timeout (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 2, 2, 1);
  const ShardpixChildRecord *hung = child_with (report, 1);
  const ShardpixChildRecord *retry = retry_of (report, 1);

  g_assert_false (report->child_failed);
  g_assert_nonnull (strstr (hung->failure, "sent nothing for 1 s"));
  g_assert_true (WIFSIGNALED (hung->status) && WTERMSIG (hung->status) == SIGKILL);
  g_assert_true (retry->poisoned);
  g_assert_nonnull (strstr (retry->failure, "sent nothing for 1 s"));
  g_assert_cmpuint (report->n_ok, ==, 3);
  g_assert_cmpuint (report->n_failed, ==, 1);
  g_assert_cmpuint (report->undone->len, ==, 0);
  assert_each_seen_once (fx);
  assert_no_temp_files (fx);
}

static const char *const garbage_names[] = { "a.jpg", "b-garbage.jpg", "c.jpg", NULL };

static void
test_garbage (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 1, 1, 0);
  const ShardpixChildRecord *child = child_with (report, 1);

  g_assert_false (report->child_failed);
  g_assert_nonnull (child->failure);
  g_test_message ("failure: %s", child->failure);
  g_assert_nonnull (strstr (child->failure, "magic"));
  g_assert_true (retry_of (report, 1)->poisoned);
  g_assert_cmpuint (report->n_ok, ==, 2);
  g_assert_cmpuint (report->n_failed, ==, 1);
  g_assert_cmpuint (report->undone->len, ==, 0);
  assert_each_seen_once (fx);
}

static const char *const quit_names[] = { "a.jpg", "b-quit.jpg", "c.jpg", NULL };

static void
test_quit_without_done (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 1, 1, 0);
  const ShardpixChildRecord *child = child_with (report, 1);

  g_assert_false (report->child_failed);
  g_assert_true (WIFEXITED (child->status) && WEXITSTATUS (child->status) == 0);
  g_assert_nonnull (strstr (child->failure, "exit 0 before finishing its shard"));
  g_assert_true (retry_of (report, 1)->poisoned);
  g_assert_cmpuint (report->n_ok, ==, 2);
  g_assert_cmpuint (report->n_failed, ==, 1);
  g_assert_cmpuint (report->undone->len, ==, 0);
  assert_each_seen_once (fx);
  assert_no_temp_files (fx);
}

static const char *const badinit_names[] = { "a.jpg", "b-badinit.jpg", "c.jpg", "d.jpg",
                                             NULL };

/* A worker that exits with a start-up error would do so for any file: no
 * retry, the run stops with the rest undone. */
static void
test_hopeless_worker (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 1, 2, 0);
  const ShardpixChildRecord *child = child_with (report, 1);

  g_assert_true (report->child_failed);
  g_assert_nonnull (strstr (child->failure, "exit 5"));
  g_assert_false (child->requeued);
  g_assert_cmpuint (report->n_retried, ==, 0);
  g_assert_cmpuint (report->n_ok, ==, 1);
  /* Its own file and the rest of its shard; the second shard never ran. */
  g_assert_cmpuint (report->children->len, ==, 1);
  g_assert_cmpuint (report->undone->len, ==, 3);
  g_assert_cmpuint (g_array_index (report->undone, guint, 0), ==, 1);
  assert_no_temp_files (fx);
}

static const char *const fail_names[] = { "a.jpg", "b-fail.jpg", "c.jpg", NULL };

static void
test_image_failure_is_not_a_child_failure (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 2, 3, 0);

  g_assert_false (report->child_failed);
  g_assert_cmpuint (report->n_ok, ==, 2);
  g_assert_cmpuint (report->n_failed, ==, 1);
  g_assert_cmpuint (report->undone->len, ==, 0);
}

static void
test_exec_failure (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, "/nonexistent/worker", 2, 4, 0);
  const ShardpixChildRecord *first = g_ptr_array_index (report->children, 0);

  g_assert_true (report->child_failed);
  /* Reported once: no more workers are tried with a binary that won't run. */
  g_assert_cmpuint (report->children->len, ==, 1);
  g_assert_cmpint (first->pid, ==, 0);
  g_assert_nonnull (strstr (first->failure, "No such file or directory"));
  g_assert_cmpuint (report->undone->len, ==, 20);
}

static gpointer
send_sigterm_later (gpointer data)
{
  g_usleep (300 * 1000);
  kill (getpid (), SIGTERM);
  return NULL;
}

static const char *const stop_names[] = { "a-hang.jpg", "b.jpg", "c-hang.jpg", "d.jpg",
                                          "e.jpg", NULL };

static void
test_stop_signal (Fixture *fx, gconstpointer data)
{
  g_autoptr (GThread) thread = g_thread_new ("sigterm", send_sigterm_later, NULL);
  g_autoptr (ShardpixRunRecord) report = fixture_run (fx, NULL, 2, 3, 0);

  g_thread_join (g_steal_pointer (&thread));
  g_assert_cmpint (report->stop_signal, ==, SIGTERM);
  /* Both hung workers were stopped; the third shard never started. */
  g_assert_cmpuint (report->children->len, ==, 2);
  g_assert_cmpuint (report->undone->len, ==, 5);
  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);

      g_assert_true (child->reaped);
      g_assert_true (WIFSIGNALED (child->status));
    }
  assert_no_temp_files (fx);
}

/* Two workers take every chunk between them: no worker per chunk. */
static void
test_dynamic_all_good (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run_dynamic (fx, 2);

  g_assert_cmpuint (fx->shards->len, >, 2);
  assert_all_good (fx, report, 2);
}

/* A death mid-grant: the file retried alone, then poison; the rest of the
 * grant and the chunks not granted yet still get done. */
static void
test_dynamic_crash (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run_dynamic (fx, 2);

  assert_one_retry (fx, report, TRUE);
  assert_no_temp_files (fx);
}

static void
test_dynamic_crash_once (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) report = fixture_run_dynamic (fx, 1);
  g_autofree char *marker = g_build_filename (fx->out, "flaky-marker", NULL);

  assert_one_retry (fx, report, FALSE);
  g_assert_cmpint (unlink (marker), ==, 0);
  assert_no_temp_files (fx);
}

/* The same with the next grant sent while 2 files of the current remain
 * (--prefetch 2): every file done once, and a death with a grant sent
 * ahead and not begun loses none of it. */
static void
test_dynamic_ahead_all_good (Fixture *fx, gconstpointer data)
{
  fx->grant_ahead = 2;
  test_dynamic_all_good (fx, data);
}

static void
test_dynamic_ahead_crash (Fixture *fx, gconstpointer data)
{
  fx->grant_ahead = 2;
  test_dynamic_crash (fx, data);
}

static void
test_dynamic_ahead_crash_once (Fixture *fx, gconstpointer data)
{
  fx->grant_ahead = 2;
  test_dynamic_crash_once (fx, data);
}

/* A processing order other than the listing's (--balance dynamic takes the
 * largest files first): grants are positions in it, records and reports
 * still speak listing indexes, retries and poison included. */
static void
test_dynamic_order (Fixture *fx, gconstpointer data)
{
  guint n = fx->paths->len;
  g_autoptr (GArray) order = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  g_autofree char *fake = g_test_build_filename (G_TEST_BUILT, "fake-worker", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ShardpixRunRecord) report = NULL;
  const ShardpixChildRecord *first;
  const ShardpixChildRecord *retry = NULL;
  ShardpixSupervisorConfig config = {
    .job = &fx->job,
    .worker_exe = fake,
    .paths = fx->paths,
    .jobs = 2,
    .dynamic = TRUE,
    .on_result = on_result,
    .user_data = fx,
  };

  for (guint i = 0; i < n; i++)
    {
      guint reversed = n - 1 - i;

      g_array_append_val (order, reversed);
    }
  fx->shards = shardpix_shard_guided (n, 2);
  config.shards = fx->shards;
  config.order = order;
  g_assert_true (shardpix_supervisor_run (&config, &report, &error));
  g_assert_no_error (error);

  first = g_ptr_array_index (report->children, 0);
  g_assert_cmpuint (g_array_index (first->images, ShardpixImageTiming, 0).index, ==, n - 1);
  for (guint i = 0; i < report->children->len; i++)
    {
      const ShardpixChildRecord *child = g_ptr_array_index (report->children, i);

      if (child->retry)
        retry = child;
    }
  g_assert_nonnull (retry);
  g_assert_true (retry->poisoned);
  g_assert_cmpuint (shardpix_run_record_listing_index (report, retry->range.start), ==, 1);
  g_assert_cmpuint (report->n_ok, ==, n - 1);
  g_assert_cmpuint (report->n_failed, ==, 1);
  g_assert_cmpuint (report->undone->len, ==, 0);
  assert_each_seen_once (fx);
  assert_no_temp_files (fx);
}

static const char *const sleep_names[] = { "a.jpg", "b-sleep.jpg", "c.jpg", NULL };

/* Runs @fx's files once more, from scratch, with --timeout @timeout_s. */
static ShardpixRunRecord *
fixture_rerun (Fixture *fx, guint timeout_s)
{
  g_clear_pointer (&fx->shards, g_array_unref);
  g_array_set_size (fx->seen, 0);
  return fixture_run_shards (fx, NULL, 1, shardpix_shard_by_count (fx->paths->len, 1),
                             timeout_s, FALSE);
}

/* Woken by events, not by a timer: a worker that says nothing for 2 s
 * costs the supervisor no wakeup, with no --timeout and with one far away.
 * A wakeup with nothing ready is a timer's (a 250 ms poll timeout would
 * make 8 during the sleep alone), so there must be none. How many events
 * there are depends on how the kernel batches them (three RESULTs, DONE,
 * the end of the pipe, SIGCHLD, the input written: 2 to 8 were seen), so
 * the total is only held to a bound no event-driven loop reaches. */
static void
test_no_idle_wakeups (Fixture *fx, gconstpointer data)
{
  g_autoptr (ShardpixRunRecord) sleepy = fixture_rerun (fx, 0);
  g_autoptr (ShardpixRunRecord) far_deadline = fixture_rerun (fx, 30);
  g_autoptr (ShardpixRunRecord) quiet = NULL;

  g_free (g_ptr_array_index (fx->paths, 1));
  g_ptr_array_index (fx->paths, 1) = g_strdup ("b.jpg");
  quiet = fixture_rerun (fx, 0);
  g_test_message ("wakeups (empty): %u (%u) quiet, %u (%u) sleeping 2 s, "
                  "%u (%u) sleeping 2 s with --timeout 30",
                  quiet->n_wakeups, quiet->n_empty_wakeups, sleepy->n_wakeups,
                  sleepy->n_empty_wakeups, far_deadline->n_wakeups,
                  far_deadline->n_empty_wakeups);
  g_assert_cmpint (sleepy->wall_us, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (far_deadline->wall_us, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (quiet->wall_us, <, 2 * G_USEC_PER_SEC);
  for (guint i = 0; i < 3; i++)
    {
      const ShardpixRunRecord *record = i == 0 ? sleepy : i == 1 ? far_deadline : quiet;

      g_assert_cmpuint (record->n_ok, ==, 3);
      g_assert_cmpuint (record->n_wakeups, >, 0);
      g_assert_cmpuint (record->n_empty_wakeups, ==, 0);
      g_assert_cmpuint (record->n_wakeups, <=, 16);
    }
}

#define ADD(path, names, func) \
  g_test_add (path, Fixture, names, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/shardpix/supervisor/all-good", good_names, test_all_good);
  ADD ("/shardpix/supervisor/crash", crash_names, test_crash);
  ADD ("/shardpix/supervisor/crash-once", flaky_names, test_crash_once);
  ADD ("/shardpix/supervisor/hopeless-worker", badinit_names, test_hopeless_worker);
  ADD ("/shardpix/supervisor/hang-timeout", hang_names, test_hang_timeout);
  ADD ("/shardpix/supervisor/garbage", garbage_names, test_garbage);
  ADD ("/shardpix/supervisor/quit-without-done", quit_names, test_quit_without_done);
  ADD ("/shardpix/supervisor/image-failure", fail_names,
       test_image_failure_is_not_a_child_failure);
  ADD ("/shardpix/supervisor/exec-failure", good_names, test_exec_failure);
  ADD ("/shardpix/supervisor/stop-signal", stop_names, test_stop_signal);
  ADD ("/shardpix/supervisor/dynamic-all-good", good_names, test_dynamic_all_good);
  ADD ("/shardpix/supervisor/dynamic-crash", crash_names, test_dynamic_crash);
  ADD ("/shardpix/supervisor/dynamic-crash-once", flaky_names, test_dynamic_crash_once);
  ADD ("/shardpix/supervisor/dynamic-order", crash_names, test_dynamic_order);
  ADD ("/shardpix/supervisor/dynamic-ahead-all-good", good_names, test_dynamic_ahead_all_good);
  ADD ("/shardpix/supervisor/dynamic-ahead-crash", crash_names, test_dynamic_ahead_crash);
  ADD ("/shardpix/supervisor/dynamic-ahead-crash-once", flaky_names,
       test_dynamic_ahead_crash_once);
  ADD ("/shardpix/supervisor/no-idle-wakeups", sleep_names, test_no_idle_wakeups);
  return g_test_run ();
}
