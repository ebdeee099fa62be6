/*
 * Errors that teach: one line per problem, not per row, saying what the
 * file holds and the option that would read it.
 *
 * - Required fields that no column gives stop the import before its first
 *   row, naming the file's columns and the --map or --set to add (with a
 *   column guessed from its name, or for a time from its first value).
 * - Labels that are none of a field's values (no --values maps them, and
 *   they are no category, enum value or known record) are listed once per
 *   field, each with the rows that hold it, with the --values line that
 *   would map them (a value suggested where one of ours is a word of the
 *   label) or the [category ...] section to write.
 * - Cells an option would read (a decimal comma, a day/month order, "n/a")
 *   are counted per field and summed up with the option.
 *
 * Each line ends with the section of docs/importing.md to read.
 */
#include "ingest/ingest_int.h"
#include "util/i18n.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Columns listed in a message before "and N more". */
#define MAX_LISTED 30
/* Labels listed in a message. */
#define MAX_LABELS 20

void
ingest__tally_add(struct tally *t, const char *name)
{
  const char *at;
  char pos[24];

  if (t->index == NULL)
    t->index = strmap_new();
  if ((at = strmap_get(t->index, name)) != NULL) {
    t->count[strtoul(at, NULL, 10)]++;
    return;
  }
  snprintf(pos, sizeof pos, "%zu", strmap_count(t->index));
  t->count = util_grow(t->count, &t->cap, strmap_count(t->index) + 1,
                       sizeof *t->count);
  t->count[strmap_count(t->index)] = 1;
  strmap_put(t->index, name, pos);
}

void
ingest__tally_free(struct tally *t)
{
  strmap_free(t->index);
  free(t->count);
  memset(t, 0, sizeof *t);
}

/* "'a', 'b', ... and 12 more" */
static void
list_columns(struct buf *m, const struct csv_record *header)
{
  size_t shown = 0;

  for (size_t i = 0; i < header->nfields; i++) {
    if (header->field[i][0] == '\0')
      continue;
    if (shown == MAX_LISTED) {
      buf_printf(m, _(" and %zu more"), header->nfields - i);
      return;
    }
    buf_printf(m, "%s'%s'", shown ? ", " : "", header->field[i]);
    shown++;
  }
  if (shown == 0)
    buf_puts(m, "none");
}

/* The letters and digits of s in lower case. */
static char *
squeezed(const char *s)
{
  char *out = xmalloc(strlen(s) + 1), *o = out;

  for (; *s; s++)
    if (isalnum((unsigned char)*s))
      *o++ = (char)tolower((unsigned char)*s);
  *o = '\0';
  return out;
}

void
ingest__no_column(struct importer *imp, const char *option, const char *key,
                  const char *value, const char *column,
                  const struct csv_record *header)
{
  char *want = squeezed(column), *near = NULL;
  size_t nnear = 0;
  struct buf m;

  /* A column spelt a little differently ("Date-" for "date", "date_1"). */
  for (size_t i = 0; i < header->nfields && want[0]; i++) {
    char *h = squeezed(header->field[i]);
    size_t nh = strlen(h), nw = strlen(want);
    size_t shorter = nh < nw ? nh : nw;
    if (shorter >= 3 && strncmp(h, want, shorter) == 0 &&
        (nh > nw ? nh - nw : nw - nh) <= 2) {
      near = header->field[i];
      nnear++;
    }
    free(h);
  }
  buf_init(&m);
  buf_printf(&m, _("%s %s=%s: no such column (the columns are: "), option, key,
             value);
  list_columns(&m, header);
  buf_puts(&m, ")");
  if (nnear == 1)
    buf_printf(&m, _("; did you mean '%s'?"), near);
  else if (header->nfields == 1 && strpbrk(header->field[0], ",;\t|"))
    buf_puts(&m, _("; the header is one column: are the fields separated by "
                   "another character? (--delimiter)"));
  buf_puts(&m, " (docs/importing.md#columns)");
  ingest__send_error(imp, INGEST_ERR_MAP, 0, key, m.data);
  buf_cleanup(&m);
  free(want);
}

/* Words in a column's name that suggest a field. */
static const struct {
  const char *field;
  const char *words; /* comma-separated, most telling first */
} name_hints[] = {
    {"start", "start,date,day,time,when,from,period,month,year"},
    {"at", "date,day,time,when,as of,period,month,year"},
    {"checkpoint", "checkpoint,crossing,border,gate,point,port,route,site,"
                   "location,place,station,entry"},
    {"direction", "direction,dir,bound,in/out"},
    {"category", "category,commodity,cargo,goods,item,classification,sector"},
    {"name", "name,title,label"},
    {"summary", "summary,description,details,event,text"},
    {"kind", "kind,type"},
    {"state", "state,status"},
    {"per_person_per_day", "per person,ration,need"},
    {"value", "value,amount,figure"},
};

/* A column not yet taken whose first value reads as a day (not a bare
 * year: "3780" is more likely a figure). */
static int
date_column(const struct csv_record *header, const int *taken,
            const struct csv_record *first)
{
  struct ptime t;

  for (size_t c = 0; first && c < header->nfields && c < first->nfields; c++)
    if (!taken[c] && first->len[c] &&
        util_parse_time(first->field[c], first->len[c], &t) == OK &&
        t.prec >= TIME_DAY)
      return (int)c;
  return -1;
}

/* The column that most likely holds field fi, or -1. */
static int
guess_column(const struct importer *imp, size_t fi,
             const struct csv_record *header, const int *taken,
             const struct csv_record *first)
{
  const struct field_desc *f = &imp->kind->fields[fi];

  if (f->type == FT_TIME) {
    int c = date_column(header, taken, first);
    if (c >= 0)
      return c;
  }
  for (size_t h = 0; h < sizeof name_hints / sizeof name_hints[0]; h++) {
    size_t nw;
    char **w;
    int found = -1;
    if (strcmp(name_hints[h].field, f->name) != 0)
      continue;
    w = ingest__split(name_hints[h].words, ',', &nw);
    for (size_t i = 0; i < nw; i++) {
      for (size_t c = 0; c < header->nfields && found < 0; c++) {
        char *low = ingest__lower(header->field[c]);
        if (!taken[c] && strstr(low, w[i]))
          found = (int)c;
        free(low);
      }
      free(w[i]);
    }
    free(w);
    return found;
  }
  return -1;
}

static int
is_set(const struct importer *imp, const char *field)
{
  for (size_t i = 0; i < imp->o->nsets; i++)
    if (strcasecmp(imp->o->sets[i].key, field) == 0)
      return 1;
  return 0;
}

/* Adds "field=value" to a --map or --set list. */
static void
add_pair(struct buf *b, const char *field, const char *value)
{
  buf_printf(b, "%s%s=", b->len ? "," : "", field);
  for (const char *p = value; *p; p++) {
    if (*p == ',' || *p == '=')
      buf_putc(b, '\\');
    if (*p == '\'')
      buf_puts(b, "'\\''"); /* the shell's quote inside quotes */
    else
      buf_putc(b, *p);
  }
}

/* For a required field no column is guessed for: a value to set for all
 * (a choice among an enum's values, never one of them chosen), or a column
 * to name. */
static void
suggest_set(const struct field_desc *f, struct buf *maps, struct buf *sets)
{
  struct buf any;

  if (f->type == FT_ENUM) {
    buf_init(&any);
    for (const char *const *a = f->allowed; *a; a++)
      buf_printf(&any, "%s%s", a == f->allowed ? "" : "|", *a);
    add_pair(sets, f->name, any.data);
    buf_cleanup(&any);
  } else if (f->type == FT_REF) {
    add_pair(sets, f->name, "ID");
  } else if (f->type == FT_TIME) {
    add_pair(sets, f->name, "YYYY-MM-DD");
  } else {
    add_pair(maps, f->name, "COLUMN");
  }
}

int
ingest__check_required(struct importer *imp, const struct csv_record *header,
                       const struct fieldmap *fm, const int *used,
                       const struct csv_record *first)
{
  const struct kind_desc *k = imp->kind;
  int *taken = xcalloc(header->nfields + 1, sizeof *taken);
  struct buf m, maps, sets, names;
  size_t nmissing = 0;
  const char *field = NULL;
  int rc = OK;

  buf_init(&m);
  buf_init(&maps);
  buf_init(&sets);
  buf_init(&names);
  memcpy(taken, used, header->nfields * sizeof *taken);
  for (size_t fi = 0; fi < k->nfields; fi++) {
    const struct field_desc *f = &k->fields[fi];
    int col;
    if (!(f->flags & FF_REQUIRED) || fm[fi].nparts || is_set(imp, f->name))
      continue;
    field = field ? field : f->name;
    buf_printf(&names, "%s'%s'", nmissing++ ? ", " : "", f->name);
    if ((col = guess_column(imp, fi, header, taken, first)) >= 0) {
      taken[col] = 1;
      add_pair(&maps, f->name, header->field[col]);
    } else {
      suggest_set(f, &maps, &sets);
    }
  }
  if (nmissing) {
    buf_printf(&m,
               _("no column gives %s, which a %s requires (the columns "
                 "are: "),
               names.data, k->name);
    list_columns(&m, header);
    buf_puts(&m, ")");
    if (maps.len && sets.len)
      buf_printf(&m,
                 nmissing > 1 ? _("; name them with --map '%s' and --set '%s'")
                              : _("; name it with --map '%s' and --set '%s'"),
                 maps.data, sets.data);
    else if (maps.len)
      buf_printf(&m,
                 nmissing > 1 ? _("; name them with --map '%s'")
                              : _("; name it with --map '%s'"),
                 maps.data);
    else if (sets.len)
      buf_printf(&m,
                 nmissing > 1 ? _("; name them with --set '%s'")
                              : _("; name it with --set '%s'"),
                 sets.data);
    else
      buf_puts(&m, nmissing > 1 ? _("; name them") : _("; name it"));
    if (sets.len)
      buf_puts(&m, _(" (or --map a column for any of them)"));
    buf_puts(&m, " (docs/importing.md#columns)");
    ingest__send_error(imp, INGEST_ERR_MAP, 0, field, m.data);
    rc = ERR_USAGE;
  }
  buf_cleanup(&m);
  buf_cleanup(&maps);
  buf_cleanup(&sets);
  buf_cleanup(&names);
  free(taken);
  return rc;
}

/* --- labels ------------------------------------------------------------ */

/* 1 when word (n bytes) is value, or its plural. */
static int
word_is(const char *word, size_t n, const char *value)
{
  size_t v = strlen(value);

  if (n == v)
    return strncasecmp(word, value, n) == 0;
  if (n == v + 1 && (word[n - 1] == 's' || word[n - 1] == 'S'))
    return strncasecmp(word, value, v) == 0;
  if (n == v + 2 && strncasecmp(word + v, "es", 2) == 0)
    return strncasecmp(word, value, v) == 0;
  return 0;
}

/* The one value of list that is a word of label, or NULL. */
static const char *
suggest(const char *label, const char *const *list1, const char *const *list2)
{
  const char *found = NULL;
  const char *const *lists[2] = {list1, list2};
  int many = 0;

  for (int l = 0; l < 2; l++)
    for (const char *const *v = lists[l]; v && *v; v++) {
      const char *p = label;
      while (*p) {
        const char *w;
        while (*p && !isalnum((unsigned char)*p))
          p++;
        w = p;
        while (isalnum((unsigned char)*p))
          p++;
        if (p > w && word_is(w, (size_t)(p - w), *v)) {
          many |= found != NULL && strcmp(found, *v) != 0;
          found = *v;
          break;
        }
      }
    }
  return many ? NULL : found;
}

/* The values a field takes, for the message; NULL when it has no list. */
static void
values_of(const struct importer *imp, const struct field_desc *f,
          struct buf *out)
{
  const char *const *lists[2] = {record_enum_values(f, &imp->ctx), NULL};

  if (f->type == FT_CATEGORY) {
    lists[0] = record_default_categories;
    lists[1] = imp->ctx.categories;
  }
  for (int l = 0; l < 2; l++)
    for (const char *const *v = lists[l]; v && *v; v++)
      buf_printf(out, "%s%s", out->len ? ", " : "", *v);
}

/* One field's labels in one line. */
static void
label_message(struct importer *imp, size_t fi, const struct tally *t,
              struct buf *m)
{
  const struct field_desc *f = &imp->kind->fields[fi];
  size_t n = strmap_count(t->index);
  struct buf line, vals;
  const char *const *cats = f->type == FT_CATEGORY ? imp->ctx.categories : NULL;
  const char *const *own = f->type == FT_CATEGORY
                               ? record_default_categories
                               : record_enum_values(f, &imp->ctx);

  buf_init(&line);
  buf_init(&vals);
  if (imp->labelled[fi])
    buf_printf(m,
               ngettext("field '%s': %zu label has no --values mapping: ",
                        "field '%s': %zu labels have no --values mapping: ",
                        (unsigned long)n),
               f->name, n);
  else if (f->type == FT_ENUM)
    buf_printf(m,
               ngettext("field '%s': %zu label matches none of its values: ",
                        "field '%s': %zu labels match none of its values: ",
                        (unsigned long)n),
               f->name, n);
  else
    buf_printf(m,
               ngettext("field '%s': %zu label matches no category: ",
                        "field '%s': %zu labels match no category: ",
                        (unsigned long)n),
               f->name, n);
  for (size_t i = 0; i < n && i < MAX_LABELS; i++) {
    buf_printf(m, "%s'%s' ", i ? ", " : "", strmap_key(t->index, i));
    buf_printf(m,
               ngettext("(%zu row)", "(%zu rows)", (unsigned long)t->count[i]),
               t->count[i]);
  }
  if (n > MAX_LABELS)
    buf_printf(m, _(" and %zu more"), n - MAX_LABELS);
  /* The --values line: the mappings given for the field, then these. */
  for (size_t i = 0; i < imp->o->nlabels; i++)
    if (strcasecmp(imp->o->labels[i].field, f->name) == 0)
      add_pair(&line, imp->o->labels[i].label, imp->o->labels[i].value);
  for (size_t i = 0; i < n; i++) {
    const char *s = suggest(strmap_key(t->index, i), own, cats);
    add_pair(&line, strmap_key(t->index, i), s ? s : "?");
  }
  buf_printf(m,
             n == 1 ? _("; map it with --values '%s:%s'")
                    : _("; map them with --values '%s:%s'"),
             f->name, line.data);
  values_of(imp, f, &vals);
  if (vals.len)
    buf_printf(m, " (%s: %s)",
               f->type == FT_CATEGORY ? _("categories") : _("values"),
               vals.data);
  if (f->type == FT_CATEGORY) {
    char *slug = util_slug(strmap_key(t->index, 0));
    buf_printf(m,
               n == 1 ? _(", or declare it in the corridor file ([category "
                          "%s] with name = %s) (docs/importing.md#categories)")
                      : _(", or declare each in the corridor file ([category "
                          "%s] with name = %s) (docs/importing.md#categories)"),
               slug[0] ? slug : "ID", strmap_key(t->index, 0));
    free(slug);
  } else {
    buf_puts(m, " (docs/importing.md#labels)");
  }
  buf_cleanup(&line);
  buf_cleanup(&vals);
}

void
ingest__summarise_labels(struct importer *imp)
{
  struct buf m;

  if (imp->sink.note == NULL)
    return;
  buf_init(&m);
  for (size_t fi = 0; fi < imp->kind->nfields; fi++) {
    const struct tally *t = &imp->unlabelled[fi];
    size_t n = t->index ? strmap_count(t->index) : 0;
    const char **names;
    struct ingest_note note;
    if (n == 0)
      continue;
    names = xcalloc(n, sizeof *names);
    for (size_t i = 0; i < n; i++)
      names[i] = strmap_key(t->index, i);
    buf_reset(&m);
    label_message(imp, fi, t, &m);
    memset(&note, 0, sizeof note);
    note.kind = INGEST_NOTE_UNLABELLED;
    note.subject = imp->kind->fields[fi].name;
    note.names = names;
    note.nnames = n;
    note.counts = t->count;
    note.message = m.data;
    imp->sink.note(imp->sink.ctx, &note);
    free(names);
  }
  buf_cleanup(&m);
}

/* --- hints ------------------------------------------------------------- */

static void
hint_message(const struct importer *imp, enum hint h, size_t fi,
             const struct hint_tally *t, struct buf *m)
{
  const char *name = imp->kind->fields[fi].name;
  int one = t->count == 1;

  if (one)
    buf_printf(m, _("field '%s': 1 value, '%s', "), name, t->example);
  else
    buf_printf(m,
               ngettext("field '%s': %zu value like '%s' ",
                        "field '%s': %zu values like '%s' ",
                        (unsigned long)t->count),
               name, t->count, t->example);
  switch (h) {
  case HINT_DECIMAL_COMMA:
    buf_puts(m, ngettext("has a decimal comma: give --decimal-comma "
                         "(docs/importing.md#numbers)",
                         "have a decimal comma: give --decimal-comma "
                         "(docs/importing.md#numbers)",
                         (unsigned long)t->count));
    break;
  case HINT_COMMA_UNKNOWN:
    buf_printf(m,
               ngettext("holds a comma, which in a file delimited by %s may "
                        "be the decimal mark: give --decimal-comma if it is, "
                        "--decimal-point if it groups thousands "
                        "(docs/importing.md#numbers)",
                        "hold a comma, which in a file delimited by %s may "
                        "be the decimal mark: give --decimal-comma if it is, "
                        "--decimal-point if it groups thousands "
                        "(docs/importing.md#numbers)",
                        (unsigned long)t->count),
               imp->delim == '\t'  ? _("tabs")
               : imp->delim == ';' ? "';'"
                                   : "'|'");
    break;
  case HINT_MISSING: {
    struct buf words;
    buf_init(&words);
    for (size_t i = 0; t->words && i < strmap_count(t->words); i++)
      buf_printf(&words, "%s%s", i ? "," : "", strmap_key(t->words, i));
    buf_printf(m,
               ngettext("stands for no figure: give --missing '%s' to read it "
                        "as missing (docs/importing.md#missing)",
                        "stand for no figure: give --missing '%s' to read "
                        "them as missing (docs/importing.md#missing)",
                        (unsigned long)t->count),
               words.data ? words.data : t->example);
    buf_cleanup(&words);
    break;
  }
  case HINT_DATE_ORDER:
    buf_puts(m, _("could be day/month or month/day: give "));
    if (t->flags == SEEN_DMY)
      buf_puts(m, _("--date-format DMY (some have a day over 12 first)"));
    else if (t->flags == SEEN_MDY)
      buf_puts(m, _("--date-format MDY (some have a day over 12 second)"));
    else if (t->flags)
      buf_puts(m, _("--date-format DMY or MDY (the file has both orders: check "
                    "it)"));
    else
      buf_puts(m, _("--date-format DMY or MDY"));
    buf_puts(m, " (docs/importing.md#dates)");
    break;
  case NHINT:
    break;
  }
}

void
ingest__summarise_hints(struct importer *imp)
{
  size_t nf = imp->kind->nfields;
  struct buf m;

  if (imp->sink.note == NULL || imp->hints == NULL)
    return;
  buf_init(&m);
  for (int h = 0; h < NHINT; h++)
    for (size_t fi = 0; fi < nf; fi++) {
      const struct hint_tally *t = &imp->hints[(size_t)h * nf + fi];
      struct ingest_note note;
      if (t->count == 0)
        continue;
      buf_reset(&m);
      hint_message(imp, (enum hint)h, fi, t, &m);
      memset(&note, 0, sizeof note);
      note.kind = INGEST_NOTE_HINT;
      note.subject = imp->kind->fields[fi].name;
      note.count = t->count;
      note.message = m.data;
      imp->sink.note(imp->sink.ctx, &note);
    }
  buf_cleanup(&m);
}
