/*
 * Exports of field data-collection tools, and rows chosen by their cells.
 *
 * KoboToolbox (--preset kobo) and ODK Central (--preset odk) export a form's
 * submissions as CSV or XLSX, one row each, with their own columns beside
 * the form's questions:
 *
 *   what                 KoboToolbox                 ODK Central
 *   the submission's id  meta/rootUuid, _uuid,       KEY, meta-instanceID
 *                        meta/instanceID
 *   when it arrived      _submission_time (UTC)      SubmissionDate
 *   its review           _validation_status          ReviewState
 *   a question in group  group/question              group-question
 *
 * The submission's id (without "uuid:") becomes the record's id, so that
 * the next export of the same form imports the same submissions as the
 * same records: nothing is added twice. Its arrival time is kept in the
 * note ("submitted 2024-03-01T10:15:42Z"); a record has no field for it.
 * --only-validated keeps the submissions the tool marks approved; without
 * it the import says how many are marked not approved. Columns and --map
 * names match a question by its own name, whatever group holds it. The HXL
 * row KoboToolbox writes under the header maps by tag, as any HXL row.
 *
 * --where Column=value|value2 keeps only rows whose cell is one of the
 * values (any case), Column!=value those whose cell is none of them: a
 * sheet that mixes trucks and tonnes in one column is imported once for
 * each, and its "Total" row is left out.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct preset_cols {
  int id;     /* the submission's id */
  int time;   /* its arrival */
  int status; /* its review */
  int *where; /* per --where */
};

struct preset {
  const char *name;
  const char *seps;            /* between a group and a question */
  const char *const *ids;      /* the id columns, best first */
  const char *time;            /* the arrival time column */
  const char *status;          /* the review column */
  const char *const *approved; /* review values that mean approved */
  const char *const *refused;  /* ... and not approved */
  const char *const *meta;     /* the tool's own columns: not listed as
                                  ignored, never mapped by name */
  const char *meta_prefix;     /* and those starting so */
};

static const char *const kobo_ids[] = {"meta/rootUuid", "_uuid",
                                       "meta/instanceID", NULL};
static const char *const kobo_ok[] = {"validation_status_approved", "Approved",
                                      NULL};
static const char *const kobo_no[] = {"validation_status_not_approved",
                                      "Not Approved", NULL};
static const char *const kobo_meta[] = {"__version__", "formhub/uuid", NULL};
static const char *const odk_ids[] = {"KEY", "meta-instanceID", NULL};
static const char *const odk_ok[] = {"approved", NULL};
static const char *const odk_no[] = {"rejected", NULL};
static const char *const odk_meta[] = {"SubmissionDate",
                                       "SubmitterID",
                                       "SubmitterName",
                                       "AttachmentsPresent",
                                       "AttachmentsExpected",
                                       "Status",
                                       "ReviewState",
                                       "DeviceID",
                                       "Edits",
                                       "FormVersion",
                                       NULL};

static const struct preset presets[] = {
    {"kobo", "/", kobo_ids, "_submission_time", "_validation_status", kobo_ok,
     kobo_no, kobo_meta, "_"},
    {"odk", "-/", odk_ids, "SubmissionDate", "ReviewState", odk_ok, odk_no,
     odk_meta, "meta-"},
};

static const struct preset *
preset_of(const struct importer *imp)
{
  switch (imp->o->preset) {
  case INGEST_PRESET_KOBO:
    return &presets[0];
  case INGEST_PRESET_ODK:
    return &presets[1];
  case INGEST_PRESET_NONE:
    break;
  }
  return NULL;
}

int
ingest_set_preset(struct ingest_opts *o, const char *name, struct buf *err)
{
  if (strcasecmp(name, "kobo") == 0 || strcasecmp(name, "kobotoolbox") == 0)
    o->preset = INGEST_PRESET_KOBO;
  else if (strcasecmp(name, "odk") == 0)
    o->preset = INGEST_PRESET_ODK;
  else {
    buf_printf(err, _("--preset: expected kobo or odk, got '%s'"), name);
    return ERR_USAGE;
  }
  return OK;
}

int
ingest_add_where(struct ingest_opts *o, const char *spec, struct buf *err)
{
  const char *eq = strchr(spec, '=');
  struct ingest_where w;
  size_t n;
  char **items;

  if (eq == NULL || eq == spec) {
    buf_printf(err,
               _("--where: expected Column=value (or value|value2), got "
                 "'%s'"),
               spec);
    return ERR_USAGE;
  }
  memset(&w, 0, sizeof w);
  w.negated = eq[-1] == '!';
  if (w.negated && eq - 1 == spec) {
    buf_printf(err, _("--where: expected Column!=value, got '%s'"), spec);
    return ERR_USAGE;
  }
  {
    char *col = xstrndup(spec, (size_t)(eq - spec - w.negated));
    w.column = ingest__trimmed(col);
    free(col);
  }
  items = ingest__split(eq + 1, '|', &n);
  for (size_t i = 0; i < n; i++) {
    w.values = xrealloc(w.values, (w.nvalues + 1) * sizeof *w.values);
    w.values[w.nvalues++] = ingest__trimmed(items[i]);
    free(items[i]);
  }
  free(items);
  o->wheres = xrealloc(o->wheres, (o->nwheres + 1) * sizeof *o->wheres);
  o->wheres[o->nwheres++] = w;
  return OK;
}

/* 1 when header cell h (trimmed) is name, or "group/name" under the
 * preset's separators. */
static int
names(const char *h, const char *name, const char *seps)
{
  size_t nh = strlen(h), nn = strlen(name);

  if (nh == nn)
    return strcasecmp(h, name) == 0;
  if (seps == NULL || nh <= nn || !strchr(seps, h[nh - nn - 1]))
    return 0;
  return strcasecmp(h + nh - nn, name) == 0;
}

int
ingest__column_named(const struct importer *imp,
                     const struct csv_record *header, const char *name)
{
  const struct preset *p = preset_of(imp);
  int c = ingest__column_of(header, name);

  if (c >= 0 || p == NULL)
    return c;
  for (size_t i = 0; i < header->nfields; i++) {
    char *h = ingest__trimmed(header->field[i]);
    int same = names(h, name, p->seps);
    free(h);
    if (same)
      return (int)i;
  }
  return -1;
}

static int
first_of(const struct csv_record *header, const char *const *list)
{
  for (; list && *list; list++) {
    int c = ingest__column_of(header, *list);
    if (c >= 0)
      return c;
  }
  return -1;
}

static int
in_list(const char *s, const char *const *list)
{
  for (; list && *list; list++)
    if (strcasecmp(s, *list) == 0)
      return 1;
  return 0;
}

/* Marks the tool's own columns used, so that none is mapped by name. */
static void
mark_meta(const struct preset *p, const struct csv_record *header, int *used)
{
  for (size_t i = 0; i < header->nfields; i++) {
    char *h = ingest__trimmed(header->field[i]);
    if (in_list(h, p->meta) || in_list(h, p->ids) ||
        strncasecmp(h, p->meta_prefix, strlen(p->meta_prefix)) == 0 ||
        (strcmp(p->name, "kobo") == 0 && strncasecmp(h, "meta/", 5) == 0))
      used[i] = 1;
    free(h);
  }
}

int
ingest__preset_header(struct importer *imp, const struct csv_record *header,
                      int *used, struct fieldmap *fm)
{
  const struct preset *p = preset_of(imp);
  struct preset_cols *pc;

  (void)fm;
  ingest__preset_free(imp);
  pc = imp->pc = xcalloc(1, sizeof *pc);
  pc->id = pc->time = pc->status = -1;
  pc->where = xcalloc(imp->o->nwheres + 1, sizeof *pc->where);
  for (size_t i = 0; i < imp->o->nwheres; i++) {
    const struct ingest_where *w = &imp->o->wheres[i];
    pc->where[i] = ingest__column_named(imp, header, w->column);
    if (pc->where[i] < 0) {
      struct buf v;
      buf_init(&v);
      for (size_t j = 0; j < w->nvalues; j++)
        buf_printf(&v, "%s%s", j ? "|" : "", w->values[j]);
      ingest__no_column(imp, w->negated ? "--where (!=)" : "--where", w->column,
                        v.data ? v.data : "", w->column, header);
      buf_cleanup(&v);
      return ERR_USAGE;
    }
  }
  if (p == NULL)
    return OK;
  pc->id = first_of(header, p->ids);
  pc->time = ingest__column_of(header, p->time);
  pc->status = ingest__column_of(header, p->status);
  mark_meta(p, header, used);
  if (imp->o->only_validated && pc->status < 0) {
    char *m = xasprintf(_("--only-validated: the file has no column '%s', "
                          "where %s says which submissions are approved "
                          "(docs/importing.md#kobo)"),
                        p->status, p->name);
    ingest__send_error(imp, INGEST_ERR_MAP, 0, NULL, m);
    free(m);
    return ERR_USAGE;
  }
  return OK;
}

static const char *
cell(const struct csv_record *r, int c)
{
  return c >= 0 && (size_t)c < r->nfields ? r->field[c] : "";
}

/* The cell, trimmed, compared in any case with a list of values. */
static int
cell_in(const struct csv_record *r, int c, char *const *values, size_t n)
{
  char *v = ingest__trimmed(cell(r, c));
  int found = 0;

  for (size_t i = 0; i < n && !found; i++)
    found = strcasecmp(v, values[i]) == 0;
  free(v);
  return found;
}

int
ingest__preset_keep(struct importer *imp, const struct csv_record *r)
{
  const struct preset *p = preset_of(imp);
  const struct preset_cols *pc = imp->pc;
  char *status;
  int keep = 1;

  if (pc == NULL)
    return 1;
  for (size_t i = 0; i < imp->o->nwheres; i++)
    if (cell_in(r, pc->where[i], imp->o->wheres[i].values,
                imp->o->wheres[i].nvalues) == imp->o->wheres[i].negated)
      return 0;
  if (p == NULL || pc->status < 0)
    return 1;
  status = ingest__trimmed(cell(r, pc->status));
  if (imp->o->only_validated)
    keep = in_list(status, p->approved);
  else if (in_list(status, p->refused))
    imp->unapproved++;
  free(status);
  return keep;
}

/* "submitted 2024-03-01T10:15:42Z": when the tool received the row. */
static void
submitted(struct importer *imp, struct record *rec, const char *text)
{
  int fi = record_field_index(rec->kind, "note");
  const char *note = record_get(rec, "note");
  struct ptime t;
  char when[40];
  struct buf b, e;

  if (util_parse_time(text, strlen(text), &t) != OK)
    return;
  if (!t.has_offset && t.prec > TIME_DAY) {
    t.has_offset = 1; /* both tools give the time in UTC */
    t.offset_min = 0;
  }
  util_format_time(&t, when, sizeof when);
  buf_init(&b);
  buf_init(&e);
  if (note)
    buf_printf(&b, "%s; ", note);
  buf_printf(&b, "submitted %s", when);
  record_set(rec, &imp->ctx, fi, 0, b.data, b.len, &e);
  buf_cleanup(&b);
  buf_cleanup(&e);
}

void
ingest__preset_row(struct importer *imp, struct record *rec,
                   const struct csv_record *r)
{
  const struct preset_cols *pc = imp->pc;
  const char *id;

  if (pc == NULL || preset_of(imp) == NULL)
    return;
  id = cell(r, pc->id);
  while (isspace((unsigned char)*id))
    id++;
  if (strncasecmp(id, "uuid:", 5) == 0)
    id += 5;
  if (pc->id >= 0 && *id && record_get(rec, "id") == NULL)
    ingest__apply(imp, rec, record_field_index(rec->kind, "id"), 0, id, 0);
  if (pc->time >= 0 && *cell(r, pc->time))
    submitted(imp, rec, cell(r, pc->time));
}

void
ingest__preset_mapped(struct importer *imp, const struct csv_record *header,
                      const struct fieldmap *fm)
{
  static const char *const times[] = {"start", "end"};
  const struct preset *p = preset_of(imp);
  struct buf names, m;
  int n = 0;

  if (p == NULL || imp->kind->kind != KIND_flow)
    return;
  buf_init(&names);
  for (int i = 0; i < 2; i++) {
    int fi = record_field_index(imp->kind, times[i]);
    int given = 0;
    char *h;
    for (size_t j = 0; j < imp->o->nmaps; j++)
      given |= strcasecmp(imp->o->maps[j].key, times[i]) == 0;
    if (given || fm[fi].nparts != 1 || fm[fi].parts[0].column < 0)
      continue;
    h = ingest__trimmed(header->field[fm[fi].parts[0].column]);
    if (strcasecmp(h, times[i]) == 0)
      buf_printf(&names, "%s'%s'", n++ ? _(" and ") : "", times[i]);
    free(h);
  }
  if (n) {
    buf_init(&m);
    buf_printf(&m,
               ngettext("column %s maps to the flow's by name, but in "
                        "KoboToolbox and ODK forms start and end are most "
                        "often the times the form was opened and sent, not "
                        "the interval counted: --map start=COLUMN,end=COLUMN "
                        "if the interval is elsewhere (docs/importing.md#kobo)",
                        "columns %s map to the flow's by name, but in "
                        "KoboToolbox and ODK forms start and end are most "
                        "often the times the form was opened and sent, not "
                        "the interval counted: --map start=COLUMN,end=COLUMN "
                        "if the interval is elsewhere (docs/importing.md#kobo)",
                        (unsigned long)n),
               names.data);
    ingest__send_guess(imp, m.data);
    buf_cleanup(&m);
  }
  buf_cleanup(&names);
}

int
ingest__preset_end(struct importer *imp)
{
  const struct preset *p = preset_of(imp);
  char *m;
  int rc;

  if (p == NULL || imp->unapproved == 0)
    return OK;
  m = xasprintf(ngettext("%zu row marked not approved in %s was imported; "
                         "--only-validated keeps only approved ones "
                         "(docs/importing.md#kobo)",
                         "%zu rows marked not approved in %s were imported; "
                         "--only-validated keeps only approved ones "
                         "(docs/importing.md#kobo)",
                         (unsigned long)imp->unapproved),
                imp->unapproved, p->status);
  rc = ingest__send_guess(imp, m);
  free(m);
  return rc;
}

void
ingest__preset_free(struct importer *imp)
{
  if (imp->pc == NULL)
    return;
  free(imp->pc->where);
  free(imp->pc);
  imp->pc = NULL;
}
