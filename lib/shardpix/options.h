/* The image options, each described once: its names, value, help, default,
 * the commands that take it, the ShardpixJob field it fills, how it travels
 * to a worker and the members of the report's "settings" it writes. From
 * this one table come the GOptionGroup of run, bench and worker
 * (shardpix_job_option_group()), a worker's argv
 * (shardpix_job_append_args()), the defaults (shardpix_job_init()), the
 * range checks (shardpix_job_validate()) and the JSON settings
 * (report-json.c). test-option-table.c checks every entry against --help,
 * the man page, the README, a real run's report and what its workers
 * parsed.
 *
 * The commands' own options (--jobs, --mode, --slice, ...) are a second
 * table, lib/options-run.c, bound to each command's fields in cmd/.
 *
 * A new image option is a ShardpixJob field, one entry in lib/options.c,
 * a paragraph in docs/shardpix.1.scd, a row in README.md, a member in
 * docs/report-json.md and a sample value in test/test-option-table.c; a
 * new option of run is an entry in lib/options-run.c and a line in the
 * command's ShardpixOptionField list, and the same docs. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "shardpix/job.h"

G_BEGIN_DECLS

typedef enum {
  SHARDPIX_OPTION_FLAG,     /* gboolean field, takes no value */
  SHARDPIX_OPTION_INT,      /* int field, min to max */
  SHARDPIX_OPTION_INT64,    /* gint64 field, min to max */
  SHARDPIX_OPTION_STRING,   /* char * field, UTF-8 */
  SHARDPIX_OPTION_FILENAME, /* char * field, bytes */
  SHARDPIX_OPTION_CUSTOM,   /* parsed and written back by callbacks */
} ShardpixOptionKind;

/* Which commands take an option. WORKER: it travels in a worker's argv. */
typedef enum {
  SHARDPIX_COMMAND_RUN = 1 << 0,
  SHARDPIX_COMMAND_BENCH = 1 << 1,
  SHARDPIX_COMMAND_WORKER = 1 << 2,
  SHARDPIX_COMMAND_PLAN = 1 << 3,
} ShardpixCommands;

#define SHARDPIX_COMMAND_IMAGES \
  (SHARDPIX_COMMAND_RUN | SHARDPIX_COMMAND_BENCH | SHARDPIX_COMMAND_WORKER)

typedef struct ShardpixOption ShardpixOption;

struct ShardpixOption {
  const char *long_name;
  char short_name;          /* 0: none */
  ShardpixOptionKind kind;
  const char *placeholder;  /* the value's name in --help and the docs; NULL for a flag */
  const char *help;
  guint commands;           /* ShardpixCommands */
  gboolean hidden;          /* internal: not in --help nor the docs */
  gsize offset;             /* of its ShardpixJob field (CUSTOM: unused) */
  /* The default: a number for FLAG, INT, INT64; a value parsed as the
   * command line would for CUSTOM (NULL: the field stays zero). */
  gint64 default_value;
  const char *default_text;
  /* INT, INT64: accepted range, and how a message says it. */
  gint64 min, max;
  const char *range;
  /* CUSTOM: parse @text into @job, and the value that parses back to the
   * same (NULL: nothing to pass). */
  gboolean (*parse) (ShardpixJob *job, const char *text, GError **error);
  char *(*format) (const ShardpixJob *job);
  /* More checks on the whole job, after parsing. */
  gboolean (*check) (const ShardpixJob *job, GError **error);
  /* Members of "settings" it writes, separated by spaces (NULL: none),
   * and, when they are not one member of its kind, how. */
  const char *json_members;
  void (*json) (JsonBuilder *builder, const ShardpixJob *job);
};

/* The image options, ending with an entry whose long_name is NULL. */
const ShardpixOption *shardpix_options_job (void);

/* The entry of --@long_name, or NULL. */
const ShardpixOption *shardpix_options_find (const char *long_name);

/* The option group of @command (one ShardpixCommands bit): what it parses
 * goes into @job. */
GOptionGroup *shardpix_options_group (ShardpixJob *job, ShardpixCommands command);

/* @option as GOptionContext takes it, its value landing in @arg_data. */
GOptionEntry shardpix_options_entry (const ShardpixOption *option, gpointer arg_data);

/* The value of @option in @job as the command line would give it ("640x480",
 * "42", "none"); NULL for an unset flag or string. */
char *shardpix_options_value (const ShardpixOption *option, const ShardpixJob *job);

/* The options of the commands themselves (run, plan, bench: workers,
 * shards, modes, reports, slices, manifests), one entry for each meaning:
 * --shards is three, as each command cuts differently. Their values land
 * in the command's own structure: see shardpix_options_add_fields(). */
const ShardpixOption *shardpix_options_run (void);

/* Where the value of --@long_name lands: a field of the type its kind
 * says (gboolean, int, gint64, char *), its size checked. Written
 * SHARDPIX_OPTION_FIELD ("jobs", options.jobs). */
typedef struct {
  const char *long_name;
  gpointer field;
  gsize size;
} ShardpixOptionField;

#define SHARDPIX_OPTION_FIELD(long_name, field) { long_name, &(field), sizeof (field) }

/* Adds to @context's main group the options of shardpix_options_run()
 * that @command takes, for each of @fields (ended by a NULL long_name). */
void shardpix_options_add_fields (GOptionContext *context, ShardpixCommands command,
                                  const ShardpixOptionField *fields);

G_END_DECLS
