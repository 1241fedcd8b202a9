/* What one run does to each image, and where the results go. The supervisor
 * turns a job into worker arguments and the worker turns them back, so both
 * sides share these definitions; nothing here touches libvips. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  SHARDPIX_FAIL_ON_NONE,
  SHARDPIX_FAIL_ON_TRUNCATED,
  SHARDPIX_FAIL_ON_ERROR,
  SHARDPIX_FAIL_ON_WARNING,
} ShardpixFailOn;

/* --crop: fill the box and crop what sticks out, keeping the middle or
 * what libvips finds interesting. NONE fits inside the box. */
typedef enum {
  SHARDPIX_CROP_NONE,
  SHARDPIX_CROP_CENTRE,
  SHARDPIX_CROP_ATTENTION,
  SHARDPIX_CROP_ENTROPY,
} ShardpixCrop;

/* --gray: how colour becomes grey. REC601 weighs the stored values
 * (0.299 R + 0.587 G + 0.114 B): JPEG's own Y channel, and what Pillow and
 * OpenCV compute. LINEAR is libvips' b-w, luminance in linear light; the
 * two differ by tens of levels on saturated colours. */
typedef enum {
  SHARDPIX_GRAY_REC601,
  SHARDPIX_GRAY_LINEAR,
} ShardpixGray;

typedef struct {
  char *input_dir;
  char *output_dir;
  int width;
  int height;
  int quality;  /* for lossy savers */
  int threads;  /* libvips threads per worker */
  ShardpixFailOn fail_on;
  gboolean force;         /* "WxH!": exactly that size, aspect ratio ignored */
  ShardpixCrop crop;
  gboolean enlarge;       /* upscale images smaller than the box */
  gboolean no_rotate;     /* keep pixels as stored, ignore EXIF orientation */
  gboolean keep_metadata;
  gboolean color;         /* skip the grayscale step */
  ShardpixGray gray;
  gboolean no_fast_paths; /* always decode through libvips (see fastload.h) */
  char *output_name;      /* "tn_%s.webp[Q=80]" (see output-name.h), or NULL: same name */
  char *format;           /* --format, folded into output_name when finished */
  gint64 max_pixels; /* refuse images whose header declares more; 0: no limit */
  int prefetch;      /* files a worker opens and reads ahead (see prefetch.h); 0: none */
  gboolean follow_symlinks; /* open input links that lead outside INPUT_DIR too */
  char *run_token;   /* names this run's temporary files (see shardpix_output_name_temp) */
  /* refuse images libvips must decode whole into more MB (memguard.h); 0:
   * no limit; SHARDPIX_JOB_AUTO_MAX_BUFFER: the worker's share of memory */
  gint64 max_buffer_mb;
} ShardpixJob;

#define SHARDPIX_JOB_DEFAULT_SIZE 256
#define SHARDPIX_JOB_DEFAULT_QUALITY 85
#define SHARDPIX_JOB_DEFAULT_MAX_PIXELS (G_GINT64_CONSTANT (16384) * 16384)
#define SHARDPIX_JOB_DEFAULT_PREFETCH 2
#define SHARDPIX_JOB_MAX_PREFETCH 64
#define SHARDPIX_JOB_AUTO_MAX_BUFFER (-1)

/* Every field at its option's default (options.c). */
void shardpix_job_init (ShardpixJob *job);
void shardpix_job_clear (ShardpixJob *job);

/* "256x192" or "256" (a square box). Refuses zero, negatives, trailing
 * garbage and sizes above 100000. */
gboolean shardpix_job_parse_size (const char *text, int *width, int *height,
                                  GError **error);
/* As above, with a trailing '!' ("256x192!") setting @force. */
gboolean shardpix_job_parse_box (const char *text, int *width, int *height,
                                 gboolean *force, GError **error);
gboolean shardpix_job_parse_crop (const char *text, ShardpixCrop *crop, GError **error);
const char *shardpix_job_crop_name (ShardpixCrop crop);
gboolean shardpix_job_parse_gray (const char *text, ShardpixGray *gray, GError **error);
const char *shardpix_job_gray_name (ShardpixGray gray);
gboolean shardpix_job_parse_fail_on (const char *text, ShardpixFailOn *fail_on,
                                     GError **error);
const char *shardpix_job_fail_on_name (ShardpixFailOn fail_on);

/* The job's side of the option table (lib/options.c, options.h). */

/* Checks the whole job, once it is complete (input_dir set): each option's
 * range and checks, and the options that exclude each other. */
gboolean shardpix_job_validate (const ShardpixJob *job, GError **error);

/* Appends the options that make a worker do this job, each once
 * ("--size=640x480!", "--quality=85", ...): the inverse of
 * shardpix_job_option_group(). */
void shardpix_job_append_args (const ShardpixJob *job, GPtrArray *argv);

/* The end every child's command line shares: the job's options, "--",
 * INPUT_DIR, @output_dir and the NULL that ends an argv. */
void shardpix_job_finish_argv (const ShardpixJob *job, const char *output_dir, GPtrArray *argv);

/* A worker's command line: @worker_exe "worker", then the end above with
 * the job's own output folder. */
GPtrArray *shardpix_job_worker_argv (const ShardpixJob *job, const char *worker_exe);

/* The image options of `run` (bench and the worker use
 * shardpix_options_group()). The strings it parses into live in @job until
 * shardpix_job_finish_options(), which folds --format into --output-name,
 * validates, and draws the run token; call it once, on the complete job. */
GOptionGroup *shardpix_job_option_group (ShardpixJob *job);
gboolean shardpix_job_finish_options (ShardpixJob *job, GError **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShardpixJob, shardpix_job_clear)

G_END_DECLS
