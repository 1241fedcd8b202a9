/* A stand-in for `shardpix worker` that the supervisor tests point the real
 * supervisor at. It speaks the real protocol but misbehaves on purpose,
 * chosen by the file names it is given:
 *   "crash" in the name: dies by SIGKILL on that file (like the OOM killer)
 *   "flaky":   dies by SIGKILL on that file the first time only (it leaves
 *              a marker in OUTPUT_DIR), so its retry succeeds
 *   "badinit": exits 5 (libvips would not start) on that file
 *   "hang":    stops talking (sleeps) on that file
 *   "garbage": sends bytes that are not a record
 *   "quit":    exits 0 on that file without finishing the shard
 *   "fail":    reports the file as failed
 *   "sleep":   says nothing for 2 s on that file, then reports it done
 * Any other file is reported done. It takes its files grant by grant
 * (MORE records) as a real worker does under --balance dynamic. Before misbehaving it creates the
 * temporary file a real worker would have, so that cleanup is tested too. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shardpix/job.h"
#include "shardpix/output-plan.h"
#include "shardpix/protocol.h"

static void
send_record (const ShardpixRecord *record)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  shardpix_protocol_encode (out, record);
  if (write (STDOUT_FILENO, out->data, out->len) != (ssize_t) out->len)
    _exit (4);
}

int
main (int argc, char **argv)
{
  g_autoptr (ShardpixDecoder) decoder = shardpix_decoder_new ();
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  ShardpixJob job = { 0 };
  ShardpixRecord done = { .type = SHARDPIX_RECORD_DONE };
  gboolean ended = FALSE;
  gboolean granted;
  guint8 chunk[4096];

  /* argv: fake-worker worker OPTIONS... -- INPUT_DIR OUTPUT_DIR */
  if (argc < 3)
    return 2;
  job.output_dir = argv[argc - 1];

  /* Grant by grant: MORE ends one and asks us to wait for the next. */
  do
    {
      granted = FALSE;
      g_ptr_array_set_size (files, 0);
      g_array_set_size (indexes, 0);
      /* Records already buffered first: the next grant may have come in
       * with the previous one (the supervisor sends it ahead). */
      while (!ended && !granted)
        {
          ShardpixRecord record = { 0 };
          ssize_t got;

          if (!shardpix_decoder_next (decoder, &record, NULL))
            return 4;
          if (record.type == SHARDPIX_RECORD_NONE)
            {
              got = read (STDIN_FILENO, chunk, sizeof chunk);
              if (got <= 0)
                return 4;
              shardpix_decoder_feed (decoder, chunk, (gsize) got);
              continue;
            }
          if (record.type == SHARDPIX_RECORD_END)
            ended = TRUE;
          if (record.type == SHARDPIX_RECORD_MORE)
            granted = TRUE;
          if (record.type == SHARDPIX_RECORD_FILE)
            {
              g_array_append_val (indexes, record.index);
              g_ptr_array_add (files, g_steal_pointer (&record.text));
            }
          shardpix_record_clear (&record);
        }

      for (guint i = 0; i < files->len; i++)
        {
          const char *name = g_ptr_array_index (files, i);
          guint index = g_array_index (indexes, guint, i);
          g_auto (ShardpixOutputPlan) plan = { 0 };
          g_autofree char *temp = NULL;
          ShardpixRecord result = { .type = SHARDPIX_RECORD_RESULT, .index = index, .ok = TRUE };

          shardpix_output_plan_init (&plan, &job, name);
          temp = shardpix_output_plan_temp_path (&plan, &job, getpid (), index);

          if (strstr (name, "crash") || strstr (name, "hang") || strstr (name, "quit")
              || strstr (name, "flaky"))
            g_file_set_contents (temp, "partial", -1, NULL);
          if (strstr (name, "flaky"))
            {
              g_autofree char *marker = g_build_filename (job.output_dir, "flaky-marker", NULL);

              if (!g_file_test (marker, G_FILE_TEST_EXISTS))
                {
                  g_file_set_contents (marker, "", 0, NULL);
                  raise (SIGKILL);
                }
              unlink (temp);
            }
          if (strstr (name, "badinit"))
            return 5;
          /* SIGKILL, not SIGSEGV: a sanitizer would turn a SEGV into exit 1. */
          if (strstr (name, "crash"))
            raise (SIGKILL);
          if (strstr (name, "hang"))
            for (;;)
              pause ();
          if (strstr (name, "quit"))
            return 0;
          if (strstr (name, "garbage"))
            {
              if (write (STDOUT_FILENO, "this is not a record at all", 27) < 0)
                return 4;
              pause ();
            }
          if (strstr (name, "sleep"))
            g_usleep (2 * G_USEC_PER_SEC);
          if (strstr (name, "fail"))
            {
              result.ok = FALSE;
              result.text = (char *) "fake failure";
              result.text_len = strlen (result.text);
            }
          send_record (&result);
          done.count++;
          if (result.ok)
            done.n_ok++;
          else
            done.n_failed++;
        }
    }
  while (!ended);
  send_record (&done);
  return 0;
}
