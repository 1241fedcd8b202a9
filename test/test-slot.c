/* A worker slot alone: its state table against the one documented in
 * lib/shardpix/slot-table.h, and its I/O over real pipes (the worker's end is
 * played by the test: what it reads is what a worker would read). */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "shardpix/slot.h"

/* "SPAWNED_OPEN" -> "spawned-open", as the name functions spell them. */
static char *
slot_test_name (const char *upper)
{
  char *name = g_ascii_strdown (upper, -1);

  g_strdelimit (name, "_", '-');
  return name;
}

static int
slot_test_lookup (const char *upper, const char *(*name_of) (int), int n)
{
  g_autofree char *name = slot_test_name (upper);

  for (int i = 0; i < n; i++)
    if (strcmp (name_of (i), name) == 0)
      return i;
  g_error ("slot.h names %s, which the code does not know", upper);
}

static const char *
state_name (int i)
{
  return shardpix_slot_state_name ((ShardpixSlotState) i);
}

static const char *
event_name (int i)
{
  return shardpix_slot_event_name ((ShardpixSlotEvent) i);
}

static const char *
action_name (int i)
{
  return shardpix_slot_action_name ((ShardpixSlotAction) i);
}

/* The table as slot.h documents it: [state][event], ACT_INVALID where it
 * lists no transition. */
static void
slot_test_read_documented (ShardpixSlotTransition table[SHARDPIX_SLOT_N_STATES]
                                                      [SHARDPIX_SLOT_N_EVENTS])
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "lib", "shardpix", "slot-table.h",
                                                 NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  gboolean in_table = FALSE;
  guint rows = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  memset (table, 0, sizeof (ShardpixSlotTransition) * SHARDPIX_SLOT_N_STATES
                        * SHARDPIX_SLOT_N_EVENTS);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = NULL;
      int state, event;

      if (g_str_has_prefix (lines[i], " *   state     event"))
        {
          in_table = TRUE;
          continue;
        }
      if (!in_table)
        continue;
      if (!g_str_has_prefix (lines[i], " *   "))
        break;
      words = g_strsplit_set (lines[i] + 5, " ", -1);
      {
        g_autoptr (GPtrArray) w = g_ptr_array_new ();

        for (guint j = 0; words[j] != NULL; j++)
          if (*words[j] != '\0')
            g_ptr_array_add (w, words[j]);
        g_assert_cmpuint (w->len, ==, 4);
        state = slot_test_lookup (w->pdata[0], state_name, SHARDPIX_SLOT_N_STATES);
        event = slot_test_lookup (w->pdata[1], event_name, SHARDPIX_SLOT_N_EVENTS);
        /* A pair listed twice would be a contradiction. */
        g_assert_cmpint (table[state][event].action, ==, SHARDPIX_SLOT_ACT_INVALID);
        table[state][event].action = (ShardpixSlotAction) slot_test_lookup (
            w->pdata[2], action_name, SHARDPIX_SLOT_ACT_KILL + 1);
        table[state][event].next = (ShardpixSlotState) slot_test_lookup (
            w->pdata[3], state_name, SHARDPIX_SLOT_N_STATES);
        g_assert_cmpint (table[state][event].action, !=, SHARDPIX_SLOT_ACT_INVALID);
        rows++;
      }
    }
  g_assert_true (in_table);
  g_assert_cmpuint (rows, >, 0);
}

/* Every (state, event) pair gives what slot.h says, and every pair it does
 * not list is refused. */
static void
test_table_is_documented (void)
{
  ShardpixSlotTransition doc[SHARDPIX_SLOT_N_STATES][SHARDPIX_SLOT_N_EVENTS];
  guint n_valid = 0;

  slot_test_read_documented (doc);
  for (int s = 0; s < SHARDPIX_SLOT_N_STATES; s++)
    for (int e = 0; e < SHARDPIX_SLOT_N_EVENTS; e++)
      {
        const ShardpixSlotTransition *t = shardpix_slot_transition (s, e);

        g_test_message ("%s + %s", state_name (s), event_name (e));
        if (doc[s][e].action == SHARDPIX_SLOT_ACT_INVALID)
          {
            g_assert_null (t);
            continue;
          }
        g_assert_nonnull (t);
        g_assert_cmpstr (action_name (t->action), ==, action_name (doc[s][e].action));
        g_assert_cmpstr (state_name (t->next), ==, state_name (doc[s][e].next));
        n_valid++;
      }
  g_test_message ("%u transitions", n_valid);
}

static void
test_refuses_out_of_range (void)
{
  g_assert_null (shardpix_slot_transition (SHARDPIX_SLOT_N_STATES, SHARDPIX_SLOT_EV_EXITED));
  g_assert_null (shardpix_slot_transition (SHARDPIX_SLOT_OPEN, SHARDPIX_SLOT_N_EVENTS));
  g_assert_null (shardpix_slot_transition ((ShardpixSlotState) -1, SHARDPIX_SLOT_EV_EXITED));
  g_assert_cmpstr (shardpix_slot_state_name (SHARDPIX_SLOT_N_STATES), ==, "?");
  g_assert_cmpstr (shardpix_slot_event_name (SHARDPIX_SLOT_N_EVENTS), ==, "?");
}

/* What the supervisor relies on, whatever the table's details. */
static void
test_table_invariants (void)
{
  gboolean reached[SHARDPIX_SLOT_N_STATES] = { [SHARDPIX_SLOT_FREE] = TRUE };
  gboolean grew = TRUE;

  for (int s = 0; s < SHARDPIX_SLOT_N_STATES; s++)
    for (int e = 0; e < SHARDPIX_SLOT_N_EVENTS; e++)
      {
        const ShardpixSlotTransition *t = shardpix_slot_transition (s, e);
        gboolean spawn = e == SHARDPIX_SLOT_EV_SPAWNED_OPEN || e == SHARDPIX_SLOT_EV_SPAWNED_LAST
                         || e == SHARDPIX_SLOT_EV_SPAWN_FAILED;
        gboolean record = e == SHARDPIX_SLOT_EV_RESULT || e == SHARDPIX_SLOT_EV_DONE
                          || e == SHARDPIX_SLOT_EV_BAD_RECORD || e == SHARDPIX_SLOT_EV_GARBLED
                          || e == SHARDPIX_SLOT_EV_EOF;

        g_test_message ("%s + %s", state_name (s), event_name (e));
        /* A worker is started only in a free slot, and a free slot has
         * nothing else to hear from. */
        g_assert_true ((t != NULL && spawn) == (s == SHARDPIX_SLOT_FREE && t != NULL));
        if (s == SHARDPIX_SLOT_FREE)
          g_assert_cmpint (t != NULL, ==, spawn);
        /* Every live worker is reaped into a free slot, and only a reaped
         * or unstartable one frees it. */
        if (e == SHARDPIX_SLOT_EV_EXITED)
          {
            g_assert_cmpint (t != NULL, ==, s != SHARDPIX_SLOT_FREE);
            if (t != NULL)
              g_assert_true (t->action == SHARDPIX_SLOT_ACT_FINISH
                             && t->next == SHARDPIX_SLOT_FREE);
          }
        else if (t != NULL && e != SHARDPIX_SLOT_EV_SPAWN_FAILED)
          g_assert_cmpint (t->next, !=, SHARDPIX_SLOT_FREE);
        /* Records come only while the pipe is read. */
        if (record)
          g_assert_cmpint (t != NULL, ==, shardpix_slot_state_reads (s));
        /* Only a worker whose list goes on is granted more. */
        if (e == SHARDPIX_SLOT_EV_GRANT_NEXT || e == SHARDPIX_SLOT_EV_GRANT_LAST)
          g_assert_cmpint (t != NULL, ==, s == SHARDPIX_SLOT_OPEN);
        /* A deadline only where one is kept; a stop reaches every live one. */
        if (e == SHARDPIX_SLOT_EV_TIMEOUT)
          g_assert_cmpint (t != NULL, ==, shardpix_slot_state_has_timeout (s));
        if (e == SHARDPIX_SLOT_EV_STOP || e == SHARDPIX_SLOT_EV_KILL)
          g_assert_cmpint (t != NULL, ==, s != SHARDPIX_SLOT_FREE);
        /* After SIGKILL nothing makes the slot look alive again. */
        if (t != NULL && (s == SHARDPIX_SLOT_KILLED || s == SHARDPIX_SLOT_DRAINING))
          g_assert_true (t->next == SHARDPIX_SLOT_KILLED || t->next == SHARDPIX_SLOT_DRAINING
                         || t->next == SHARDPIX_SLOT_FREE);
      }
  /* Every state can be reached from a free slot. */
  while (grew)
    {
      grew = FALSE;
      for (int s = 0; s < SHARDPIX_SLOT_N_STATES; s++)
        for (int e = 0; e < SHARDPIX_SLOT_N_EVENTS && reached[s]; e++)
          {
            const ShardpixSlotTransition *t = shardpix_slot_transition (s, e);

            if (t != NULL && !reached[t->next])
              reached[t->next] = grew = TRUE;
          }
    }
  for (int s = 0; s < SHARDPIX_SLOT_N_STATES; s++)
    g_assert_true (reached[s]);
}

/* A slot wired to pipes whose other ends the test holds, as a worker
 * would: @worker_in is what it reads, @worker_out what it writes. */
typedef struct {
  ShardpixSlot slot;
  ShardpixChildRecord record;
  GPtrArray *paths;
  ShardpixRunRecord *run;    /* the listing backwards */
  ShardpixRunRecord *listed; /* in listing order */
  int worker_in;
  int worker_out;
} SlotFixture;

static void
slot_fixture_setup (SlotFixture *fx, gconstpointer data)
{
  int in[2], out[2];

  g_assert_cmpint (pipe2 (in, O_CLOEXEC | O_NONBLOCK), ==, 0);
  g_assert_cmpint (pipe2 (out, O_CLOEXEC | O_NONBLOCK), ==, 0);
  shardpix_slot_init (&fx->slot);
  memset (&fx->record, 0, sizeof fx->record);
  fx->slot.record = &fx->record;
  fx->slot.child.to_child = in[1];
  fx->slot.child.from_child = out[0];
  fx->worker_in = in[0];
  fx->worker_out = out[1];
  fx->paths = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (fx->paths, g_strdup_printf ("%c.jpg", 'a' + i));
  {
    g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));

    for (guint i = 0; i < 10; i++)
      {
        guint index = 9 - i;

        g_array_append_val (order, index);
      }
    fx->run = shardpix_run_record_new (order);
    fx->listed = shardpix_run_record_new (NULL);
  }
}

static void
slot_fixture_teardown (SlotFixture *fx, gconstpointer data)
{
  shardpix_slot_clear (&fx->slot);
  if (fx->worker_in >= 0)
    close (fx->worker_in);
  close (fx->worker_out);
  g_ptr_array_unref (fx->paths);
  shardpix_run_record_free (fx->run);
  shardpix_run_record_free (fx->listed);
}

/* What the worker has been sent so far: "index:name" per FILE, then "MORE n"
 * or "END n", one string; "|closed" when its input is at end of file. */
static char *
slot_fixture_sent (SlotFixture *fx)
{
  g_autoptr (ShardpixDecoder) decoder = shardpix_decoder_new ();
  GString *out = g_string_new (NULL);
  guint8 chunk[4096];
  ssize_t got;

  while ((got = read (fx->worker_in, chunk, sizeof chunk)) > 0)
    shardpix_decoder_feed (decoder, chunk, (gsize) got);
  for (;;)
    {
      g_auto (ShardpixRecord) record = { 0 };

      g_assert_true (shardpix_decoder_next (decoder, &record, NULL));
      if (record.type == SHARDPIX_RECORD_NONE)
        break;
      if (record.type == SHARDPIX_RECORD_FILE)
        g_string_append_printf (out, "%u:%s ", record.index, record.text);
      else
        g_string_append_printf (out, "%s %u;",
                                record.type == SHARDPIX_RECORD_MORE ? "MORE" : "END",
                                record.count);
    }
  if (got == 0)
    g_string_append (out, "|closed");
  return g_string_free (out, FALSE);
}

static void
slot_fixture_send (SlotFixture *fx, const ShardpixRecord *record)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();

  shardpix_protocol_encode (bytes, record);
  g_assert_cmpint (write (fx->worker_out, bytes->data, bytes->len), ==, (gssize) bytes->len);
}

/* Reads all the worker sent so far; returns how the last read ended. */
static ShardpixSlotRead
slot_fixture_read (SlotFixture *fx)
{
  ShardpixSlotRead how;

  while ((how = shardpix_slot_read (&fx->slot)) == SHARDPIX_SLOT_READ_DATA)
    ;
  return how;
}

/* The next event from what the worker sent; asserts there is one. */
static ShardpixSlotEvent
slot_fixture_event (SlotFixture *fx, ShardpixRecord *record)
{
  ShardpixSlotEvent event = SHARDPIX_SLOT_N_EVENTS;
  g_autoptr (GError) error = NULL;

  g_assert_true (shardpix_slot_next_event (&fx->slot, record, &event, &error));
  g_assert_true ((event == SHARDPIX_SLOT_EV_GARBLED) == (error != NULL));
  return event;
}

/* Grants over a processing order: the worker is sent listing indexes and
 * names, a grant ahead is sent when few files remain, a retry is never
 * granted to a worker that goes on, END closes its input. */
static void
test_grants (SlotFixture *fx, gconstpointer data)
{
  GArray *shards = g_array_new (FALSE, FALSE, sizeof (ShardpixRange));
  ShardpixRange ranges[] = { { 0, 3 }, { 3, 2 }, { 5, 1 } };
  ShardpixSlotContext context = { NULL, fx->paths, fx->run, 1, 0, 0 };
  g_autoptr (ShardpixWorkQueue) queue = NULL;
  ShardpixWork first;
  ShardpixSlotEvent event;
  g_autofree char *sent1 = NULL, *sent2 = NULL, *sent3 = NULL, *sent4 = NULL;

  g_array_append_vals (shards, ranges, G_N_ELEMENTS (ranges));
  queue = shardpix_work_queue_new (shards);
  g_array_unref (shards);
  first = shardpix_work_queue_pop (queue);
  fx->record.range = first.range;
  fx->slot.state = SHARDPIX_SLOT_OPEN;
  shardpix_slot_begin (&fx->slot, &context, &first);
  sent1 = slot_fixture_sent (fx);
  g_assert_cmpstr (sent1, ==, "9:j.jpg 8:i.jpg 7:h.jpg MORE 3;");
  g_assert_cmpuint (shardpix_slot_file (&fx->slot, 1), ==, 8);

  /* Two files left of three: not yet; one left: the next grant goes ahead. */
  fx->slot.next = 1;
  g_assert_false (shardpix_slot_grant_event (&fx->slot, queue, FALSE, &event));
  shardpix_slot_grant_ahead (&fx->slot, &context, queue, FALSE);
  g_assert_cmpuint (fx->slot.ahead.range.count, ==, 0);
  fx->slot.next = 2;
  shardpix_slot_grant_ahead (&fx->slot, &context, queue, TRUE);
  g_assert_cmpuint (fx->slot.ahead.range.count, ==, 0);
  shardpix_slot_grant_ahead (&fx->slot, &context, queue, FALSE);
  g_assert_cmpuint (fx->slot.ahead.range.start, ==, 3);
  sent2 = slot_fixture_sent (fx);
  g_assert_cmpstr (sent2, ==, "6:g.jpg 5:f.jpg MORE 2;");
  /* One grant ahead at most. */
  shardpix_slot_grant_ahead (&fx->slot, &context, queue, FALSE);
  g_assert_cmpuint (fx->slot.ahead.range.start, ==, 3);

  /* The grant done: it goes on with the one ahead, nothing new is sent. */
  fx->slot.next = 3;
  g_assert_true (shardpix_slot_has_next (&fx->slot, queue, TRUE));
  g_assert_true (shardpix_slot_grant_event (&fx->slot, queue, TRUE, &event));
  g_assert_cmpint (event, ==, SHARDPIX_SLOT_EV_GRANT_NEXT);
  shardpix_slot_grant_next (&fx->slot, &context, queue);
  g_assert_cmpuint (fx->record.range.start, ==, 3);
  g_assert_cmpuint (fx->record.n_files, ==, 3 + 2);
  g_assert_cmpuint (fx->slot.next, ==, 3);
  g_assert_cmpuint (fx->slot.ahead.range.count, ==, 0);
  g_assert_cmpuint (shardpix_slot_file (&fx->slot, 4), ==, 5);

  /* A retry waits for a fresh worker; stopping grants nothing. */
  shardpix_work_queue_push_front (queue, &(ShardpixWork){ { 8, 1 }, 0, TRUE });
  g_assert_false (shardpix_slot_has_next (&fx->slot, queue, FALSE));
  (void) shardpix_work_queue_pop (queue);
  g_assert_true (shardpix_slot_has_next (&fx->slot, queue, FALSE));
  g_assert_false (shardpix_slot_has_next (&fx->slot, queue, TRUE));

  fx->slot.next = 5;
  shardpix_slot_grant_next (&fx->slot, &context, queue);
  sent3 = slot_fixture_sent (fx);
  g_assert_cmpstr (sent3, ==, "4:e.jpg MORE 1;");
  g_assert_true (shardpix_work_queue_is_empty (queue));

  fx->slot.next = 6;
  g_assert_true (shardpix_slot_grant_event (&fx->slot, queue, FALSE, &event));
  g_assert_cmpint (event, ==, SHARDPIX_SLOT_EV_GRANT_LAST);
  fx->slot.state = SHARDPIX_SLOT_LAST;
  g_assert_false (shardpix_slot_grant_event (&fx->slot, queue, FALSE, &event));
  shardpix_slot_grant_end (&fx->slot, &context);
  sent4 = slot_fixture_sent (fx);
  g_assert_cmpstr (sent4, ==, "END 0;|closed");
  g_assert_cmpint (fx->slot.child.to_child, ==, -1);
  /* The record keeps its last grant. */
  g_assert_cmpuint (fx->record.range.start, ==, 5);
  g_assert_cmpuint (fx->record.range.count, ==, 1);
}

/* What the worker sends, classified: the RESULT owed next, a DONE that
 * counts every file, anything else out of step, bytes that are no record. */
static void
test_records (SlotFixture *fx, gconstpointer data)
{
  ShardpixSlotContext context = { NULL, fx->paths, fx->listed, 0, 0, 0 };
  ShardpixWork work = { { 2, 2 }, 0, FALSE };
  ShardpixRecord result = { .type = SHARDPIX_RECORD_RESULT, .index = 2, .ok = TRUE };
  ShardpixRecord done = { .type = SHARDPIX_RECORD_DONE, .count = 2 };
  ShardpixSlotEvent event;

  fx->record.range = work.range;
  fx->record.n_files = 2;
  fx->slot.state = SHARDPIX_SLOT_LAST;
  shardpix_slot_begin (&fx->slot, &context, &work);

  g_assert_cmpint (slot_fixture_read (fx), ==, SHARDPIX_SLOT_READ_AGAIN);
  {
    g_auto (ShardpixRecord) record = { 0 };

    g_assert_false (shardpix_slot_next_event (&fx->slot, &record, &event, NULL));
  }
  slot_fixture_send (fx, &result);
  result.index = 9; /* not the one owed next */
  slot_fixture_send (fx, &result);
  slot_fixture_send (fx, &done); /* too early: file 3 has no result */
  g_assert_cmpint (slot_fixture_read (fx), ==, SHARDPIX_SLOT_READ_AGAIN);
  {
    g_auto (ShardpixRecord) a = { 0 };
    g_auto (ShardpixRecord) b = { 0 };
    g_auto (ShardpixRecord) c = { 0 };

    g_assert_cmpint (slot_fixture_event (fx, &a), ==, SHARDPIX_SLOT_EV_RESULT);
    fx->slot.next++;
    g_assert_cmpint (slot_fixture_event (fx, &b), ==, SHARDPIX_SLOT_EV_BAD_RECORD);
    g_assert_cmpint (slot_fixture_event (fx, &c), ==, SHARDPIX_SLOT_EV_BAD_RECORD);
  }
  fx->slot.next++;
  done.count = 3; /* a count that is not what it was given */
  slot_fixture_send (fx, &done);
  done.count = 2;
  slot_fixture_send (fx, &done);
  g_assert_cmpint (write (fx->worker_out, "this is not a record at all", 27), ==, 27);
  close (fx->worker_out);
  fx->worker_out = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (slot_fixture_read (fx), ==, SHARDPIX_SLOT_READ_EOF);
  {
    g_auto (ShardpixRecord) a = { 0 };
    g_auto (ShardpixRecord) b = { 0 };
    g_auto (ShardpixRecord) c = { 0 };

    g_assert_cmpint (slot_fixture_event (fx, &a), ==, SHARDPIX_SLOT_EV_BAD_RECORD);
    g_assert_cmpint (slot_fixture_event (fx, &b), ==, SHARDPIX_SLOT_EV_DONE);
    g_assert_cmpint (slot_fixture_event (fx, &c), ==, SHARDPIX_SLOT_EV_GARBLED);
  }
}

#define ADD(path, func) \
  g_test_add (path, SlotFixture, NULL, slot_fixture_setup, func, slot_fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/shardpix/slot/table-is-documented", test_table_is_documented);
  g_test_add_func ("/shardpix/slot/refuses-out-of-range", test_refuses_out_of_range);
  g_test_add_func ("/shardpix/slot/table-invariants", test_table_invariants);
  ADD ("/shardpix/slot/grants", test_grants);
  ADD ("/shardpix/slot/records", test_records);
  return g_test_run ();
}
