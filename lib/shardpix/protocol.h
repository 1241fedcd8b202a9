/* The records a supervisor and its workers exchange over pipes.
 *
 * Parent -> child (the child's stdin): one FILE record per image of the
 * shard, then one END record carrying how many FILE records were sent, so
 * that a child can tell a complete list from a cut one.
 *
 * Under --balance dynamic the list comes in grants: FILE records then MORE
 * (carrying how many FILE records this grant held), meaning "process these,
 * then wait for the next grant". The supervisor sends the next grant when
 * the last RESULT of the previous one arrives; the last grant ends with END
 * (possibly with no FILE record: nothing left). END and MORE count the FILE
 * records since the previous MORE; DONE counts every RESULT.
 *
 * Child -> parent (the child's stdout): one RESULT record per image, in the
 * order the images were sent, then one DONE record. A child that exits
 * without DONE did not finish its shard, whatever its exit status says.
 *
 * Every record is a 12-byte header (magic, type, payload length; all
 * little-endian) followed by the payload. File names are carried as raw
 * bytes with a length, so any byte a name can hold (newlines, invalid UTF-8,
 * 4 KiB paths) survives. A RESULT record is at most PIPE_BUF bytes (the
 * message is cut to fit), so each one is a single atomic write(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHARDPIX_PROTOCOL_MAGIC 0x31585053u /* "SPX1" read little-endian */
#define SHARDPIX_PROTOCOL_HEADER_SIZE 12
#define SHARDPIX_PROTOCOL_MAX_PAYLOAD (64 * 1024)
#define SHARDPIX_PROTOCOL_MAX_RESULT 4096 /* PIPE_BUF on Linux */

typedef enum {
  SHARDPIX_RECORD_NONE = 0, /* no complete record buffered yet */
  SHARDPIX_RECORD_FILE = 1,
  SHARDPIX_RECORD_END = 2,
  SHARDPIX_RECORD_RESULT = 3,
  SHARDPIX_RECORD_DONE = 4,
  SHARDPIX_RECORD_MORE = 5,
} ShardpixRecordType;

typedef struct {
  ShardpixRecordType type;

  /* FILE, RESULT: the image's index in the whole listing. */
  guint32 index;

  /* FILE: path relative to the input folder (NUL-terminated copy of the
   * text_len raw bytes). RESULT: the error message when !ok, else NULL. */
  char *text;
  gsize text_len;

  /* END, MORE: number of FILE records in this grant. DONE: number of RESULT
   * records sent. */
  guint32 count;

  /* RESULT */
  gboolean ok;
  guint32 code;     /* when !ok: the ShardpixError code of what failed */
  guint64 start_us; /* when the image was started, since the worker started */
  guint64 wall_us;  /* RESULT: the image's wall time; DONE: the worker's */

  /* DONE */
  guint32 n_ok;
  guint32 n_failed;
  guint64 init_us; /* time spent initialising libvips */
} ShardpixRecord;

/* A failed RESULT with code SHARDPIX_ERROR_OUTPUT could not write its output
 * for a reason the next file will share (disk full, read-only, quota,
 * permission): the supervisor stops a run after several in a row. Its
 * message starts with this, for the reader. */
#define SHARDPIX_PROTOCOL_OUTPUT_ERROR "output not writable: "

gboolean shardpix_protocol_is_output_error (const ShardpixRecord *record);

/* Fills a RESULT's ok, code and text from the outcome of one image: @error
 * NULL is a success; an error of another domain than SHARDPIX_ERROR is an
 * image error. The text points into @error. */
void shardpix_record_set_outcome (ShardpixRecord *record, const GError *error);

/* Appends the encoding of @record to @out. A RESULT message is cut so that
 * the whole record fits in SHARDPIX_PROTOCOL_MAX_RESULT bytes. */
void shardpix_protocol_encode (GByteArray *out, const ShardpixRecord *record);

void shardpix_record_clear (ShardpixRecord *record);

typedef struct _ShardpixDecoder ShardpixDecoder;

ShardpixDecoder *shardpix_decoder_new (void);
void shardpix_decoder_free (ShardpixDecoder *decoder);

/* Appends bytes read from the stream. */
void shardpix_decoder_feed (ShardpixDecoder *decoder, const void *data, gsize len);

/* Takes the next complete record out of the buffer. Returns FALSE with
 * SHARDPIX_ERROR_PROTOCOL on bytes that are not a record (bad magic, unknown
 * type, payload too long or of the wrong size for its type); the decoder is
 * then unusable. Returns TRUE with record->type == SHARDPIX_RECORD_NONE when
 * more bytes are needed. The record must be cleared by the caller. */
gboolean shardpix_decoder_next (ShardpixDecoder *decoder, ShardpixRecord *record,
                                GError **error);

/* To be called at end of stream: fails when a partial record is left. */
gboolean shardpix_decoder_finish (ShardpixDecoder *decoder, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShardpixDecoder, shardpix_decoder_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShardpixRecord, shardpix_record_clear)

G_END_DECLS
