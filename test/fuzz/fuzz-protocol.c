/* libFuzzer target: the record decoder, fed arbitrary bytes in arbitrary
 * chunks, must either decode records or fail cleanly; every record it
 * decodes must encode back to bytes that decode to the same record. */
#include <string.h>

#include "shardpix/protocol.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
fuzz_assert_same (const ShardpixRecord *a, const ShardpixRecord *b)
{
  if (a->type != b->type || a->index != b->index || a->count != b->count || a->ok != b->ok
      || a->start_us != b->start_us || a->wall_us != b->wall_us || a->n_ok != b->n_ok
      || a->n_failed != b->n_failed || a->init_us != b->init_us
      || a->text_len != b->text_len
      || (a->text_len > 0 && memcmp (a->text, b->text, a->text_len) != 0))
    __builtin_trap ();
}

/* A RESULT text may be cut to fit PIPE_BUF: compare what is left. */
static void
fuzz_round_trip (const ShardpixRecord *record)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (ShardpixDecoder) decoder = shardpix_decoder_new ();
  g_auto (ShardpixRecord) again = { 0 };

  shardpix_protocol_encode (bytes, record);
  shardpix_decoder_feed (decoder, bytes->data, bytes->len);
  if (!shardpix_decoder_next (decoder, &again, NULL) || !shardpix_decoder_finish (decoder, NULL))
    __builtin_trap ();
  if (record->type == SHARDPIX_RECORD_RESULT && again.text_len < record->text_len)
    {
      ShardpixRecord cut = *record;

      if (bytes->len > SHARDPIX_PROTOCOL_MAX_RESULT)
        __builtin_trap ();
      cut.text_len = again.text_len;
      fuzz_assert_same (&cut, &again);
      return;
    }
  fuzz_assert_same (record, &again);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (ShardpixDecoder) decoder = shardpix_decoder_new ();
  /* The first byte chooses the chunk size, as reads from a pipe would. */
  gsize chunk = size > 0 ? (gsize) data[0] % 64 + 1 : 1;

  for (gsize at = size > 0 ? 1 : 0; at < size; at += chunk)
    {
      shardpix_decoder_feed (decoder, data + at, MIN (chunk, size - at));
      for (;;)
        {
          g_auto (ShardpixRecord) record = { 0 };

          if (!shardpix_decoder_next (decoder, &record, NULL))
            return 0;
          if (record.type == SHARDPIX_RECORD_NONE)
            break;
          fuzz_round_trip (&record);
        }
    }
  shardpix_decoder_finish (decoder, NULL);
  return 0;
}
