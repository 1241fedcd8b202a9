/* Unit tests of the record encoding: round trips, awkward names, any split of
 * the stream into reads, and bytes that are not records. Only GLib and lib/:
 * the protocol is tested without processes or images. */
#include <string.h>

#include "shardpix/error.h"
#include "shardpix/protocol.h"

#define MAX_MESSAGE (SHARDPIX_PROTOCOL_MAX_RESULT - SHARDPIX_PROTOCOL_HEADER_SIZE - 24)
#define NAME(literal) { literal, sizeof (literal) - 1 }

static GByteArray *
encode_all (const ShardpixRecord *records, gsize n)
{
  GByteArray *bytes = g_byte_array_new ();

  for (gsize i = 0; i < n; i++)
    shardpix_protocol_encode (bytes, &records[i]);
  return bytes;
}

/* Feeds @bytes in pieces of @chunk bytes (of 1 to @chunk bytes when @rand is
 * given), taking records out after every piece as a pipe reader would, and
 * checks that the stream ends on a record boundary. */
static GArray *
decode_all (const GByteArray *bytes, gsize chunk, GRand *rand)
{
  g_autoptr(ShardpixDecoder) decoder = shardpix_decoder_new ();
  g_autoptr(GError) error = NULL;
  GArray *records = g_array_new (FALSE, TRUE, sizeof (ShardpixRecord));
  gsize pos = 0;
  gboolean ok;

  g_array_set_clear_func (records, (GDestroyNotify) shardpix_record_clear);
  while (pos < bytes->len)
    {
      gsize n = rand != NULL ? (gsize) g_rand_int_range (rand, 1, (gint32) chunk + 1) : chunk;

      n = MIN (n, bytes->len - pos);
      shardpix_decoder_feed (decoder, bytes->data + pos, n);
      pos += n;
      for (;;)
        {
          ShardpixRecord record;

          ok = shardpix_decoder_next (decoder, &record, &error);
          g_assert_no_error (error);
          g_assert_true (ok);
          if (record.type == SHARDPIX_RECORD_NONE)
            break;
          g_array_append_val (records, record);
        }
    }
  ok = shardpix_decoder_finish (decoder, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  return records;
}

static void
assert_same_record (const ShardpixRecord *expected, const ShardpixRecord *got)
{
  g_assert_cmpint (got->type, ==, expected->type);
  g_assert_cmpuint (got->index, ==, expected->index);
  g_assert_cmpuint (got->count, ==, expected->count);
  g_assert_cmpint (!!got->ok, ==, !!expected->ok);
  g_assert_cmpuint (got->code, ==, expected->code);
  g_assert_cmpuint (got->start_us, ==, expected->start_us);
  g_assert_cmpuint (got->wall_us, ==, expected->wall_us);
  g_assert_cmpuint (got->n_ok, ==, expected->n_ok);
  g_assert_cmpuint (got->n_failed, ==, expected->n_failed);
  g_assert_cmpuint (got->init_us, ==, expected->init_us);
  g_assert_cmpuint (got->text_len, ==, expected->text_len);
  if (expected->text_len == 0)
    {
      g_assert_null (got->text);
      return;
    }
  g_assert_nonnull (got->text);
  g_assert_cmpmem (got->text, got->text_len, expected->text, expected->text_len);
  g_assert_cmpint (got->text[got->text_len], ==, '\0');
}

static void
assert_decodes_to (const GByteArray *bytes, const ShardpixRecord *expected, gsize n,
                   gsize chunk, GRand *rand)
{
  g_autoptr(GArray) got = decode_all (bytes, chunk, rand);

  g_assert_cmpuint (got->len, ==, n);
  for (gsize i = 0; i < n; i++)
    assert_same_record (&expected[i], &g_array_index (got, ShardpixRecord, i));
}

static void
assert_round_trip (const ShardpixRecord *records, gsize n)
{
  g_autoptr(GByteArray) bytes = encode_all (records, n);

  assert_decodes_to (bytes, records, n, G_MAXSIZE, NULL);
  assert_decodes_to (bytes, records, n, 1, NULL);
}

static void
test_round_trip_file (void)
{
  const ShardpixRecord records[] = {
    { .type = SHARDPIX_RECORD_FILE, .index = 0, .text = (char *) "a.jpg", .text_len = 5 },
    { .type = SHARDPIX_RECORD_FILE, .index = G_MAXUINT32, .text = (char *) "d/b.png",
      .text_len = 7 },
    { .type = SHARDPIX_RECORD_FILE, .index = 7, .text = (char *) "x", .text_len = 1 },
  };

  assert_round_trip (records, G_N_ELEMENTS (records));
}

static void
test_round_trip_end (void)
{
  const ShardpixRecord records[] = {
    { .type = SHARDPIX_RECORD_END, .count = 0 },
    { .type = SHARDPIX_RECORD_END, .count = G_MAXUINT32 },
  };

  assert_round_trip (records, G_N_ELEMENTS (records));
}

static void
test_round_trip_grants (void)
{
  /* A dynamic worker's list: two grants, then an empty closing END. */
  const ShardpixRecord records[] = {
    { .type = SHARDPIX_RECORD_FILE, .index = 3, .text = (char *) "a.jpg", .text_len = 5 },
    { .type = SHARDPIX_RECORD_MORE, .count = 1 },
    { .type = SHARDPIX_RECORD_FILE, .index = 9, .text = (char *) "b.jpg", .text_len = 5 },
    { .type = SHARDPIX_RECORD_FILE, .index = 10, .text = (char *) "c.jpg", .text_len = 5 },
    { .type = SHARDPIX_RECORD_MORE, .count = 2 },
    { .type = SHARDPIX_RECORD_END, .count = 0 },
    { .type = SHARDPIX_RECORD_MORE, .count = G_MAXUINT32 },
  };

  assert_round_trip (records, G_N_ELEMENTS (records));
}

static void
test_round_trip_result (void)
{
  const ShardpixRecord records[] = {
    { .type = SHARDPIX_RECORD_RESULT, .index = 3, .ok = TRUE, .start_us = 12, .wall_us = 3456 },
    { .type = SHARDPIX_RECORD_RESULT, .index = G_MAXUINT32, .ok = TRUE,
      .start_us = G_MAXUINT64, .wall_us = G_MAXUINT64 - 1 },
    { .type = SHARDPIX_RECORD_RESULT, .index = 4, .ok = FALSE, .start_us = 1, .wall_us = 2,
      .code = SHARDPIX_ERROR_IMAGE,
      .text = (char *) "VipsForeignLoad: not a known file format\n", .text_len = 41 },
    { .type = SHARDPIX_RECORD_RESULT, .index = 5, .ok = FALSE },
    /* What failed travels as a code: the supervisor stops on output
     * errors by it, not by the message's words. */
    { .type = SHARDPIX_RECORD_RESULT, .index = 6, .ok = FALSE, .code = SHARDPIX_ERROR_OUTPUT,
      .text = (char *) "disk full", .text_len = 9 },
  };

  assert_round_trip (records, G_N_ELEMENTS (records));
}

static void
test_round_trip_done (void)
{
  const ShardpixRecord records[] = {
    { .type = SHARDPIX_RECORD_DONE, .count = 10, .n_ok = 8, .n_failed = 2,
      .init_us = 123456, .wall_us = 9876543210 },
    { .type = SHARDPIX_RECORD_DONE, .count = G_MAXUINT32, .n_ok = G_MAXUINT32,
      .n_failed = G_MAXUINT32, .init_us = G_MAXUINT64, .wall_us = G_MAXUINT64 },
    { .type = SHARDPIX_RECORD_DONE },
  };

  assert_round_trip (records, G_N_ELEMENTS (records));
}

/* A success carries no message on the wire, even if the caller left one. */
static void
test_result_ok_drops_message (void)
{
  const ShardpixRecord sent = { .type = SHARDPIX_RECORD_RESULT, .index = 1, .ok = TRUE,
                                .text = (char *) "stale", .text_len = 5 };
  const ShardpixRecord expected = { .type = SHARDPIX_RECORD_RESULT, .index = 1, .ok = TRUE };
  g_autoptr(GByteArray) bytes = encode_all (&sent, 1);

  g_assert_cmpuint (bytes->len, ==, SHARDPIX_PROTOCOL_HEADER_SIZE + 24);
  assert_decodes_to (bytes, &expected, 1, G_MAXSIZE, NULL);
}

/* Pins the byte layout, so that both sides cannot drift together unnoticed. */
static void
test_wire_format (void)
{
  const ShardpixRecord end = { .type = SHARDPIX_RECORD_END, .count = 0x01020304 };
  const ShardpixRecord done = { .type = SHARDPIX_RECORD_DONE, .count = 1 };
  const ShardpixRecord file = { .type = SHARDPIX_RECORD_FILE, .index = 0x0a0b0c0d,
                                .text = (char *) "ab", .text_len = 2 };
  const guint8 end_bytes[] = { 'S', 'P', 'X', '1', 2, 0, 0, 0, 4, 0, 0, 0, 4, 3, 2, 1 };
  const guint8 file_bytes[] = { 'S', 'P', 'X', '1', 1, 0, 0, 0, 6, 0, 0, 0,
                                0x0d, 0x0c, 0x0b, 0x0a, 'a', 'b' };
  g_autoptr(GByteArray) a = encode_all (&end, 1);
  g_autoptr(GByteArray) b = encode_all (&file, 1);
  g_autoptr(GByteArray) c = encode_all (&done, 1);

  g_assert_cmpmem (a->data, a->len, end_bytes, sizeof end_bytes);
  g_assert_cmpmem (b->data, b->len, file_bytes, sizeof file_bytes);
  g_assert_cmpuint (c->len, ==, SHARDPIX_PROTOCOL_HEADER_SIZE + 32);
}

static void
test_awkward_names (void)
{
  static const struct {
    const char *bytes;
    gsize len;
  } names[] = {
    NAME ("new\nline.jpg"), NAME ("carriage\rreturn.png"), NAME ("with space.jpg"),
    NAME (" leading and trailing "), NAME ("tab\there.tif"), NAME ("-dash first.gif"),
    NAME ("caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80.webp"),
    NAME ("bad\xff\xfeutf8.gif"), NAME ("\xff"), NAME ("\xc3"),
    NAME ("SPX1"), NAME ("a/SPX1\x01\x01\x01\x01SPX1\x02.png"), NAME ("%s%n\\"),
  };
  g_autofree char *long_name = g_malloc (4096);
  ShardpixRecord records[G_N_ELEMENTS (names) + 2];
  gsize n = 0;

  /* 4096 bytes, PATH_MAX on Linux, with a slash now and then. */
  for (gsize i = 0; i < 4096; i++)
    long_name[i] = i % 64 == 63 ? '/' : (char) ('a' + i % 26);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    records[n++] = (ShardpixRecord) { .type = SHARDPIX_RECORD_FILE, .index = (guint32) i,
                                      .text = (char *) names[i].bytes, .text_len = names[i].len };
  records[n++] = (ShardpixRecord) { .type = SHARDPIX_RECORD_FILE, .index = 99,
                                    .text = long_name, .text_len = 4096 };
  records[n] = (ShardpixRecord) { .type = SHARDPIX_RECORD_END, .count = (guint32) n };
  n++;
  assert_round_trip (records, n);
}

/* A shard's worth of traffic in both directions; @texts keeps the messages. */
static GArray *
make_many_records (GPtrArray *texts)
{
  GArray *records = g_array_new (FALSE, TRUE, sizeof (ShardpixRecord));
  const guint n = 400;
  ShardpixRecord record;

  for (guint i = 0; i < n; i++)
    {
      char *text = g_strdup_printf ("dir %u/image\n%u.jpg", i % 7, i);

      g_ptr_array_add (texts, text);
      record = (ShardpixRecord) { .type = SHARDPIX_RECORD_FILE, .index = i * 3, .text = text,
                                  .text_len = strlen (text) };
      g_array_append_val (records, record);
    }
  record = (ShardpixRecord) { .type = SHARDPIX_RECORD_END, .count = n };
  g_array_append_val (records, record);
  for (guint i = 0; i < n; i++)
    {
      record = (ShardpixRecord) { .type = SHARDPIX_RECORD_RESULT, .index = i * 3,
                                  .ok = i % 5 != 0, .start_us = i * 1000ull, .wall_us = 999 + i };
      if (!record.ok)
        {
          record.text = g_strdup_printf ("image %u: truncated JPEG \xe2\x80\x94 giving up", i);
          record.text_len = strlen (record.text);
          g_ptr_array_add (texts, record.text);
        }
      g_array_append_val (records, record);
    }
  record = (ShardpixRecord) { .type = SHARDPIX_RECORD_DONE, .count = n, .n_ok = n - n / 5,
                              .n_failed = n / 5, .init_us = 4242, .wall_us = 1000000 };
  g_array_append_val (records, record);
  return records;
}

static void
test_one_byte_at_a_time (void)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) records = make_many_records (texts);
  g_autoptr(GByteArray) bytes = encode_all ((ShardpixRecord *) records->data, records->len);

  assert_decodes_to (bytes, (ShardpixRecord *) records->data, records->len, 1, NULL);
}

static void
test_random_chunks (void)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) records = make_many_records (texts);
  g_autoptr(GByteArray) bytes = encode_all ((ShardpixRecord *) records->data, records->len);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240531);
  const gsize max_chunks[] = { 3, 17, 100, 700, 5000 };

  for (gsize i = 0; i < G_N_ELEMENTS (max_chunks); i++)
    for (guint round = 0; round < 4; round++)
      assert_decodes_to (bytes, (ShardpixRecord *) records->data, records->len,
                         max_chunks[i], rand);
}

static void
assert_finish_fails (ShardpixDecoder *decoder, const char *expected_message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (shardpix_decoder_finish (decoder, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, expected_message);
}

static void
test_truncated (void)
{
  const ShardpixRecord records[] = {
    { .type = SHARDPIX_RECORD_END, .count = 1 },
    { .type = SHARDPIX_RECORD_FILE, .index = 1, .text = (char *) "name.jpg", .text_len = 8 },
  };
  g_autoptr(GByteArray) bytes = encode_all (records, G_N_ELEMENTS (records));
  g_autoptr(ShardpixDecoder) decoder = shardpix_decoder_new ();
  g_autoptr(ShardpixDecoder) in_header = shardpix_decoder_new ();
  g_auto(ShardpixRecord) record = { 0 };
  g_autoptr(GError) error = NULL;

  /* The FILE record is 24 bytes; its last 3 never arrive. */
  shardpix_decoder_feed (decoder, bytes->data, bytes->len - 3);
  g_assert_true (shardpix_decoder_next (decoder, &record, &error));
  g_assert_cmpint (record.type, ==, SHARDPIX_RECORD_END);
  g_assert_true (shardpix_decoder_next (decoder, &record, &error));
  g_assert_no_error (error);
  g_assert_cmpint (record.type, ==, SHARDPIX_RECORD_NONE);
  assert_finish_fails (decoder, "stream ended inside a record (21 bytes left) at byte offset 16");

  shardpix_decoder_feed (in_header, bytes->data, 5);
  assert_finish_fails (in_header, "stream ended inside a record (5 bytes left) at byte offset 0");
}

static void
test_empty_stream (void)
{
  g_autoptr(ShardpixDecoder) decoder = shardpix_decoder_new ();
  g_auto(ShardpixRecord) record = { 0 };
  g_autoptr(GError) error = NULL;

  shardpix_decoder_feed (decoder, "", 0);
  g_assert_true (shardpix_decoder_next (decoder, &record, &error));
  g_assert_no_error (error);
  g_assert_cmpint (record.type, ==, SHARDPIX_RECORD_NONE);
  g_assert_true (shardpix_decoder_finish (decoder, &error));
  g_assert_no_error (error);
}

static void
check_long_message (const char *unit, gsize min_len)
{
  g_autoptr(GString) message = g_string_new (NULL);
  g_auto(ShardpixRecord) sent = { .type = SHARDPIX_RECORD_RESULT, .index = 2 };
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GArray) got = NULL;
  const ShardpixRecord *record;

  while (message->len < 100 * 1024)
    g_string_append (message, unit);
  sent.text_len = message->len;
  sent.text = g_string_free (g_steal_pointer (&message), FALSE);
  bytes = encode_all (&sent, 1);
  g_assert_cmpuint (bytes->len, <=, SHARDPIX_PROTOCOL_MAX_RESULT);

  got = decode_all (bytes, G_MAXSIZE, NULL);
  g_assert_cmpuint (got->len, ==, 1);
  record = &g_array_index (got, ShardpixRecord, 0);
  g_assert_false (record->ok);
  g_assert_cmpuint (record->text_len, >=, min_len);
  g_assert_cmpmem (record->text, record->text_len, sent.text, record->text_len);
  if (g_utf8_validate (sent.text, -1, NULL))
    g_assert_true (g_utf8_validate (record->text, (gssize) record->text_len, NULL));
}

static void
test_long_message (void)
{
  /* Plain bytes use the whole record; UTF-8 may give up to 3 bytes to stay
   * on a character boundary. */
  check_long_message ("error! ", MAX_MESSAGE);
  check_long_message ("\xff\xfe", MAX_MESSAGE);
  check_long_message ("\xe2\x82\xac", MAX_MESSAGE - 3);
  check_long_message ("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", MAX_MESSAGE - 3);
}

/* One header (and its payload, zeroed but for one patched byte) that is not a
 * record, fed after a good END record so that the reported offset is 16. */
typedef struct {
  const char *path;
  guint32 magic;
  guint type;
  guint reserved;
  guint32 length;
  int patch_at; /* -1: none */
  guint8 patch_value;
  const char *message;
} GarbageCase;

static const GarbageCase garbage_cases[] = {
  { "bad-magic", SHARDPIX_PROTOCOL_MAGIC ^ 1, 2, 0, 4, -1, 0,
    "bad record magic 0x31585052 at byte offset 16" },
  { "big-endian-magic", 0x53505831, 2, 0, 4, -1, 0,
    "bad record magic 0x53505831 at byte offset 16" },
  { "unknown-type", SHARDPIX_PROTOCOL_MAGIC, 9, 0, 4, -1, 0,
    "unknown record type 9 at byte offset 16" },
  { "type-zero", SHARDPIX_PROTOCOL_MAGIC, 0, 0, 4, -1, 0,
    "unknown record type 0 at byte offset 16" },
  { "reserved", SHARDPIX_PROTOCOL_MAGIC, 2, 0x100, 4, -1, 0,
    "END record with non-zero reserved field 0x0100 at byte offset 16" },
  { "oversized", SHARDPIX_PROTOCOL_MAGIC, 1, 0, SHARDPIX_PROTOCOL_MAX_PAYLOAD + 1, -1, 0,
    "record payload of 65537 bytes exceeds the limit of 65536 bytes (FILE record) at byte offset 16" },
  { "huge-length", SHARDPIX_PROTOCOL_MAGIC, 3, 0, G_MAXUINT32, -1, 0,
    "record payload of 4294967295 bytes exceeds the limit of 65536 bytes (RESULT record) at byte offset 16" },
  { "wrong-size-end", SHARDPIX_PROTOCOL_MAGIC, 2, 0, 5, -1, 0,
    "END record payload of 5 bytes, expected 4 at byte offset 16" },
  { "unknown-type-6", SHARDPIX_PROTOCOL_MAGIC, 6, 0, 4, -1, 0,
    "unknown record type 6 at byte offset 16" },
  { "wrong-size-more", SHARDPIX_PROTOCOL_MAGIC, 5, 0, 0, -1, 0,
    "MORE record payload of 0 bytes, expected 4 at byte offset 16" },
  { "wrong-size-done", SHARDPIX_PROTOCOL_MAGIC, 4, 0, 31, -1, 0,
    "DONE record payload of 31 bytes, expected 32 at byte offset 16" },
  { "short-result", SHARDPIX_PROTOCOL_MAGIC, 3, 0, 23, -1, 0,
    "RESULT record payload of 23 bytes, expected at least 24 at byte offset 16" },
  { "big-result", SHARDPIX_PROTOCOL_MAGIC, 3, 0, SHARDPIX_PROTOCOL_MAX_RESULT - 11, -1, 0,
    "RESULT record of 4097 bytes exceeds the limit of 4096 bytes at byte offset 16" },
  { "empty-path", SHARDPIX_PROTOCOL_MAGIC, 1, 0, 4, -1, 0,
    "FILE record payload of 4 bytes holds no path at byte offset 16" },
  { "ok-with-message", SHARDPIX_PROTOCOL_MAGIC, 3, 0, 30, 4, 1,
    "RESULT record marked ok carries a 6-byte message at byte offset 16" },
  { "ok-byte", SHARDPIX_PROTOCOL_MAGIC, 3, 0, 24, 4, 2,
    "RESULT record with ok byte 2 (not 0 or 1) at byte offset 16" },
  { "result-code", SHARDPIX_PROTOCOL_MAGIC, 3, 0, 24, 5, 99,
    "RESULT record with error code 99 (unknown) at byte offset 16" },
  { "result-padding", SHARDPIX_PROTOCOL_MAGIC, 3, 0, 24, 6, 1,
    "RESULT record with non-zero padding at byte offset 16" },
  { "done-padding", SHARDPIX_PROTOCOL_MAGIC, 4, 0, 32, 12, 1,
    "DONE record with non-zero padding at byte offset 16" },
};

static void
put_le (GByteArray *out, guint64 value, guint n_bytes)
{
  for (guint i = 0; i < n_bytes; i++)
    {
      guint8 byte = (guint8) (value >> (8 * i));

      g_byte_array_append (out, &byte, 1);
    }
}

static void
test_garbage (gconstpointer data)
{
  const GarbageCase *garbage = data;
  const ShardpixRecord end = { .type = SHARDPIX_RECORD_END, .count = 3 };
  g_autoptr(GByteArray) bytes = encode_all (&end, 1);
  g_autoptr(ShardpixDecoder) decoder = shardpix_decoder_new ();
  g_auto(ShardpixRecord) record = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again = NULL;
  gsize payload_start;

  put_le (bytes, garbage->magic, 4);
  put_le (bytes, garbage->type, 2);
  put_le (bytes, garbage->reserved, 2);
  put_le (bytes, garbage->length, 4);
  /* A bogus length is never waited for: the header alone is rejected. */
  payload_start = bytes->len;
  g_byte_array_set_size (bytes, bytes->len + MIN (garbage->length, SHARDPIX_PROTOCOL_MAX_PAYLOAD));
  memset (bytes->data + payload_start, 0, bytes->len - payload_start);
  if (garbage->patch_at >= 0)
    bytes->data[payload_start + (gsize) garbage->patch_at] = garbage->patch_value;

  shardpix_decoder_feed (decoder, bytes->data, bytes->len);
  g_assert_true (shardpix_decoder_next (decoder, &record, &error));
  g_assert_cmpint (record.type, ==, SHARDPIX_RECORD_END);
  g_assert_false (shardpix_decoder_next (decoder, &record, &error));
  g_assert_error (error, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, garbage->message);
  g_assert_cmpint (record.type, ==, SHARDPIX_RECORD_NONE);
  g_assert_null (record.text);

  /* The decoder stays broken, even when good records follow. */
  shardpix_decoder_feed (decoder, bytes->data, 16);
  g_assert_false (shardpix_decoder_next (decoder, &record, &again));
  g_assert_error (again, SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL);
  g_assert_cmpstr (again->message, ==, garbage->message);
  assert_finish_fails (decoder, garbage->message);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/shardpix/protocol/round-trip-file", test_round_trip_file);
  g_test_add_func ("/shardpix/protocol/round-trip-end", test_round_trip_end);
  g_test_add_func ("/shardpix/protocol/round-trip-grants", test_round_trip_grants);
  g_test_add_func ("/shardpix/protocol/round-trip-result", test_round_trip_result);
  g_test_add_func ("/shardpix/protocol/round-trip-done", test_round_trip_done);
  g_test_add_func ("/shardpix/protocol/result-ok-drops-message", test_result_ok_drops_message);
  g_test_add_func ("/shardpix/protocol/wire-format", test_wire_format);
  g_test_add_func ("/shardpix/protocol/awkward-names", test_awkward_names);
  g_test_add_func ("/shardpix/protocol/one-byte-at-a-time", test_one_byte_at_a_time);
  g_test_add_func ("/shardpix/protocol/random-chunks", test_random_chunks);
  g_test_add_func ("/shardpix/protocol/truncated", test_truncated);
  g_test_add_func ("/shardpix/protocol/empty-stream", test_empty_stream);
  g_test_add_func ("/shardpix/protocol/long-message", test_long_message);
  for (gsize i = 0; i < G_N_ELEMENTS (garbage_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/shardpix/protocol/garbage/%s",
                                               garbage_cases[i].path);

      g_test_add_data_func (path, &garbage_cases[i], test_garbage);
    }
  return g_test_run ();
}
