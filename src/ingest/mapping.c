/*
 * From the publisher's words to ours: the --map, --set and --values
 * options, templates that join columns ("{Year}-{Month}"), and a cell's
 * text onto a field (label translation, references resolved by id, name or
 * slug, and created with --create-missing).
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const enum record_kind ingest__ref_kinds[NREF] = {KIND_checkpoint, KIND_source,
                                                  KIND_actor};

int
ingest__ref_index(enum record_kind k)
{
  for (int i = 0; i < NREF; i++)
    if (ingest__ref_kinds[i] == k)
      return i;
  return -1;
}

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
  for (size_t i = 0; i < o->nmissing; i++)
    free(o->missing[i]);
  free(o->missing);
  for (size_t i = 0; i < o->nwheres; i++) {
    free(o->wheres[i].column);
    for (size_t j = 0; j < o->wheres[i].nvalues; j++)
      free(o->wheres[i].values[j]);
    free(o->wheres[i].values);
  }
  free(o->wheres);
  free(o->date_format);
  free(o->encoding);
  ingest_opts_init(o);
}

/* Splits spec at unescaped sep; "\," and "\=" stand for themselves. */
char **
ingest__split(const char *spec, char sep, size_t *n)
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

char *
ingest__trimmed(const char *s)
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

char *
ingest__lower(const char *s)
{
  char *out = xstrdup(s);

  for (char *p = out; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return out;
}

static int
known_field(const struct ingest_opts *o, const char *name, struct buf *err,
            const char *opt)
{
  const struct kind_desc *k = record_kind_desc(o->kind);

  if (record_field_index(k, name) >= 0)
    return OK;
  buf_printf(err, _("%s: %s has no field '%s' (fields:"), opt, k->name, name);
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
  char **items = ingest__split(spec, ',', &n);
  int rc = OK;

  for (size_t i = 0; i < n; i++) {
    char *eq = find_unescaped(items[i], '=');
    char *key, *value;
    if (eq == NULL) {
      buf_printf(err, _("%s: expected field=value, got '%s'"), opt, items[i]);
      rc = ERR_USAGE;
      break;
    }
    *eq = '\0';
    key = ingest__trimmed(items[i]);
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
    buf_printf(err, _("--values: expected 'field:Label=value,...', got '%s'"),
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
  items = ingest__split(colon + 1, ',', &n);
  for (size_t i = 0; i < n; i++) {
    char *eq = find_unescaped(items[i], '=');
    if (eq == NULL) {
      buf_printf(err, _("--values %s: expected Label=value, got '%s'"), field,
                 items[i]);
      rc = ERR_USAGE;
      break;
    }
    *eq = '\0';
    o->labels = xrealloc(o->labels, (o->nlabels + 1) * sizeof *o->labels);
    o->labels[o->nlabels].field = xstrdup(field);
    {
      char *raw = unescape(items[i]);
      o->labels[o->nlabels].label = ingest__trimmed(raw);
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

struct learn {
  struct importer *imp;
  int k;
};

static void
learn_name(void *ctx, const char *id, const char *name)
{
  struct learn *l = ctx;
  char *low;

  strmap_put(l->imp->ids[l->k], id, id);
  if (name) {
    low = ingest__lower(name);
    if (strmap_get(l->imp->names[l->k], low) == NULL)
      strmap_put(l->imp->names[l->k], low, id);
    free(low);
  }
}

void
ingest__mapping_init(struct importer *imp)
{
  const struct ingest_opts *o = imp->o;

  for (int k = 0; k < NREF; k++) {
    struct learn l = {imp, k};
    imp->ids[k] = strmap_new();
    imp->names[k] = strmap_new();
    store_each_name(imp->st, ingest__ref_kinds[k], learn_name, &l);
  }
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
}

void
ingest__mapping_cleanup(struct importer *imp)
{
  for (int k = 0; k < NREF; k++) {
    strmap_free(imp->ids[k]);
    strmap_free(imp->names[k]);
  }
  strmap_free(imp->labels);
  free(imp->labelled);
}

int
ingest__column_of(const struct csv_record *header, const char *name)
{
  for (size_t i = 0; i < header->nfields; i++) {
    char *h = ingest__trimmed(header->field[i]);
    int same = strcasecmp(h, name) == 0;
    free(h);
    if (same)
      return (int)i;
  }
  return -1;
}

/* The column whose tag in the hashtag row is tag, or -1. */
static int
column_tagged(const struct csv_record *tags, const char *tag)
{
  char *want = ingest__hxl_normal(tag);
  int found = -1;

  for (size_t i = 0; tags && i < tags->nfields && found < 0; i++) {
    char *t = ingest__hxl_normal(tags->field[i]);
    if (t[0] && strcmp(t, want) == 0)
      found = (int)i;
    free(t);
  }
  free(want);
  return found;
}

int
ingest__parse_map(const struct importer *imp, const struct csv_record *header,
                  const struct csv_record *tags, const char *spec,
                  struct fieldmap *fm)
{
  const char *p = spec;

  if (strchr(spec, '{') == NULL) {
    int c = spec[0] == '#' ? column_tagged(tags, spec)
                           : ingest__column_named(imp, header, spec);
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
      part.column = name[0] == '#' ? column_tagged(tags, name)
                                   : ingest__column_named(imp, header, name);
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
  return OK;
}

void
ingest__fieldmaps_free(struct fieldmap *fm, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < fm[i].nparts; j++)
      free(fm[i].parts[j].text);
    free(fm[i].parts);
  }
  free(fm);
}

/*
 * Creates a checkpoint, source or actor that rows name but that does not
 * exist (--create-missing). The writer stores it, in its place before the
 * row that names it; from here on it is known.
 */
static int
create_ref(struct importer *imp, int k, const char *text, const char *id,
           struct buf *why)
{
  struct record rec;
  struct buf e;
  int rc;

  record_init(&rec, ingest__ref_kinds[k]);
  buf_init(&e);
  rc = record_set(&rec, &imp->ctx, record_field_index(rec.kind, "id"), 0, id,
                  strlen(id), &e);
  if (rc == OK)
    rc = record_set(&rec, &imp->ctx, record_field_index(rec.kind, "name"), 0,
                    text, strlen(text), &e);
  if (rc == OK)
    rc = record_finish(&rec, &e);
  if (rc == OK) {
    char *l = ingest__lower(text);
    strmap_put(imp->ids[k], id, id);
    strmap_put(imp->names[k], l, id);
    free(l);
    rc = ingest__send_created(imp, &rec);
    if (rc != OK)
      rc = ERR_STORE; /* the writer failed: stop (its own code, ERR_RETRY
                         say, reaches the caller through handoff_drain) */
  } else {
    buf_printf(why, _("cannot create %s '%s': %s"),
               ingest__ref_kinds[k] == KIND_checkpoint ? "checkpoint"
                                                       : rec.kind->name,
               text, e.data);
  }
  record_cleanup(&rec);
  buf_cleanup(&e);
  return rc;
}

/*
 * Resolves a reference as users write it: an id, a name (any case), or a
 * name whose slug is an id. Unknown ones are created with --create-missing,
 * else remembered for one summary line. Sets out to the id, or returns
 * ERR_NOTFOUND (or ERR_INVALID: it could not be created) with why.
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
  l = ingest__lower(text);
  slug = util_slug(text);
  if ((id = strmap_get(imp->names[k], l)) != NULL) {
    buf_puts(out, id);
  } else if (slug[0] && strmap_get(imp->ids[k], slug)) {
    buf_puts(out, slug);
  } else if (imp->o->create_missing && slug[0]) {
    rc = create_ref(imp, k, text, slug, why);
    if (rc == OK)
      buf_puts(out, slug);
    else if (rc != ERR_STORE)
      rc = ERR_INVALID;
  } else {
    ingest__send_note(imp, k, text);
    buf_printf(why, _("unknown %s '%s'"),
               record_kind_desc(ingest__ref_kinds[k])->name, text);
    rc = ERR_NOTFOUND;
  }
  free(l);
  free(slug);
  return rc;
}

/* 1 when text names a checkpoint, source or actor that is known (by id,
 * name or slug), without creating or remembering anything. */
static int
known_ref(const struct importer *imp, int k, const char *text)
{
  char *l, *slug;
  int known;

  if (strmap_get(imp->ids[k], text))
    return 1;
  l = ingest__lower(text);
  slug = util_slug(text);
  known = strmap_get(imp->names[k], l) != NULL ||
          (slug[0] && strmap_get(imp->ids[k], slug) != NULL);
  free(l);
  free(slug);
  return known;
}

/*
 * Whether a label no --values maps is already one of field fi's own
 * values: then it passes through as it is. A reference is a known record;
 * an enum value, a category, a number, a date or a grade is one the record
 * module takes (and has then set: *set is 1). Free text has no values of
 * its own to match, so its every label must be mapped.
 */
static int
matches_as_is(struct importer *imp, struct record *rec, int fi, size_t line,
              const char *value, size_t n, int *set)
{
  const struct field_desc *f = &rec->kind->fields[fi];
  char *copy;
  int ok = 1;

  *set = 0;
  if (f->type == FT_TEXT)
    return 0;
  if (f->type == FT_REF || f->type == FT_REFLIST) {
    size_t nitems;
    char **items;
    copy = xstrndup(value, n);
    items = ingest__split(copy, f->type == FT_REF ? '\0' : ',', &nitems);
    for (size_t i = 0; i < nitems; i++) {
      char *item = ingest__trimmed(items[i]);
      if (*item && !known_ref(imp, ingest__ref_index(f->ref), item))
        ok = 0;
      free(item);
      free(items[i]);
    }
    free(items);
    free(copy);
    return ok;
  }
  {
    struct buf e;
    buf_init(&e);
    ok = record_set(rec, &imp->ctx, fi, line, value, n, &e) == OK;
    buf_cleanup(&e);
  }
  *set = ok;
  return ok;
}

/* Replaces the label (*value, *n bytes) of field fi, which has --values,
 * by our value. A label with no mapping passes through when it is one of
 * the field's own values (*set when it has been set already); any other
 * is an error. */
static int
translate_label(struct importer *imp, struct record *rec, int fi, size_t line,
                const char **value, size_t *n, struct buf *e, char **label,
                int *set)
{
  const char *name = imp->kind->fields[fi].name;
  char *key = xasprintf("%s\x1f%.*s", name, (int)*n, *value);
  const char *mapped = strmap_get(imp->labels, key);

  free(key);
  *set = 0;
  if (mapped) {
    *value = mapped;
    *n = strlen(mapped);
    return OK;
  }
  if (matches_as_is(imp, rec, fi, line, *value, *n, set))
    return OK;
  *label = xstrndup(*value, *n);
  ingest__send_note(imp, NREF + fi, *label);
  buf_printf(e, _("no --values mapping for label '%s'"), *label);
  return ERR_INVALID;
}

/* Resolves the references in value (one, or a list for FT_REFLIST) into
 * resolved. */
static int
resolve_all(struct importer *imp, const struct field_desc *f, const char *value,
            size_t n, struct buf *resolved, struct buf *e, char **got)
{
  int k = ingest__ref_index(f->ref);
  char *copy = xstrndup(value, n);
  struct buf one;
  int rc = OK;

  buf_init(&one);
  if (f->type == FT_REF) {
    rc = resolve(imp, k, copy, resolved, e);
    if (rc != OK)
      *got = xstrdup(copy);
  } else {
    size_t nitems;
    char **items = ingest__split(copy, ',', &nitems);
    for (size_t i = 0; i < nitems; i++) {
      char *item = ingest__trimmed(items[i]);
      if (*item && rc == OK) {
        rc = resolve(imp, k, item, &one, e);
        if (rc == OK) {
          if (resolved->len)
            buf_putc(resolved, ',');
          buf_append(resolved, one.data, one.len);
        } else {
          *got = xstrdup(item);
        }
      }
      free(item);
      free(items[i]);
    }
    free(items);
  }
  buf_cleanup(&one);
  free(copy);
  return rc;
}

/* Sets field fi from a file's cell, rewritten by the dialect where it
 * says so (a date order, a decimal comma, a serial date). */
static int
set_cell(struct importer *imp, struct record *rec, int fi, size_t line,
         const char *value, size_t n, struct buf *e)
{
  const struct field_desc *f = &rec->kind->fields[fi];
  const char *conv = NULL;
  struct buf tmp;
  int refuse = 0, rc;

  buf_init(&tmp);
  if (f->type == FT_TIME)
    conv = ingest__cell_time(imp, fi, value, n, &tmp);
  else if (f->type == FT_NUMBER || f->type == FT_COUNT)
    conv = ingest__cell_number(imp, fi, value, n, &tmp, &refuse);
  if (refuse) {
    buf_printf(e, _("expected a number%s, got '%.*s'"),
               refuse == 2 ? _(" with a decimal comma (--decimal-comma)") : "",
               (int)(n > 60 ? 60 : n), value);
    rc = ERR_INVALID;
  } else if (conv) {
    rc = record_set(rec, &imp->ctx, fi, line, conv, strlen(conv), e);
  } else {
    rc = record_set(rec, &imp->ctx, fi, line, value, n, e);
    if (rc != OK && f->type != FT_ENUM && f->type != FT_CATEGORY)
      ingest__cell_refused(imp, fi, value, n);
  }
  buf_cleanup(&tmp);
  return rc;
}

/* A field's problem, worded by the record module (worded: "expected X,
 * got Y") or here. Returns ERR_INVALID. */
static int
add_problem(struct importer *imp, const struct field_desc *f,
            enum ingest_error_kind kind, int worded, const char *msg,
            const char *got)
{
  char *m;

  msg = msg ? msg : "invalid";
  m = xasprintf(_("field '%s': %s"), f->name, msg);
  if (worded)
    ingest__problem_text(&imp->prob, kind, f->name, msg);
  else
    ingest__problem_add(&imp->prob, kind, f->name, NULL, got, m);
  free(m);
  return ERR_INVALID;
}

int
ingest__apply(struct importer *imp, struct record *rec, int fi, size_t line,
              const char *text, int translate)
{
  const struct field_desc *f = &rec->kind->fields[fi];
  enum ingest_error_kind kind = INGEST_ERR_FIELD;
  struct buf e, resolved;
  const char *value = text;
  char *got = NULL;
  int rc = OK, set = 0, worded = 0;
  size_t n;

  while (*value && isspace((unsigned char)*value))
    value++;
  n = strlen(value);
  while (n && isspace((unsigned char)value[n - 1]))
    n--;
  if (n == 0 || (n == 1 && value[0] == '-'))
    return OK;
  if (translate && ingest__is_missing(imp, value, n))
    return OK;

  buf_init(&e);
  buf_init(&resolved);
  if (translate && imp->labelled[fi]) {
    rc = translate_label(imp, rec, fi, line, &value, &n, &e, &got, &set);
    kind = INGEST_ERR_LABEL;
  }
  if (rc == OK && !set && (f->type == FT_REF || f->type == FT_REFLIST)) {
    rc = resolve_all(imp, f, value, n, &resolved, &e, &got);
    kind = INGEST_ERR_REFERENCE;
    if (rc == OK) {
      value = resolved.data ? resolved.data : "";
      n = resolved.len;
    }
  }
  if (rc == OK && !set) {
    kind = INGEST_ERR_FIELD;
    worded = 1;
    rc = translate ? set_cell(imp, rec, fi, line, value, n, &e)
                   : record_set(rec, &imp->ctx, fi, line, value, n, &e);
    if (rc != OK && translate &&
        (f->type == FT_ENUM || f->type == FT_CATEGORY)) {
      /* A label that is none of the field's values: listed once with
       * its count, with the --values that would map it (teach.c). */
      kind = INGEST_ERR_LABEL;
      got = xstrndup(value, n);
      ingest__send_note(imp, NREF + fi, got);
    }
  }
  if (rc != OK && rc != ERR_STORE) /* ERR_STORE: the import ends there */
    rc = add_problem(imp, f, kind, worded, e.data, got);
  free(got);
  buf_cleanup(&e);
  buf_cleanup(&resolved);
  return rc;
}

int
ingest__apply_sets(struct importer *imp, struct record *rec)
{
  int rc = OK;

  for (size_t i = 0; i < imp->o->nsets; i++) {
    int fi = record_field_index(rec->kind, imp->o->sets[i].key);
    if (ingest__apply(imp, rec, fi, 0, imp->o->sets[i].value, 0) != OK)
      rc = ERR_INVALID;
  }
  return rc;
}
