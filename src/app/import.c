/*
 * import and add: records in through ingest, what happened told to the
 * caller's sink as it happens.
 */
#include "app/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app_int.h"
#include "util/i18n.h"

/* The kind called name, or ERR_USAGE as app_check_kind says. */
int
app__kind(const char *name, enum record_kind *kind, struct app_error *err)
{
  if (app_check_kind(name, err) != OK)
    return ERR_USAGE;
  *kind = (enum record_kind)record_kind_by_name(name);
  return OK;
}

int
app__input_kind(const char *name, enum record_kind *kind, struct app_error *err)
{
  if (app__kind(name, kind, err) != OK)
    return ERR_USAGE;
  if (record_kind_internal(*kind))
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "kind",
                     "%s records are written by passage itself", name);
  return OK;
}

void
app__now(char out[32])
{
  /* SOURCE_DATE_EPOCH (reproducible-builds.org) pins the clock, so that a
   * demo or a test makes the same log twice. */
  const char *fixed = getenv("SOURCE_DATE_EPOCH");
  time_t now =
      fixed && fixed[0] ? (time_t)strtoll(fixed, NULL, 10) : time(NULL);
  struct tm tm;

  gmtime_r(&now, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
app__shell_word(struct buf *b, const char *s)
{
  if (s[0] && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                        "0123456789._-/,=:") == strlen(s)) {
    buf_puts(b, s);
    return;
  }
  buf_putc(b, '\'');
  for (; *s; s++)
    if (*s == '\'')
      buf_puts(b, "'\\''");
    else
      buf_putc(b, *s);
  buf_putc(b, '\'');
}

/* One option and its value, as a command line spells it. */
static void
option_word(struct buf *b, const char *name, const char *value)
{
  buf_printf(b, "%s--%s", b->len ? " " : "", name);
  if (value) {
    buf_putc(b, ' ');
    app__shell_word(b, value);
  }
}

/* The options of q that say how the input is read, for the import's
 * record: a workbook's sheet, a preset, the CSV dialect. */
static void
dialect_text(const struct app_import_query *q, struct buf *b)
{
  if (q->sheet)
    option_word(b, "sheet", q->sheet);
  if (q->preset)
    option_word(b, "preset", q->preset);
  if (q->only_validated)
    option_word(b, "only-validated", NULL);
  if (q->delimiter)
    option_word(b, "delimiter", q->delimiter);
  if (q->decimal_comma)
    option_word(b, "decimal-comma", NULL);
  if (q->decimal_point)
    option_word(b, "decimal-point", NULL);
  if (q->date_format)
    option_word(b, "date-format", q->date_format);
  if (q->encoding)
    option_word(b, "encoding", q->encoding);
  if (q->header_row) {
    char n[24];
    snprintf(n, sizeof n, "%lu", q->header_row);
    option_word(b, "header-row", n);
  }
  for (size_t i = 0; i < q->nmissing; i++)
    option_word(b, "missing", q->missing[i]);
  for (size_t i = 0; i < q->nwheres; i++)
    option_word(b, "where", q->wheres[i]);
}

/* The options of q that decide what is stored, as a command line spells
 * them, for the import's record. */
static void
options_text(const struct app_import_query *q, struct buf *b)
{
  static const char *const names[] = {"map", "set", "values"};
  const char *const *lists[] = {q->maps, q->sets, q->values};
  size_t counts[] = {q->nmaps, q->nsets, q->nvalues};

  if (q->format)
    option_word(b, "format", q->format);
  for (int o = 0; o < 3; o++)
    for (size_t i = 0; i < counts[o]; i++)
      option_word(b, names[o], lists[o][i]);
  dialect_text(q, b);
  if (q->create_missing)
    option_word(b, "create-missing", NULL);
  if (q->rejects)
    option_word(b, "skip-invalid", NULL);
}

/* Adds one mapping option's text to o. */
static int
add_mapping(struct ingest_opts *o, const char *option, const char *text,
            struct app_error *err)
{
  struct buf msg;
  int rc;

  buf_init(&msg);
  if (strcmp(option, "map") == 0)
    rc = ingest_add_maps(o, text, &msg);
  else if (strcmp(option, "set") == 0)
    rc = ingest_add_sets(o, text, &msg);
  else if (strcmp(option, "values") == 0)
    rc = ingest_add_labels(o, text, &msg);
  else
    rc = ERR_USAGE;
  if (rc != OK)
    app__fail(err, rc, APP_ERROR_REQUEST, option, "%s",
              msg.len ? msg.data : "not a mapping option");
  buf_cleanup(&msg);
  return rc;
}

int
app_check_mapping(const char *kind, const char *option, const char *text,
                  struct app_error *err)
{
  struct ingest_opts o;
  int rc;

  ingest_opts_init(&o);
  rc = app__input_kind(kind, &o.kind, err);
  if (rc == OK)
    rc = add_mapping(&o, option, text, err);
  ingest_opts_cleanup(&o);
  return rc;
}

/* The texts of one mapping option, added to o. */
static int
add_mappings(struct ingest_opts *o, const char *option,
             const char *const *texts, size_t n, struct app_error *err)
{
  int rc = OK;

  for (size_t i = 0; i < n && rc == OK; i++)
    rc = add_mapping(o, option, texts[i], err);
  return rc;
}

/* The request's failure, from ingest's words in msg. */
static int
dialect_fail(struct app_error *err, const char *field, struct buf *msg)
{
  app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, field, "%s", msg->data);
  buf_cleanup(msg);
  return ERR_USAGE;
}

/* The options that say how the input is written, checked. */
static int
dialect_opts(const struct app_import_query *q, struct ingest_opts *o,
             struct app_error *err)
{
  struct buf msg;

  buf_init(&msg);
  if (q->decimal_comma && q->decimal_point) {
    buf_puts(&msg, _("--decimal-comma and --decimal-point: give one of them"));
    return dialect_fail(err, "decimal", &msg);
  }
  o->decimal = q->decimal_comma   ? INGEST_DECIMAL_COMMA
               : q->decimal_point ? INGEST_DECIMAL_POINT
                                  : INGEST_DECIMAL_AUTO;
  if (q->delimiter && ingest_set_delimiter(o, q->delimiter, &msg) != OK)
    return dialect_fail(err, "delimiter", &msg);
  if (q->date_format && ingest_set_date_format(o, q->date_format, &msg) != OK)
    return dialect_fail(err, "date_format", &msg);
  if (q->encoding && ingest_set_encoding(o, q->encoding, &msg) != OK)
    return dialect_fail(err, "encoding", &msg);
  if (q->preset && ingest_set_preset(o, q->preset, &msg) != OK)
    return dialect_fail(err, "preset", &msg);
  if (q->only_validated && o->preset == INGEST_PRESET_NONE) {
    buf_puts(&msg, _("--only-validated: give the tool too: --preset kobo or "
                     "--preset odk"));
    return dialect_fail(err, "only_validated", &msg);
  }
  for (size_t i = 0; i < q->nmissing; i++)
    if (ingest_add_missing(o, q->missing[i], &msg) != OK)
      return dialect_fail(err, "missing", &msg);
  for (size_t i = 0; i < q->nwheres; i++)
    if (ingest_add_where(o, q->wheres[i], &msg) != OK)
      return dialect_fail(err, "where", &msg);
  o->sheet = q->sheet;
  o->header_row = q->header_row;
  o->only_validated = q->only_validated;
  buf_cleanup(&msg);
  return OK;
}

/* q as ingest's options, checked. HXL is read as CSV: its hashtag row is
 * recognised by itself; a workbook is known by its bytes. */
/* ingest_opts.admit for a limited token: ctx is its principal. */
static int
admit(void *ctx, const struct record *rec, struct buf *why)
{
  const char *cp = record_get(rec, "checkpoint");

  if (app__may_write(ctx, rec))
    return OK;
  buf_reset(why);
  buf_printf(why,
             _("field 'checkpoint': this token may write only for checkpoints "
               "it names, not for '%s'"),
             cp ? cp : "(none)");
  return ERR_DENIED;
}

static int
import_opts(const struct app_import_query *q, struct ingest_opts *o,
            struct app_error *err)
{
  static const char *const formats[] = {"csv", "hxl", "xlsx", "ods", NULL};
  int rc = app__input_kind(q->kind, &o->kind, err), known = 0;

  if (rc != OK)
    return rc;
  for (const char *const *f = formats; q->format && *f; f++)
    known |= strcmp(q->format, *f) == 0;
  if (q->format && strcmp(q->format, "jsonl") == 0)
    o->format = INGEST_JSONL;
  else if (q->format && !known)
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "format",
                     "--format: expected csv, xlsx, ods or jsonl, got '%s'",
                     q->format);
  if ((rc = add_mappings(o, "map", q->maps, q->nmaps, err)) != OK ||
      (rc = add_mappings(o, "set", q->sets, q->nsets, err)) != OK ||
      (rc = add_mappings(o, "values", q->values, q->nvalues, err)) != OK ||
      (rc = dialect_opts(q, o, err)) != OK)
    return rc;
  if (q->who && q->who->checkpoints) {
    if (q->create_missing)
      return app__fail(err, ERR_DENIED, APP_ERROR_OPERATION, "create_missing",
                       "this token may write only for checkpoints it names: "
                       "it may not create records with create_missing");
    o->admit = admit;
    o->admit_ctx = (void *)q->who;
  }
  o->create_missing = q->create_missing;
  o->rejects = q->rejects;
  o->max_errors = q->max_errors;
  o->max_line = q->max_line;
  o->allow_future = q->allow_future;
  return OK;
}

int
app__import_done(struct store *st, int rc, struct app_import_result *out,
                 struct app_error *err)
{
  enum app_error_kind kind =
      rc == ERR_STORE || rc == ERR_RETRY ? APP_ERROR_PROGRAM : APP_ERROR_INPUT;

  out->size = store_size(st);
  if (rc == OK)
    return OK;
  return app__fail(err, rc, kind, rc == ERR_USAGE ? "map" : NULL, NULL);
}

int
app_import(struct app *app, const struct app_import_query *q,
           const struct ingest_sink *sink, struct app_import_result *out,
           struct app_error *err)
{
  struct ingest_opts o;
  struct store *st;
  struct buf options;
  char now[32];
  int rc;

  memset(out, 0, sizeof *out);
  out->stats.import_seq = UINT64_MAX;
  ingest_opts_init(&o);
  buf_init(&options);
  app__page_cache(app, APP_IMPORT_PAGE_CACHE);
  if ((rc = import_opts(q, &o, err)) != OK ||
      (rc = app__store(app, 0, &st, err)) != OK)
    goto out;
  /* Every import is recorded in the log (ingest.h). */
  app__now(now);
  options_text(q, &options);
  o.record_at = now;
  o.options = options.data;
  if (q->nfiles)
    rc = ingest_files(st, &o, sink, q->files, q->nfiles, &out->stats);
  else
    rc = ingest_buffer(st, &o, sink, q->name ? q->name : "upload", q->data,
                       q->len, &out->stats);
  rc = app__import_done(st, rc, out, err);
out:
  ingest_opts_cleanup(&o);
  buf_cleanup(&options);
  return rc;
}
