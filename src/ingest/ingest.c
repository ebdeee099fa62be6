/*
 * The import pipeline: rows -> fields (mapping, label translation, reference
 * resolution) -> record validation -> canonical bytes -> store. One
 * transaction per import; any invalid row rolls the whole import back unless
 * rejects are being written. Files are read on a thread of their own while
 * the calling thread writes (handoff.h).
 */
#include "ingest/ingest.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/csv.h"
#include "ingest/handoff.h"
#include "ledger/ledger.h"

/* The kinds that records refer to by id, with --create-missing. The lists
 * of names for the summary are numbered: 0 to NREF - 1 the unknown
 * references of each kind, NREF + fi the unmapped labels of field fi. */
enum { REF_CHECKPOINT, REF_SOURCE, REF_ACTOR, NREF };
static const enum record_kind ref_kinds[NREF] = {KIND_checkpoint, KIND_source,
                                                 KIND_actor};

/* A mapped field: a column, or a template of literal text and columns. */
struct part {
  int column; /* -1 for literal text */
  char *text;
};

struct fieldmap {
  struct part *parts;
  size_t nparts;
};

/*
 * An import runs on two threads (see handoff.h). The reading thread owns
 * the parsing state below; the writing thread, through the items it is
 * handed, owns the store, the messages, the rejects file, the statistics
 * and the lists of unknown names. The reading thread touches those only
 * after handoff_drain(), when the writer has caught up and waits.
 */
struct importer {
  struct store *st;
  const struct ingest_opts *o;
  FILE *msg;
  struct ingest_stats *stats;
  struct record_ctx ctx;
  const struct kind_desc *kind;
  struct strmap *ids[NREF];     /* known ids */
  struct strmap *names[NREF];   /* lower-case name -> id */
  struct strmap *missing[NREF]; /* unknown references, in order seen */
  struct strmap **unlabelled;   /* per field: labels with no --values */
  struct strmap *labels;        /* "field\x1flabel" -> value */
  char *labelled;               /* per field: 1 when it has --values */
  int failed;                   /* an invalid row: the import will roll back */
  size_t nerrors;
  const char *file;
  char digest[13]; /* the file's content hash, for derived ids */
  size_t row;      /* data row number within the file, from 1 */
  FILE *rej;
  char *rej_tmp;
  struct buf rej_header;
  /* A flow row with an explicit id is held until the next row shows
   * whether it continues the record with another cargo line. */
  struct record recs[2];
  struct record *cur, *pending;
  unsigned long pending_line;
  struct buf raw[2], *cur_raw, *pending_raw;
  struct buf canon, err, tmp;
  struct handoff *ho;
  char *const *files; /* the files to read */
  size_t nfiles;
  struct record wrec; /* the writer's copy of a record to store */
  size_t fail_row;    /* the row being read when the store failed */
};

static int consume(void *ctx, const struct batch *b);

void
ingest_opts_init(struct ingest_opts *o)
{
  memset(o, 0, sizeof *o);
}

void
ingest_opts_cleanup(struct ingest_opts *o)
{
  for (size_t i = 0; i < o->nmaps; i++) {
    free(o->maps[i].key);
    free(o->maps[i].value);
  }
  for (size_t i = 0; i < o->nsets; i++) {
    free(o->sets[i].key);
    free(o->sets[i].value);
  }
  for (size_t i = 0; i < o->nlabels; i++) {
    free(o->labels[i].field);
    free(o->labels[i].label);
    free(o->labels[i].value);
  }
  free(o->maps);
  free(o->sets);
  free(o->labels);
  ingest_opts_init(o);
}

/* Splits spec at unescaped sep; "\," and "\=" stand for themselves. */
static char **
split(const char *spec, char sep, size_t *n)
{
  char **out = NULL;
  struct buf cur;

  *n = 0;
  buf_init(&cur);
  for (const char *p = spec;; p++) {
    if (*p == '\\' && p[1] && (p[1] == ',' || p[1] == '=' || p[1] == '\\')) {
      buf_putc(&cur, '\\');
      buf_putc(&cur, *++p);
      continue;
    }
    if (*p == sep || *p == '\0') {
      out = xrealloc(out, (*n + 1) * sizeof *out);
      out[(*n)++] = buf_take(&cur);
      if (*p == '\0')
        break;
      continue;
    }
    buf_putc(&cur, *p);
  }
  return out;
}

/* Finds the first unescaped c in s. */
static char *
find_unescaped(char *s, char c)
{
  for (; *s; s++) {
    if (*s == '\\' && s[1]) {
      s++;
      continue;
    }
    if (*s == c)
      return s;
  }
  return NULL;
}

static char *
unescape(const char *s)
{
  char *out = xmalloc(strlen(s) + 1), *o = out;

  for (; *s; s++) {
    if (*s == '\\' && s[1] && strchr(",=\\", s[1]))
      s++;
    *o++ = *s;
  }
  *o = '\0';
  return out;
}

static char *
trimmed(const char *s)
{
  size_t n = strlen(s);

  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  return xstrndup(s, n);
}

static int
known_field(const struct ingest_opts *o, const char *name, struct buf *err,
            const char *opt)
{
  const struct kind_desc *k = record_kind_desc(o->kind);

  if (record_field_index(k, name) >= 0)
    return OK;
  buf_printf(err, "%s: %s has no field '%s' (fields:", opt, k->name, name);
  for (size_t i = 0; i < k->nfields; i++)
    buf_printf(err, " %s", k->fields[i].name);
  buf_puts(err, ")");
  return ERR_USAGE;
}

static int
add_pairs(struct ingest_opts *o, const char *spec, struct ingest_pair **pairs,
          size_t *npairs, const char *opt, struct buf *err)
{
  size_t n;
  char **items = split(spec, ',', &n);
  int rc = OK;

  for (size_t i = 0; i < n; i++) {
    char *eq = find_unescaped(items[i], '=');
    char *key, *value;
    if (eq == NULL) {
      buf_printf(err, "%s: expected field=value, got '%s'", opt, items[i]);
      rc = ERR_USAGE;
      break;
    }
    *eq = '\0';
    key = trimmed(items[i]);
    value = unescape(eq + 1);
    if ((rc = known_field(o, key, err, opt)) != OK) {
      free(key);
      free(value);
      break;
    }
    *pairs = xrealloc(*pairs, (*npairs + 1) * sizeof **pairs);
    (*pairs)[*npairs].key = key;
    (*pairs)[*npairs].value = value;
    (*npairs)++;
  }
  for (size_t i = 0; i < n; i++)
    free(items[i]);
  free(items);
  return rc;
}

int
ingest_add_maps(struct ingest_opts *o, const char *spec, struct buf *err)
{
  return add_pairs(o, spec, &o->maps, &o->nmaps, "--map", err);
}

int
ingest_add_sets(struct ingest_opts *o, const char *spec, struct buf *err)
{
  return add_pairs(o, spec, &o->sets, &o->nsets, "--set", err);
}

int
ingest_add_labels(struct ingest_opts *o, const char *spec, struct buf *err)
{
  const char *colon = strchr(spec, ':');
  char *field;
  char **items;
  size_t n;
  int rc = OK;

  if (colon == NULL) {
    buf_printf(err, "--values: expected 'field:Label=value,...', got '%s'",
               spec);
    return ERR_USAGE;
  }
  field = xstrndup(spec, (size_t)(colon - spec));
  if ((rc = known_field(o, field, err, "--values")) != OK) {
    free(field);
    return rc;
  }
  {
    /* Field names match in any case, but labels are looked up under the
     * field's own spelling: keep that one. */
    const struct kind_desc *k = record_kind_desc(o->kind);
    char *own = xstrdup(k->fields[record_field_index(k, field)].name);
    free(field);
    field = own;
  }
  items = split(colon + 1, ',', &n);
  for (size_t i = 0; i < n; i++) {
    char *eq = find_unescaped(items[i], '=');
    if (eq == NULL) {
      buf_printf(err, "--values %s: expected Label=value, got '%s'", field,
                 items[i]);
      rc = ERR_USAGE;
      break;
    }
    *eq = '\0';
    o->labels = xrealloc(o->labels, (o->nlabels + 1) * sizeof *o->labels);
    o->labels[o->nlabels].field = xstrdup(field);
    {
      char *raw = unescape(items[i]);
      o->labels[o->nlabels].label = trimmed(raw);
      free(raw);
    }
    o->labels[o->nlabels].value = unescape(eq + 1);
    o->nlabels++;
  }
  for (size_t i = 0; i < n; i++)
    free(items[i]);
  free(items);
  free(field);
  return rc;
}

static char *
lower(const char *s)
{
  char *out = xstrdup(s);

  for (char *p = out; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return out;
}

static void
learn_name(void *ctx, const char *id, const char *name)
{
  struct importer *imp = ((void **)ctx)[0];
  int k = *(int *)((void **)ctx)[1];
  char *l;

  strmap_put(imp->ids[k], id, id);
  if (name) {
    l = lower(name);
    if (strmap_get(imp->names[k], l) == NULL)
      strmap_put(imp->names[k], l, id);
    free(l);
  }
}

static void
importer_init(struct importer *imp, struct store *st,
              const struct ingest_opts *o, struct ingest_stats *stats)
{
  memset(imp, 0, sizeof *imp);
  imp->st = st;
  imp->o = o;
  imp->msg = o->msg ? o->msg : stderr;
  imp->stats = stats;
  imp->kind = record_kind_desc(o->kind);
  imp->ctx.categories = store_categories(st);
  for (int k = 0; k < NREF; k++) {
    void *pass[2] = {imp, &k};
    imp->ids[k] = strmap_new();
    imp->names[k] = strmap_new();
    imp->missing[k] = strmap_new();
    store_each_name(st, ref_kinds[k], learn_name, pass);
  }
  imp->unlabelled = xcalloc(imp->kind->nfields, sizeof *imp->unlabelled);
  imp->labels = strmap_new();
  imp->labelled = xcalloc(imp->kind->nfields, 1);
  for (size_t i = 0; i < o->nlabels; i++) {
    char *key = xasprintf("%s\x1f%s", o->labels[i].field, o->labels[i].label);
    strmap_put(imp->labels, key, o->labels[i].value);
    free(key);
    for (size_t fi = 0; fi < imp->kind->nfields; fi++)
      if (strcasecmp(o->labels[i].field, imp->kind->fields[fi].name) == 0)
        imp->labelled[fi] = 1;
  }
  for (int i = 0; i < 2; i++) {
    record_init(&imp->recs[i], o->kind);
    buf_init(&imp->raw[i]);
  }
  record_init(&imp->wrec, o->kind);
  imp->ho = handoff_new(consume, imp);
  imp->cur = &imp->recs[0];
  imp->cur_raw = &imp->raw[0];
  imp->pending_raw = &imp->raw[1];
  buf_init(&imp->rej_header);
  buf_init(&imp->canon);
  buf_init(&imp->err);
  buf_init(&imp->tmp);
}

static void
importer_cleanup(struct importer *imp)
{
  handoff_free(imp->ho);
  record_cleanup(&imp->wrec);
  for (int k = 0; k < NREF; k++) {
    strmap_free(imp->ids[k]);
    strmap_free(imp->names[k]);
    strmap_free(imp->missing[k]);
  }
  for (size_t i = 0; i < imp->kind->nfields; i++)
    strmap_free(imp->unlabelled[i]);
  free(imp->unlabelled);
  strmap_free(imp->labels);
  free(imp->labelled);
  for (int i = 0; i < 2; i++) {
    record_cleanup(&imp->recs[i]);
    buf_cleanup(&imp->raw[i]);
  }
  if (imp->rej) {
    fclose(imp->rej);
    unlink(imp->rej_tmp);
  }
  free(imp->rej_tmp);
  buf_cleanup(&imp->rej_header);
  buf_cleanup(&imp->canon);
  buf_cleanup(&imp->err);
  buf_cleanup(&imp->tmp);
}

/* Prints one located error, up to the cap; every error counts. */
static void
report(struct importer *imp, unsigned long line, const char *what)
{
  imp->nerrors++;
  if (imp->nerrors <= (imp->o->max_errors ? imp->o->max_errors : 20)) {
    if (line)
      fprintf(imp->msg, "%s:%lu: %s\n", imp->file, line, what);
    else
      fprintf(imp->msg, "%s: %s\n", imp->file, what);
  }
}

/* An invalid row: reported, then written to the rejects file (with the
 * row as read, nraw bytes at raw) or failing the import. */
static void
do_reject(struct importer *imp, unsigned long line, const char *why,
          const char *raw, size_t nraw)
{
  report(imp, line, why);
  imp->stats->rejected++;
  if (imp->rej == NULL) {
    imp->failed = 1;
    return;
  }
  fprintf(imp->rej, "%s,%lu,", imp->file, line);
  {
    struct buf b;
    buf_init(&b);
    util_csv_cell(&b, why, strlen(why));
    fwrite(b.data, 1, b.len, imp->rej);
    buf_cleanup(&b);
  }
  if (nraw) {
    fputc(',', imp->rej);
    fwrite(raw, 1, nraw, imp->rej);
  }
  fputc('\n', imp->rej);
}

/* The reading thread's side: an invalid row, for the writer to report.
 * Returns OK, or the writer's error (then stop). */
static int
send_reject(struct importer *imp, unsigned long line, const char *why,
            const struct buf *raw)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_REJECT);

  it->line = line;
  it->text = batch_puts(b, why);
  if (raw)
    it->raw = batch_put(b, raw->data, raw->len);
  return handoff_ready(imp->ho);
}

/* A name for the summary (see NREF), kept once in the order first met. */
static int
send_note(struct importer *imp, int list, const char *name)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_NOTE);

  it->list = list;
  it->text = batch_puts(b, name);
  return handoff_ready(imp->ho);
}

static void
do_note(struct importer *imp, const char *name, int list)
{
  struct strmap **m =
      list < NREF ? &imp->missing[list] : &imp->unlabelled[list - NREF];

  if (*m == NULL)
    *m = strmap_new();
  if (strmap_get(*m, name) == NULL)
    strmap_put(*m, name, name);
}

static int
ref_index(enum record_kind k)
{
  for (int i = 0; i < NREF; i++)
    if (ref_kinds[i] == k)
      return i;
  return -1;
}

/*
 * Hands a row's record to the writer to store, canonicalised and hashed
 * here. Even when an invalid row has doomed the import (it will be rolled
 * back), it is written: only the store finds an id stored with other
 * content or a correction of a missing record, and every error is to be
 * listed. Returns OK, or the writer's error (then stop).
 */
static int
send_put(struct importer *imp, const struct record *rec, unsigned long line,
         const struct buf *raw)
{
  struct batch *b = handoff_batch(imp->ho);
  struct item *it = batch_add(b, ITEM_PUT);

  it->line = line;
  it->row = imp->row;
  it->text.off = b->arena.len;
  record_canonical(rec, &b->arena);
  it->text.len = b->arena.len - it->text.off;
  ledger_leaf_hash(batch_at(b, it->text), it->text.len, it->hash);
  it->kind = rec->kind->kind;
  it->values = batch_put(b, rec->v, rec->kind->nfields * sizeof rec->v[0]);
  it->ncargo = rec->ncargo;
  it->cargo = batch_put(b, rec->cargo, rec->ncargo * sizeof rec->cargo[0]);
  it->pool = batch_put(b, rec->pool.data, rec->pool.len);
  if (raw)
    it->raw = batch_put(b, raw->data, raw->len);
  return handoff_ready(imp->ho);
}

/* The record of a PUT item, into the writer's own. */
static void
load_record(struct record *r, const struct batch *b, const struct item *it)
{
  if (r->kind->kind != it->kind) {
    record_cleanup(r);
    record_init(r, it->kind);
  }
  memcpy(r->v, batch_at(b, it->values), it->values.len);
  r->ncargo = it->ncargo;
  memcpy(r->cargo, batch_at(b, it->cargo), it->cargo.len);
  buf_reset(&r->pool);
  buf_append(&r->pool, batch_at(b, it->pool), it->pool.len);
}

/* Stores a row's record: added or already stored, or rejected. Returns OK,
 * or ERR_STORE, which ends the import. */
static int
do_put(struct importer *imp, const struct batch *b, const struct item *it)
{
  const char *raw = batch_at(b, it->raw);
  enum store_put_result res;
  int rc;

  load_record(&imp->wrec, b, it);
  rc = store_put_hashed(imp->st, &imp->wrec, batch_at(b, it->text),
                        it->text.len, it->hash, &res);
  if (rc == ERR_STORE) {
    report(imp, it->line, store_errmsg(imp->st));
    imp->fail_row = it->row;
    return rc;
  }
  if (rc != OK)
    do_reject(imp, it->line, store_errmsg(imp->st), raw, it->raw.len);
  else if (res == STORE_ADDED)
    imp->stats->added++;
  else
    imp->stats->unchanged++;
  return OK;
}

/* Stores a record made by --create-missing right away, on the reading
 * thread: the row that names it needs to know. */
static int
store_now(struct importer *imp, const struct record *rec, struct buf *why)
{
  enum store_put_result res;
  int rc;

  /* What was read before goes first, as it would on one thread. */
  if ((rc = handoff_drain(imp->ho)) != OK)
    return rc;
  buf_reset(&imp->canon);
  record_canonical(rec, &imp->canon);
  rc = store_put(imp->st, rec, imp->canon.data, imp->canon.len, &res);
  if (rc != OK) {
    buf_puts(why, store_errmsg(imp->st));
    return rc == ERR_STORE ? ERR_STORE : ERR_INVALID;
  }
  return OK;
}

/* Creates a checkpoint, source or actor that rows name but that does not
 * exist (--create-missing). */
static int
create_ref(struct importer *imp, int k, const char *text, const char *id,
           struct buf *why)
{
  struct record rec;
  struct buf e;
  int rc;

  record_init(&rec, ref_kinds[k]);
  buf_init(&e);
  rc = record_set(&rec, &imp->ctx, record_field_index(rec.kind, "id"), 0, id,
                  strlen(id), &e);
  if (rc == OK)
    rc = record_set(&rec, &imp->ctx, record_field_index(rec.kind, "name"), 0,
                    text, strlen(text), &e);
  if (rc == OK)
    rc = record_finish(&rec, &e);
  if (rc == OK)
    rc = store_now(imp, &rec, why);
  else
    buf_printf(why, "cannot create %s '%s': %s",
               ref_kinds[k] == KIND_checkpoint ? "checkpoint" : rec.kind->name,
               text, e.data);
  if (rc == OK) {
    char *l = lower(text);
    strmap_put(imp->ids[k], id, id);
    strmap_put(imp->names[k], l, id);
    free(l);
    imp->stats->created++;
  }
  record_cleanup(&rec);
  buf_cleanup(&e);
  return rc;
}

/*
 * Resolves a reference as users write it: an id, a name (any case), or a
 * name whose slug is an id. Unknown ones are created with --create-missing,
 * else remembered for one summary line. Sets *id (owned by the importer's
 * maps or tmp) or returns ERR_NOTFOUND.
 */
static int
resolve(struct importer *imp, int k, const char *text, struct buf *out,
        struct buf *why)
{
  const char *id;
  char *l, *slug;
  int rc = OK;

  buf_reset(out);
  if (strmap_get(imp->ids[k], text)) {
    buf_puts(out, text);
    return OK;
  }
  l = lower(text);
  slug = util_slug(text);
  if ((id = strmap_get(imp->names[k], l)) != NULL) {
    buf_puts(out, id);
  } else if (slug[0] && strmap_get(imp->ids[k], slug)) {
    buf_puts(out, slug);
  } else if (imp->o->create_missing && slug[0]) {
    rc = create_ref(imp, k, text, slug, why);
    if (rc == OK)
      buf_puts(out, slug);
  } else {
    send_note(imp, k, text);
    buf_printf(why, "unknown %s '%s'", record_kind_desc(ref_kinds[k])->name,
               text);
    rc = ERR_NOTFOUND;
  }
  free(l);
  free(slug);
  return rc;
}

static void
field_error(struct buf *why, const char *field, const char *msg)
{
  if (why->len)
    buf_puts(why, "; ");
  buf_printf(why, "field '%s': %s", field, msg);
}

/* Replaces the label (*value, *n bytes) of field fi, which has --values,
 * by our value; an unmapped label is an error. */
static int
translate_label(struct importer *imp, int fi, const char **value, size_t *n,
                struct buf *e)
{
  const char *name = imp->kind->fields[fi].name;
  char *key = xasprintf("%s\x1f%.*s", name, (int)*n, *value);
  const char *mapped = strmap_get(imp->labels, key);
  int rc = OK;

  free(key);
  if (mapped) {
    *value = mapped;
    *n = strlen(mapped);
  } else {
    char *label = xstrndup(*value, *n);
    send_note(imp, NREF + fi, label);
    buf_printf(e, "no --values mapping for label '%s'", label);
    free(label);
    rc = ERR_INVALID;
  }
  return rc;
}

/*
 * Sets one field from a cell: translates a publisher's label (--values),
 * resolves references, then lets the record module parse the value.
 */
static int
apply(struct importer *imp, struct record *rec, int fi, size_t line,
      const char *text, int translate, struct buf *why)
{
  const struct field_desc *f = &rec->kind->fields[fi];
  struct buf e, resolved;
  const char *value = text;
  int rc = OK;
  size_t n;

  while (*value && isspace((unsigned char)*value))
    value++;
  n = strlen(value);
  while (n && isspace((unsigned char)value[n - 1]))
    n--;
  if (n == 0 || (n == 1 && value[0] == '-'))
    return OK;

  buf_init(&e);
  buf_init(&resolved);
  if (translate && imp->labelled[fi])
    rc = translate_label(imp, fi, &value, &n, &e);
  if (rc == OK && (f->type == FT_REF || f->type == FT_REFLIST)) {
    int k = ref_index(f->ref);
    char *copy = xstrndup(value, n);
    struct buf one;
    buf_init(&one);
    if (f->type == FT_REF) {
      rc = resolve(imp, k, copy, &resolved, &e);
    } else {
      size_t nitems;
      char **items = split(copy, ',', &nitems);
      for (size_t i = 0; i < nitems; i++) {
        char *item = trimmed(items[i]);
        if (*item && rc == OK) {
          rc = resolve(imp, k, item, &one, &e);
          if (rc == OK) {
            if (resolved.len)
              buf_putc(&resolved, ',');
            buf_append(&resolved, one.data, one.len);
          }
        }
        free(item);
        free(items[i]);
      }
      free(items);
    }
    buf_cleanup(&one);
    free(copy);
    if (rc == OK) {
      value = resolved.data ? resolved.data : "";
      n = resolved.len;
    }
  }
  if (rc == OK)
    rc = record_set(rec, &imp->ctx, fi, line, value, n, &e);
  if (rc != OK) {
    field_error(why, f->name, e.data ? e.data : "invalid");
    rc = ERR_INVALID;
  }
  buf_cleanup(&e);
  buf_cleanup(&resolved);
  return rc;
}

static int
apply_sets(struct importer *imp, struct record *rec, struct buf *why)
{
  int rc = OK;

  for (size_t i = 0; i < imp->o->nsets; i++) {
    int fi = record_field_index(rec->kind, imp->o->sets[i].key);
    if (apply(imp, rec, fi, 0, imp->o->sets[i].value, 0, why) != OK)
      rc = ERR_INVALID;
  }
  return rc;
}

/* Gives a record without an id one: checkpoints, sources and actors by the
 * slug of their name, the rest by the file's hash and row number. */
static void
derive_id(struct importer *imp, struct record *rec)
{
  int fi = record_field_index(rec->kind, "id");
  char id[64];
  struct buf e;

  if (rec->v[fi].set)
    return;
  buf_init(&e);
  if (ref_index(rec->kind->kind) >= 0) {
    const char *name = record_get(rec, "name");
    if (name) {
      char *slug = util_slug(name);
      if (slug[0])
        record_set(rec, &imp->ctx, fi, 0, slug, strlen(slug), &e);
      free(slug);
    }
  } else {
    snprintf(id, sizeof id, "%s-%zu", imp->digest, imp->row);
    record_set(rec, &imp->ctx, fi, 0, id, strlen(id), &e);
  }
  buf_cleanup(&e);
}

/* Validates and stores the held record. */
static int
flush(struct importer *imp)
{
  struct record *rec = imp->pending;

  if (rec == NULL)
    return OK;
  imp->pending = NULL;
  buf_reset(&imp->err);
  if (record_finish(rec, &imp->err) != OK)
    return send_reject(imp, imp->pending_line, imp->err.data, imp->pending_raw);
  if (record_get(rec, "id") == NULL)
    return send_reject(imp, imp->pending_line,
                       "field 'id': required (or a name)", imp->pending_raw);
  return send_put(imp, rec, imp->pending_line, imp->pending_raw);
}

/* A continuation row repeats its flow's other fields or leaves them empty:
 * a different value means two records share an id, and merging would lose
 * one of them. */
static int
same_flow(const struct record *p, const struct record *rec, struct buf *why)
{
  int rc = OK;

  for (size_t i = 0; i < rec->kind->nfields; i++) {
    const struct field_desc *f = &rec->kind->fields[i];
    const char *want = record_text(p, &p->v[i]);
    const char *got = record_text(rec, &rec->v[i]);
    struct buf m;
    if ((f->flags & FF_CARGO) || got == NULL ||
        (want && strcmp(want, got) == 0))
      continue;
    buf_init(&m);
    if (want)
      buf_printf(&m,
                 "expected '%s' as on the first row with this id, or "
                 "nothing, got '%s'",
                 want, got);
    else
      buf_printf(&m,
                 "expected nothing, as on the first row with this id, "
                 "got '%s'",
                 got);
    field_error(why, f->name, m.data);
    buf_cleanup(&m);
    rc = ERR_INVALID;
  }
  return rc;
}

/* Appends the cargo line of rec (a continuation row) to the held record. */
static int
merge_cargo(struct importer *imp, const struct record *rec, struct buf *why)
{
  struct record *p = imp->pending;
  int fcat = record_field_index(p->kind, "category");
  int fqty = record_field_index(p->kind, "quantity");
  int funit = record_field_index(p->kind, "unit");
  size_t line = p->ncargo;
  struct buf e;
  int rc = OK;

  buf_init(&e);
  for (size_t i = 0; i < rec->ncargo && rc == OK; i++, line++) {
    const struct cargo_line *c = &rec->cargo[i];
    const struct record_value *vals[3] = {&c->category, &c->quantity, &c->unit};
    int fis[3] = {fcat, fqty, funit};
    for (int j = 0; j < 3 && rc == OK; j++) {
      const char *t = record_text(rec, vals[j]);
      if (t)
        rc = record_set(p, &imp->ctx, fis[j], line, t, strlen(t), &e);
    }
  }
  if (rc != OK)
    field_error(why, "cargo", e.data);
  buf_cleanup(&e);
  return rc;
}

/*
 * Takes the record just built in imp->cur from the row at line: holds it,
 * merges it into the held flow, or reports it.
 */
static int
take_row(struct importer *imp, unsigned long line, struct buf *why)
{
  struct record *rec = imp->cur;
  int rc;

  if (why->len) {
    if ((rc = flush(imp)) != OK)
      return rc;
    return send_reject(imp, line, why->data, imp->cur_raw);
  }
  /* In CSV a flow's further cargo lines are further rows with its id; a
   * JSON line holds all of them, so the same id again is another record. */
  if (rec->kind->kind == KIND_flow && !imp->o->jsonl && imp->pending &&
      record_get(rec, "id") && record_get(imp->pending, "id") &&
      strcmp(record_get(rec, "id"), record_get(imp->pending, "id")) == 0) {
    if (same_flow(imp->pending, rec, why) != OK ||
        merge_cargo(imp, rec, why) != OK)
      return send_reject(imp, line, why->data, imp->cur_raw);
    return OK;
  }
  derive_id(imp, rec);
  if ((rc = flush(imp)) != OK)
    return rc;
  imp->pending = rec;
  imp->pending_line = line;
  {
    struct buf *t = imp->pending_raw;
    imp->pending_raw = imp->cur_raw;
    imp->cur_raw = t;
  }
  imp->cur = rec == &imp->recs[0] ? &imp->recs[1] : &imp->recs[0];
  return OK;
}

/* The file's content hash, so that derived ids survive re-imports. */
static void
digest(struct importer *imp, const char *data, size_t len)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  static const char hex[] = "0123456789abcdef";

  EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
  for (int i = 0; i < 6; i++) {
    imp->digest[2 * i] = hex[md[i] >> 4];
    imp->digest[2 * i + 1] = hex[md[i] & 15];
  }
  imp->digest[12] = '\0';
}

static void
progress(struct importer *imp, size_t done, size_t total, size_t rows,
         int final)
{
  if (!imp->o->progress || total == 0)
    return;
  fprintf(imp->msg, "\r%s: %3d%% %zu rows", imp->file,
          (int)(100.0 * (double)done / (double)total), rows);
  if (final)
    fputc('\n', imp->msg);
  fflush(imp->msg);
}

/* The progress bar is drawn by the writer, between its messages. */
static int
send_progress(struct importer *imp, size_t done, size_t total)
{
  struct item *it = batch_add(handoff_batch(imp->ho), ITEM_PROGRESS);

  it->row = imp->row;
  it->done = done;
  it->total = total;
  return handoff_ready(imp->ho);
}

/* The writing thread: carries out a batch's items in order. */
static int
consume(void *ctx, const struct batch *b)
{
  struct importer *imp = ctx;
  int rc = OK;

  for (size_t i = 0; i < b->n && rc == OK; i++) {
    const struct item *it = &b->items[i];
    switch (it->type) {
    case ITEM_PUT:
      rc = do_put(imp, b, it);
      break;
    case ITEM_REJECT:
      do_reject(imp, it->line, batch_at(b, it->text), batch_at(b, it->raw),
                it->raw.len);
      break;
    case ITEM_NOTE:
      do_note(imp, batch_at(b, it->text), it->list);
      break;
    case ITEM_PROGRESS:
      progress(imp, it->done, it->total, it->row, 0);
      break;
    }
  }
  return rc;
}

/*
 * Waits for the writer to carry out everything sent so far. Returns rc, or
 * the writer's error: then, as on one thread, the rows read are those up
 * to the one being read when the store failed.
 */
static int
catch_up(struct importer *imp, int rc)
{
  int wrc = handoff_drain(imp->ho);

  if (wrc == OK)
    return rc;
  imp->row = imp->fail_row;
  return wrc;
}

static int
blank(const char *s)
{
  for (; *s; s++)
    if (!isspace((unsigned char)*s))
      return 0;
  return 1;
}

/* A row whose cells are all empty or blank holds nothing to record. */
static int
blank_row(const struct csv_record *r)
{
  for (size_t i = 0; i < r->nfields; i++)
    if (!blank(r->field[i]))
      return 0;
  return 1;
}

static int
is_hashtag_row(const struct csv_record *r)
{
  int any = 0;

  for (size_t i = 0; i < r->nfields; i++) {
    const char *s = r->field[i];
    while (*s == ' ')
      s++;
    if (*s == '\0')
      continue;
    if (*s != '#')
      return 0;
    any = 1;
  }
  return any;
}

static int
column_of(const struct csv_record *header, const char *name)
{
  for (size_t i = 0; i < header->nfields; i++) {
    char *h = trimmed(header->field[i]);
    int same = strcasecmp(h, name) == 0;
    free(h);
    if (same)
      return (int)i;
  }
  return -1;
}

/* Parses a --map value: a column name, or a template with {Column}s. */
static int
parse_map(struct importer *imp, const struct csv_record *header,
          const char *spec, struct fieldmap *fm)
{
  const char *p = spec;

  if (strchr(spec, '{') == NULL) {
    int c = column_of(header, spec);
    if (c < 0)
      return ERR_USAGE;
    fm->parts = xcalloc(1, sizeof *fm->parts);
    fm->parts[0].column = c;
    fm->nparts = 1;
    return OK;
  }
  while (*p) {
    const char *open = strchr(p, '{');
    struct part part = {-1, NULL};
    if (open == p) {
      const char *close = strchr(p, '}');
      char *name;
      if (close == NULL)
        return ERR_USAGE;
      name = xstrndup(p + 1, (size_t)(close - p - 1));
      part.column = column_of(header, name);
      free(name);
      if (part.column < 0)
        return ERR_USAGE;
      p = close + 1;
    } else {
      size_t n = open ? (size_t)(open - p) : strlen(p);
      part.text = xstrndup(p, n);
      p += n;
    }
    fm->parts = xrealloc(fm->parts, (fm->nparts + 1) * sizeof *fm->parts);
    fm->parts[fm->nparts++] = part;
  }
  (void)imp;
  return OK;
}

static void
fieldmaps_free(struct fieldmap *fm, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < fm[i].nparts; j++)
      free(fm[i].parts[j].text);
    free(fm[i].parts);
  }
  free(fm);
}

static int
by_string(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An HXL hashtag in one spelling: HXL ignores case, spaces and the order
 * of attributes, so "#indicator +num +Vehicles" is "#indicator+num+vehicles"
 * is "#indicator+vehicles+num". */
static char *
hxl_normal(const char *tag)
{
  char *t = xmalloc(strlen(tag) + 1), *o = t, *attrs[64];
  size_t n = 0;
  struct buf b;

  for (const char *p = tag; *p; p++)
    if (!isspace((unsigned char)*p))
      *o++ = (char)tolower((unsigned char)*p);
  *o = '\0';
  for (char *p = strchr(t, '+'); p && n < 64; p = strchr(p + 1, '+')) {
    *p = '\0';
    attrs[n++] = p + 1;
  }
  qsort(attrs, n, sizeof *attrs, by_string);
  buf_init(&b);
  buf_puts(&b, t);
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, "+%s", attrs[i]);
  free(t);
  return buf_take(&b);
}

static int
hxl_field(const struct kind_desc *k, const char *tag)
{
  struct buf b;
  int found = -1;
  char *t = hxl_normal(tag);

  buf_init(&b);
  for (size_t i = 0; i < k->nfields && found < 0; i++) {
    char *own;
    buf_reset(&b);
    record_hxl_tag(&k->fields[i], &b);
    own = hxl_normal(b.data);
    if (strcmp(own, t) == 0)
      found = (int)i;
    free(own);
  }
  buf_cleanup(&b);
  free(t);
  return found;
}

static void
raw_row(struct buf *b, const struct csv_record *r)
{
  buf_reset(b);
  for (size_t i = 0; i < r->nfields; i++) {
    if (i)
      buf_putc(b, ',');
    util_csv_cell(b, r->field[i], r->len[i]);
  }
}

static int
import_csv(struct importer *imp, const char *data, size_t len)
{
  struct csv_reader *rd = csv_reader_new(data, len);
  struct csv_record header_rec, r;
  struct csv_record header = {0};
  struct fieldmap *fm = xcalloc(imp->kind->nfields, sizeof *fm);
  int *used = NULL;
  int rc = OK, got;
  struct buf why, tmp;

  buf_init(&why);
  buf_init(&tmp);
  got = csv_read(rd, &header_rec);
  if (got <= 0) {
    report(imp, got < 0 ? csv_reader_error_line(rd) : 0,
           got < 0 ? csv_reader_error(rd)
                   : "empty file: expected a header row");
    imp->failed = 1;
    goto out;
  }
  /* The reader reuses its buffers: keep a copy of the header. */
  header.nfields = header_rec.nfields;
  header.field = xcalloc(header.nfields, sizeof(char *));
  header.len = xcalloc(header.nfields, sizeof(size_t));
  for (size_t i = 0; i < header.nfields; i++) {
    header.field[i] = xstrdup(header_rec.field[i]);
    header.len[i] = header_rec.len[i];
  }
  used = xcalloc(header.nfields, sizeof *used);
  if (imp->rej && imp->rej_header.len == 0) {
    raw_row(&imp->rej_header, &header);
    fprintf(imp->rej, "file,line,reason,%s\n", imp->rej_header.data);
  }
  for (size_t i = 0; i < imp->o->nmaps; i++) {
    int fi = record_field_index(imp->kind, imp->o->maps[i].key);
    if (parse_map(imp, &header, imp->o->maps[i].value, &fm[fi]) != OK) {
      struct buf m;
      buf_init(&m);
      buf_printf(&m, "--map %s=%s: no such column (the columns are:",
                 imp->o->maps[i].key, imp->o->maps[i].value);
      for (size_t c = 0; c < header.nfields; c++)
        buf_printf(&m, "%s '%s'", c ? "," : "", header.field[c]);
      buf_puts(&m, ")");
      report(imp, 0, m.data);
      buf_cleanup(&m);
      rc = ERR_USAGE;
      goto out;
    }
    for (size_t j = 0; j < fm[fi].nparts; j++)
      if (fm[fi].parts[j].column >= 0)
        used[fm[fi].parts[j].column] = 1;
  }
  for (size_t fi = 0; fi < imp->kind->nfields; fi++) {
    int c;
    if (fm[fi].nparts)
      continue;
    c = column_of(&header, imp->kind->fields[fi].name);
    if (c >= 0 && !used[c]) {
      fm[fi].parts = xcalloc(1, sizeof *fm[fi].parts);
      fm[fi].parts[0].column = c;
      fm[fi].nparts = 1;
      used[c] = 1;
    }
  }

  got = csv_read(rd, &r);
  if (got == 1 && is_hashtag_row(&r)) {
    for (size_t c = 0; c < r.nfields && c < header.nfields; c++) {
      int fi;
      if (used[c] || (fi = hxl_field(imp->kind, r.field[c])) < 0 ||
          fm[fi].nparts)
        continue;
      fm[fi].parts = xcalloc(1, sizeof *fm[fi].parts);
      fm[fi].parts[0].column = (int)c;
      fm[fi].nparts = 1;
      used[c] = 1;
    }
    got = csv_read(rd, &r);
  }
  {
    struct buf ignored;
    buf_init(&ignored);
    for (size_t c = 0; c < header.nfields; c++)
      if (!used[c])
        buf_printf(&ignored, "%s'%s'", ignored.len ? ", " : "",
                   header.field[c]);
    if (ignored.len)
      fprintf(imp->msg, "%s: ignoring columns that map to no %s field: %s\n",
              imp->file, imp->kind->name, ignored.data);
    buf_cleanup(&ignored);
  }

  for (; got != 0; got = csv_read(rd, &r)) {
    if (got < 0) {
      buf_reset(imp->cur_raw);
      if ((rc = flush(imp)) != OK)
        break;
      imp->row++;
      rc = send_reject(imp, csv_reader_error_line(rd), csv_reader_error(rd),
                       NULL);
      if (rc != OK)
        break;
      continue;
    }
    if (blank_row(&r))
      continue; /* ",,,,": what spreadsheets leave below the data */
    imp->row++;
    record_reset(imp->cur);
    buf_reset(&why);
    if (imp->rej)
      raw_row(imp->cur_raw, &r); /* only the rejects file shows it */
    for (size_t c = header.nfields; c < r.nfields; c++)
      if (!blank(r.field[c])) {
        /* A value under no column would be lost without a word. */
        buf_printf(&why,
                   "expected at most %zu cells, as in the header, got %zu",
                   header.nfields, r.nfields);
        break;
      }
    for (size_t fi = 0; fi < imp->kind->nfields; fi++) {
      const char *text;
      if (fm[fi].nparts == 0)
        continue;
      if (fm[fi].nparts == 1 && fm[fi].parts[0].column >= 0) {
        size_t c = (size_t)fm[fi].parts[0].column;
        text = c < r.nfields ? r.field[c] : "";
      } else {
        int empty = 0;
        buf_reset(&tmp);
        for (size_t j = 0; j < fm[fi].nparts; j++) {
          const struct part *pt = &fm[fi].parts[j];
          if (pt->column < 0) {
            buf_puts(&tmp, pt->text);
          } else if ((size_t)pt->column < r.nfields && r.field[pt->column][0]) {
            buf_puts(&tmp, r.field[pt->column]);
          } else {
            empty = 1; /* a template with a missing part is missing */
          }
        }
        text = empty || tmp.data == NULL ? "" : tmp.data;
      }
      apply(imp, imp->cur, (int)fi, 0, text, 1, &why);
    }
    apply_sets(imp, imp->cur, &why);
    if ((rc = take_row(imp, r.line, &why)) != OK)
      break;
    if ((imp->row & 0xffff) == 0 &&
        (rc = send_progress(imp, csv_reader_offset(rd), len)) != OK)
      break;
  }
  if (rc == OK)
    rc = flush(imp);
  rc = catch_up(imp, rc);
  progress(imp, len, len, imp->row, 1);
out:
  for (size_t i = 0; i < header.nfields; i++)
    free(header.field[i]);
  free(header.field);
  free(header.len);
  free(used);
  fieldmaps_free(fm, imp->kind->nfields);
  csv_reader_free(rd);
  buf_cleanup(&why);
  buf_cleanup(&tmp);
  return rc;
}

/* After a JSON line is parsed: references must exist (or be created). */
static void
check_refs(struct importer *imp, struct record *rec, struct buf *why)
{
  for (size_t fi = 0; fi < rec->kind->nfields; fi++) {
    const struct field_desc *f = &rec->kind->fields[fi];
    char *text;
    if ((f->type != FT_REF && f->type != FT_REFLIST) || !rec->v[fi].set)
      continue;
    text = xstrdup(record_text(rec, &rec->v[fi]));
    rec->v[fi].set = 0;
    apply(imp, rec, (int)fi, 0, text, 0, why);
    free(text);
  }
}

static int
import_jsonl(struct importer *imp, const char *data, size_t len)
{
  const char *p = data, *end = data + len;
  unsigned long line = 0;
  struct buf why;
  int rc = OK;

  buf_init(&why);
  if (imp->rej && imp->rej_header.len == 0) {
    buf_puts(&imp->rej_header, "record");
    fprintf(imp->rej, "file,line,reason,record\n");
  }
  while (p < end && rc == OK) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    const char *s = p;
    line++;
    p += n + (nl ? 1 : 0);
    while (n && isspace((unsigned char)s[n - 1]))
      n--;
    while (n && isspace((unsigned char)*s)) {
      s++;
      n--;
    }
    if (n == 0)
      continue;
    imp->row++;
    record_reset(imp->cur);
    buf_reset(&why);
    buf_reset(imp->cur_raw);
    if (imp->rej)
      util_csv_cell(imp->cur_raw, s, n);
    if (record_from_json(imp->cur, (int)imp->o->kind, &imp->ctx, s, n, &why) ==
        OK) {
      check_refs(imp, imp->cur, &why);
      apply_sets(imp, imp->cur, &why);
    }
    rc = take_row(imp, line, &why);
    if (rc == OK && (imp->row & 0xffff) == 0)
      rc = send_progress(imp, (size_t)(p - data), len);
  }
  if (rc == OK)
    rc = flush(imp);
  rc = catch_up(imp, rc);
  progress(imp, len, len, imp->row, 1);
  buf_cleanup(&why);
  return rc;
}

/* Maps a file (or reads a pipe) into memory. */
static int
load_file(const char *path, char **data, size_t *len, int *mapped)
{
  int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  struct buf b;

  *data = NULL;
  *len = 0;
  *mapped = 0;
  if (fd < 0)
    return ERR_IO;
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
    void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (fd)
      close(fd);
    if (m == MAP_FAILED)
      return ERR_IO;
    madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
    *data = m;
    *len = (size_t)sb.st_size;
    *mapped = 1;
    return OK;
  }
  buf_init(&b);
  for (;;) {
    ssize_t got;
    buf_reserve(&b, 65536);
    got = read(fd, b.data + b.len, 65536);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      buf_cleanup(&b);
      if (fd)
        close(fd);
      return ERR_IO;
    }
    if (got == 0)
      break;
    b.len += (size_t)got;
  }
  if (fd)
    close(fd);
  *len = b.len;
  *data = buf_take(&b);
  return OK;
}

static void
summarise(struct importer *imp)
{
  size_t cap = imp->o->max_errors ? imp->o->max_errors : 20;

  if (imp->nerrors > cap)
    fprintf(imp->msg, "... and %zu more errors\n", imp->nerrors - cap);
  for (int k = 0; k < NREF; k++) {
    size_t n = strmap_count(imp->missing[k]);
    if (n == 0)
      continue;
    fprintf(imp->msg, "unknown %s%s: ", record_kind_desc(ref_kinds[k])->name,
            n > 1 ? "s" : "");
    for (size_t i = 0; i < n; i++)
      fprintf(imp->msg, "%s'%s'", i ? ", " : "",
              strmap_key(imp->missing[k], i));
    fprintf(imp->msg, " (add %s first, or import with --create-missing)\n",
            n > 1 ? "them" : "it");
  }
  for (size_t fi = 0; fi < imp->kind->nfields; fi++) {
    size_t n = imp->unlabelled[fi] ? strmap_count(imp->unlabelled[fi]) : 0;
    if (n == 0)
      continue;
    fprintf(imp->msg, "field '%s': labels with no --values mapping: ",
            imp->kind->fields[fi].name);
    for (size_t i = 0; i < n; i++)
      fprintf(imp->msg, "%s'%s'", i ? ", " : "",
              strmap_key(imp->unlabelled[fi], i));
    fputc('\n', imp->msg);
  }
}

static int
open_rejects(struct importer *imp)
{
  int fd;

  if (imp->o->rejects == NULL)
    return OK;
  imp->rej_tmp = xasprintf("%s.tmp.%d", imp->o->rejects, (int)getpid());
  fd = open(imp->rej_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || (imp->rej = fdopen(fd, "w")) == NULL) {
    fprintf(imp->msg, "%s: cannot write: %s\n", imp->o->rejects,
            strerror(errno));
    if (fd >= 0)
      close(fd);
    return ERR_IO;
  }
  return OK;
}

/* The rejects file appears whole or not at all. */
static int
close_rejects(struct importer *imp, int keep)
{
  int rc = OK;

  if (imp->rej == NULL)
    return OK;
  if (fflush(imp->rej) != 0 || fsync(fileno(imp->rej)) != 0)
    rc = ERR_IO;
  fclose(imp->rej);
  imp->rej = NULL;
  if (keep && rc == OK && rename(imp->rej_tmp, imp->o->rejects) != 0)
    rc = ERR_IO;
  if (!keep || rc != OK)
    unlink(imp->rej_tmp);
  return rc;
}

static int
finish_import(struct importer *imp, int rc)
{
  summarise(imp);
  if (rc == OK && imp->failed)
    rc = ERR_INVALID;
  if (rc == OK) {
    rc = store_commit(imp->st);
    if (rc != OK)
      fprintf(imp->msg, "passage: %s\n", store_errmsg(imp->st));
  } else {
    store_rollback(imp->st);
    imp->stats->added = imp->stats->unchanged = imp->stats->created = 0;
  }
  if (close_rejects(imp, rc == OK) != OK && rc == OK) {
    fprintf(imp->msg, "%s: cannot write the rejected rows\n", imp->o->rejects);
    rc = ERR_IO;
  }
  return rc;
}

/* The reading thread of ingest_files(). Each file ends with the writer
 * caught up, so that what is said about the next one comes after. */
static int
read_files(void *ctx)
{
  struct importer *imp = ctx;
  int rc = OK;

  for (size_t i = 0; i < imp->nfiles && rc == OK; i++) {
    const char *file = imp->files[i];
    char *data;
    size_t len;
    int mapped;
    imp->file = file;
    imp->row = 0;
    if (load_file(file, &data, &len, &mapped) != OK) {
      fprintf(imp->msg, "%s: cannot read: %s\n", file, strerror(errno));
      return ERR_IO;
    }
    digest(imp, data ? data : "", len);
    rc = imp->o->jsonl ? import_jsonl(imp, data ? data : "", len)
                       : import_csv(imp, data ? data : "", len);
    imp->stats->rows += imp->row;
    if (mapped)
      munmap(data, len);
    else
      free(data);
  }
  return rc;
}

int
ingest_files(struct store *st, const struct ingest_opts *o, char *const *files,
             size_t nfiles, struct ingest_stats *stats)
{
  struct importer imp;
  int rc;

  memset(stats, 0, sizeof *stats);
  importer_init(&imp, st, o, stats);
  imp.files = files;
  imp.nfiles = nfiles;
  if ((rc = open_rejects(&imp)) != OK)
    goto out;
  if ((rc = store_begin(st)) != OK) {
    fprintf(imp.msg, "passage: %s\n", store_errmsg(st));
    goto out;
  }
  rc = handoff_run(imp.ho, read_files, &imp);
  rc = finish_import(&imp, rc);
out:
  importer_cleanup(&imp);
  return rc;
}

int
ingest_fields(struct store *st, const struct ingest_opts *o, char *const *names,
              char *const *values, size_t n, struct ingest_stats *stats)
{
  struct importer imp;
  struct buf why;
  int rc;

  memset(stats, 0, sizeof *stats);
  importer_init(&imp, st, o, stats);
  imp.file = "command line";
  buf_init(&why);
  if ((rc = store_begin(st)) != OK) {
    fprintf(imp.msg, "passage: %s\n", store_errmsg(st));
    goto out;
  }
  imp.row = 1;
  record_reset(imp.cur);
  for (size_t i = 0; i < n; i++) {
    int fi = record_field_index(imp.kind, names[i]);
    if (fi < 0) {
      field_error(&why, names[i], "no such field");
      continue;
    }
    apply(&imp, imp.cur, fi, 0, values[i], 0, &why);
  }
  apply_sets(&imp, imp.cur, &why);
  if (why.len == 0 && record_get(imp.cur, "id") == NULL &&
      ref_index(imp.kind->kind) < 0) {
    /* A command-line record's id is its content's hash: a retried command
     * adds nothing. */
    struct buf c;
    buf_init(&c);
    record_canonical(imp.cur, &c);
    digest(&imp, c.data, c.len);
    buf_cleanup(&c);
    imp.row = 0;
    {
      char id[32];
      struct buf e;
      buf_init(&e);
      snprintf(id, sizeof id, "cli-%s", imp.digest);
      record_set(imp.cur, &imp.ctx, record_field_index(imp.kind, "id"), 0, id,
                 strlen(id), &e);
      buf_cleanup(&e);
    }
  }
  rc = take_row(&imp, 0, &why);
  if (rc == OK)
    rc = flush(&imp);
  rc = catch_up(&imp, rc);
  rc = finish_import(&imp, rc);
out:
  buf_cleanup(&why);
  importer_cleanup(&imp);
  return rc;
}
