/* Encoding and decoding of the records described in protocol.h. Every
 * multi-byte field is assembled byte by byte, so the wire format is
 * little-endian on any host and no unaligned pointer is ever dereferenced. */
#include "shardpix/protocol.h"

#include <string.h>

#include "shardpix/error.h"

#define PROTOCOL_INDEX_SIZE 4
#define PROTOCOL_END_SIZE 4
#define PROTOCOL_RESULT_FIXED_SIZE 24
#define PROTOCOL_DONE_SIZE 32
#define PROTOCOL_MAX_MESSAGE                                                   \
  (SHARDPIX_PROTOCOL_MAX_RESULT - SHARDPIX_PROTOCOL_HEADER_SIZE                \
   - PROTOCOL_RESULT_FIXED_SIZE)

struct _ShardpixDecoder {
  GByteArray *buffer;
  gsize offset;      /* start of the bytes not yet decoded in @buffer */
  guint64 position;  /* stream offset of buffer->data[offset], for messages */
  GError *error;     /* once set, every call fails with a copy of it */
};

static const char *const protocol_type_names[] = {
  [SHARDPIX_RECORD_FILE] = "FILE",
  [SHARDPIX_RECORD_END] = "END",
  [SHARDPIX_RECORD_RESULT] = "RESULT",
  [SHARDPIX_RECORD_DONE] = "DONE",
  [SHARDPIX_RECORD_MORE] = "MORE",
};

static void
protocol_put (GByteArray *out, guint64 value, guint n_bytes)
{
  guint8 bytes[8];

  for (guint i = 0; i < n_bytes; i++)
    bytes[i] = (guint8) (value >> (8 * i));
  g_byte_array_append (out, bytes, n_bytes);
}

static guint64
protocol_get (const guint8 *data, guint n_bytes)
{
  guint64 value = 0;

  for (guint i = n_bytes; i-- > 0;)
    value = (value << 8) | data[i];
  return value;
}

static void
protocol_put_header (GByteArray *out, ShardpixRecordType type, gsize payload_len)
{
  protocol_put (out, SHARDPIX_PROTOCOL_MAGIC, 4);
  protocol_put (out, type, 2);
  protocol_put (out, 0, 2);
  protocol_put (out, payload_len, 4);
}

/* A RESULT has to fit in one atomic write(). When the message is valid UTF-8
 * the cut backs off to a character boundary, so the parent can still show it
 * as text; other bytes are cut where the limit falls. */
static gsize
protocol_cut_message (const char *text, gsize len)
{
  gsize cut = PROTOCOL_MAX_MESSAGE;

  if (len <= cut)
    return len;
  if (g_utf8_validate_len (text, len, NULL))
    while (cut > 0 && ((guchar) text[cut] & 0xc0) == 0x80)
      cut--;
  return cut;
}

void
shardpix_protocol_encode (GByteArray *out, const ShardpixRecord *record)
{
  gsize text_len = record->text != NULL ? record->text_len : 0;
  gsize message_len;

  switch (record->type)
    {
    case SHARDPIX_RECORD_FILE:
      g_return_if_fail (text_len >= 1);
      g_return_if_fail (text_len <= SHARDPIX_PROTOCOL_MAX_PAYLOAD - PROTOCOL_INDEX_SIZE);
      protocol_put_header (out, record->type, PROTOCOL_INDEX_SIZE + text_len);
      protocol_put (out, record->index, 4);
      g_byte_array_append (out, (const guint8 *) record->text, (guint) text_len);
      break;

    case SHARDPIX_RECORD_END:
    case SHARDPIX_RECORD_MORE:
      protocol_put_header (out, record->type, PROTOCOL_END_SIZE);
      protocol_put (out, record->count, 4);
      break;

    case SHARDPIX_RECORD_RESULT:
      /* A success carries no message, whatever the caller left in text. */
      message_len = record->ok ? 0 : protocol_cut_message (record->text, text_len);
      protocol_put_header (out, record->type, PROTOCOL_RESULT_FIXED_SIZE + message_len);
      protocol_put (out, record->index, 4);
      protocol_put (out, record->ok ? 1 : 0, 1);
      protocol_put (out, record->ok ? 0 : record->code, 1);
      protocol_put (out, 0, 2);
      protocol_put (out, record->start_us, 8);
      protocol_put (out, record->wall_us, 8);
      if (message_len > 0)
        g_byte_array_append (out, (const guint8 *) record->text, (guint) message_len);
      break;

    case SHARDPIX_RECORD_DONE:
      protocol_put_header (out, record->type, PROTOCOL_DONE_SIZE);
      protocol_put (out, record->count, 4);
      protocol_put (out, record->n_ok, 4);
      protocol_put (out, record->n_failed, 4);
      protocol_put (out, 0, 4);
      protocol_put (out, record->init_us, 8);
      protocol_put (out, record->wall_us, 8);
      break;

    case SHARDPIX_RECORD_NONE:
    default:
      g_return_if_reached ();
    }
}

void
shardpix_record_clear (ShardpixRecord *record)
{
  g_free (record->text);
  memset (record, 0, sizeof *record);
}

ShardpixDecoder *
shardpix_decoder_new (void)
{
  ShardpixDecoder *decoder = g_new0 (ShardpixDecoder, 1);

  decoder->buffer = g_byte_array_new ();
  return decoder;
}

void
shardpix_decoder_free (ShardpixDecoder *decoder)
{
  if (decoder == NULL)
    return;
  g_byte_array_unref (decoder->buffer);
  g_clear_error (&decoder->error);
  g_free (decoder);
}

/* Consumed bytes are dropped only once they are at least half of the buffer,
 * so each byte is moved a bounded number of times however small the records
 * and however many are buffered at once. */
static void
protocol_compact (ShardpixDecoder *decoder)
{
  if (decoder->offset == 0 || decoder->offset < decoder->buffer->len / 2)
    return;
  g_byte_array_remove_range (decoder->buffer, 0, (guint) decoder->offset);
  decoder->offset = 0;
}

void
shardpix_decoder_feed (ShardpixDecoder *decoder, const void *data, gsize len)
{
  /* Nothing will be decoded any more; do not let a broken peer fill memory. */
  if (decoder->error != NULL || len == 0)
    return;
  protocol_compact (decoder);
  g_return_if_fail (len <= G_MAXUINT - decoder->buffer->len);
  g_byte_array_append (decoder->buffer, data, (guint) len);
}

static gboolean
protocol_fail (ShardpixDecoder *decoder, GError **error, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
protocol_fail (ShardpixDecoder *decoder, GError **error, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  /* The offset of the record's first byte, so that a dump of the stream can
   * be held against the message. */
  decoder->error = g_error_new (SHARDPIX_ERROR, SHARDPIX_ERROR_PROTOCOL,
                                "%s at byte offset %" G_GUINT64_FORMAT, what,
                                decoder->position);
  g_propagate_error (error, g_error_copy (decoder->error));
  return FALSE;
}

static gboolean
protocol_failed_before (ShardpixDecoder *decoder, GError **error)
{
  if (decoder->error == NULL)
    return FALSE;
  g_propagate_error (error, g_error_copy (decoder->error));
  return TRUE;
}

/* Everything that can be judged from the header alone is, so that garbage is
 * caught before its bogus payload length is waited for. */
static gboolean
protocol_check_header (ShardpixDecoder *decoder, const guint8 *header, GError **error)
{
  guint magic = (guint) protocol_get (header, 4);
  guint type = (guint) protocol_get (header + 4, 2);
  guint reserved = (guint) protocol_get (header + 6, 2);
  guint length = (guint) protocol_get (header + 8, 4);
  const char *name;
  guint expected;

  if (magic != SHARDPIX_PROTOCOL_MAGIC)
    return protocol_fail (decoder, error, "bad record magic 0x%08x", magic);
  if (type < SHARDPIX_RECORD_FILE || type > SHARDPIX_RECORD_MORE)
    return protocol_fail (decoder, error, "unknown record type %u", type);
  name = protocol_type_names[type];
  if (reserved != 0)
    return protocol_fail (decoder, error, "%s record with non-zero reserved field 0x%04x",
                          name, reserved);
  if (length > SHARDPIX_PROTOCOL_MAX_PAYLOAD)
    return protocol_fail (decoder, error,
                          "record payload of %u bytes exceeds the limit of %u bytes (%s record)",
                          length, (guint) SHARDPIX_PROTOCOL_MAX_PAYLOAD, name);

  switch (type)
    {
    case SHARDPIX_RECORD_FILE:
      if (length <= PROTOCOL_INDEX_SIZE)
        return protocol_fail (decoder, error, "FILE record payload of %u bytes holds no path",
                              length);
      break;

    case SHARDPIX_RECORD_END:
    case SHARDPIX_RECORD_MORE:
    case SHARDPIX_RECORD_DONE:
      expected = type != SHARDPIX_RECORD_DONE ? PROTOCOL_END_SIZE : PROTOCOL_DONE_SIZE;
      if (length != expected)
        return protocol_fail (decoder, error, "%s record payload of %u bytes, expected %u",
                              name, length, expected);
      break;

    case SHARDPIX_RECORD_RESULT:
      if (length < PROTOCOL_RESULT_FIXED_SIZE)
        return protocol_fail (decoder, error,
                              "RESULT record payload of %u bytes, expected at least %u",
                              length, (guint) PROTOCOL_RESULT_FIXED_SIZE);
      /* The encoder never writes more, and more would not be one atomic write. */
      if (length > SHARDPIX_PROTOCOL_MAX_RESULT - SHARDPIX_PROTOCOL_HEADER_SIZE)
        return protocol_fail (decoder, error,
                              "RESULT record of %u bytes exceeds the limit of %u bytes",
                              length + SHARDPIX_PROTOCOL_HEADER_SIZE,
                              (guint) SHARDPIX_PROTOCOL_MAX_RESULT);
      break;

    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static void
protocol_copy_text (ShardpixRecord *record, const guint8 *data, gsize len)
{
  record->text = g_malloc (len + 1);
  memcpy (record->text, data, len);
  record->text[len] = '\0';
  record->text_len = len;
}

/* The header has been checked and the whole payload is buffered; nothing is
 * stored in @record before the payload is known to be good. */
static gboolean
protocol_parse_payload (ShardpixDecoder *decoder, ShardpixRecordType type, const guint8 *p,
                        gsize length, ShardpixRecord *record, GError **error)
{
  gsize message_len;

  switch (type)
    {
    case SHARDPIX_RECORD_FILE:
      record->index = (guint32) protocol_get (p, 4);
      protocol_copy_text (record, p + PROTOCOL_INDEX_SIZE, length - PROTOCOL_INDEX_SIZE);
      break;

    case SHARDPIX_RECORD_END:
    case SHARDPIX_RECORD_MORE:
      record->count = (guint32) protocol_get (p, 4);
      break;

    case SHARDPIX_RECORD_RESULT:
      message_len = length - PROTOCOL_RESULT_FIXED_SIZE;
      if (p[4] > 1)
        return protocol_fail (decoder, error, "RESULT record with ok byte %u (not 0 or 1)",
                              (guint) p[4]);
      if (p[6] != 0 || p[7] != 0)
        return protocol_fail (decoder, error, "RESULT record with non-zero padding");
      if ((p[4] == 1 && p[5] != 0) || p[5] > SHARDPIX_ERROR_LAST)
        return protocol_fail (decoder, error, "RESULT record with error code %u%s", (guint) p[5],
                              p[4] == 1 ? " but marked ok" : " (unknown)");
      if (p[4] == 1 && message_len > 0)
        return protocol_fail (decoder, error,
                              "RESULT record marked ok carries a %" G_GSIZE_FORMAT "-byte message",
                              message_len);
      record->index = (guint32) protocol_get (p, 4);
      record->ok = p[4] == 1;
      record->code = p[5];
      record->start_us = protocol_get (p + 8, 8);
      record->wall_us = protocol_get (p + 16, 8);
      if (message_len > 0)
        protocol_copy_text (record, p + PROTOCOL_RESULT_FIXED_SIZE, message_len);
      break;

    case SHARDPIX_RECORD_DONE:
      if (protocol_get (p + 12, 4) != 0)
        return protocol_fail (decoder, error, "DONE record with non-zero padding");
      record->count = (guint32) protocol_get (p, 4);
      record->n_ok = (guint32) protocol_get (p + 4, 4);
      record->n_failed = (guint32) protocol_get (p + 8, 4);
      record->init_us = protocol_get (p + 16, 8);
      record->wall_us = protocol_get (p + 24, 8);
      break;

    case SHARDPIX_RECORD_NONE:
    default:
      g_assert_not_reached ();
    }
  record->type = type;
  return TRUE;
}

gboolean
shardpix_decoder_next (ShardpixDecoder *decoder, ShardpixRecord *record, GError **error)
{
  const guint8 *header;
  gsize available;
  gsize length;

  /* Zeroed, not cleared: the caller may hand in an uninitialised record. */
  memset (record, 0, sizeof *record);
  if (protocol_failed_before (decoder, error))
    return FALSE;

  available = decoder->buffer->len - decoder->offset;
  if (available < SHARDPIX_PROTOCOL_HEADER_SIZE)
    return TRUE;
  header = decoder->buffer->data + decoder->offset;
  if (!protocol_check_header (decoder, header, error))
    return FALSE;
  length = (gsize) protocol_get (header + 8, 4);
  if (available - SHARDPIX_PROTOCOL_HEADER_SIZE < length)
    return TRUE;

  if (!protocol_parse_payload (decoder, (ShardpixRecordType) protocol_get (header + 4, 2),
                               header + SHARDPIX_PROTOCOL_HEADER_SIZE, length, record, error))
    return FALSE;
  decoder->offset += SHARDPIX_PROTOCOL_HEADER_SIZE + length;
  decoder->position += SHARDPIX_PROTOCOL_HEADER_SIZE + length;
  return TRUE;
}

gboolean
shardpix_decoder_finish (ShardpixDecoder *decoder, GError **error)
{
  gsize left;

  if (protocol_failed_before (decoder, error))
    return FALSE;
  left = decoder->buffer->len - decoder->offset;
  if (left > 0)
    return protocol_fail (decoder, error,
                          "stream ended inside a record (%" G_GSIZE_FORMAT " bytes left)", left);
  return TRUE;
}

gboolean
shardpix_protocol_is_output_error (const ShardpixRecord *record)
{
  return record->type == SHARDPIX_RECORD_RESULT && !record->ok
         && record->code == SHARDPIX_ERROR_OUTPUT;
}

void
shardpix_record_set_outcome (ShardpixRecord *record, const GError *error)
{
  record->ok = error == NULL;
  record->code = 0;
  record->text = NULL;
  record->text_len = 0;
  if (error == NULL)
    return;
  record->code = error->domain == SHARDPIX_ERROR && error->code <= SHARDPIX_ERROR_LAST
                   ? (guint32) error->code
                   : SHARDPIX_ERROR_IMAGE;
  record->text = error->message;
  record->text_len = strlen (error->message);
}
