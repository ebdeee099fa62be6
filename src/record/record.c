#include "record/record.h"
#include "record/record_int.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/i18n.h"

/* Allowed values of the enumerated fields (DESIGN.md section 3). */
static const char *const directions[] = {"in", "out", NULL};
static const char *const vehicles[] = {"none",      "car",  "bus",  "truck",
                                       "ambulance", "rail", "ship", "aircraft",
                                       "other",     NULL};
static const char *const purposes[] = {
    "humanitarian", "medical",  "commercial", "private",
    "evacuation",   "military", "other",      NULL};
static const char *const outcomes[] = {"passed", "turned_back", "held",
                                       "detained", NULL};
static const char *const stages[] = {"queued", "inspected", "crossed",
                                     "delivered", NULL};
static const char *const states[] = {"open", "restricted", "closed", NULL};
static const char *const causes[] = {"blockade", "security",  "administrative",
                                     "weather",  "technical", "other",
                                     NULL};
static const char *const event_kinds[] = {
    "incident",   "statement",   "negotiation", "demand", "agreement",
    "evacuation", "utility_cut", "other",       NULL};
static const char *const coverage_states[] = {"observed", "not_observed",
                                              "denied", NULL};
static const char *const bases[] = {"reported", "estimated", "modelled", NULL};
/* A status's direction; a record without one applies to both (statuses
 * stored before the field existed keep their bytes). */
static const char *const status_directions[] = {"in", "out", "both", NULL};
static const char *const yes_no[] = {"yes", "no", NULL};
static const char *const kind_names[] = {
#define KIND(sym, name, title) name,
#include "record/kinds.def"
#undef KIND
    NULL};

const char *const record_default_categories[] = {
    "food", "medicine", "fuel", "hygiene", "construction", "other", NULL};

#define REQ FF_REQUIRED
#define F(n, t, fl, help)                                                      \
  {                                                                            \
    n, t, fl, 0, NULL, NULL, NULL, help, NULL                                  \
  }
#define FE(n, fl, allowed, def, help)                                          \
  {                                                                            \
    n, FT_ENUM, fl, 0, allowed, def, NULL, help, NULL                          \
  }
#define FR(n, t, fl, kind, help)                                               \
  {                                                                            \
    n, t, fl, kind, NULL, NULL, NULL, help, NULL                               \
  }
#define FN(n, t, fl, unit, help)                                               \
  {                                                                            \
    n, t, fl, 0, NULL, NULL, unit, help, NULL                                  \
  }
#define FNR(n, t, fl, unit, range, help)                                       \
  {                                                                            \
    n, t, fl, 0, NULL, NULL, unit, help, range                                 \
  }

/*
 * The ranges of number fields. Quantities, stocks and needs are amounts of
 * something and are never below zero (a fall in a stock is a new, lower
 * stock record, not a negative one); counts (FT_COUNT) are whole numbers
 * from 0 to RECORD_MAX_COUNT by their type. An indicator's value may be
 * anything (a price change, a temperature).
 */
static const struct field_range nonneg = {0, DBL_MAX,
                                          N_("a number of 0 or more")};
static const struct field_range latitude = {-90, 90,
                                            N_("a number between -90 and 90")};
static const struct field_range longitude = {
    -180, 180, N_("a number between -180 and 180")};
/* Every kind ends with these. */
#define TAIL                                                                   \
  FR("source", FT_REF, 0, KIND_source, "who reported it (a source id)"),       \
      F("grade", FT_GRADE, 0,                                                  \
        "Admiralty grade: reliability A-F, credibility 1-6, e.g. B2"),         \
      F("note", FT_TEXT, 0, "free text"),                                      \
      F("supersedes", FT_ID, 0, "id of the record this one corrects")

static const struct field_desc checkpoint_fields[] = {
    F("id", FT_ID, 0, "identifier; the slug of the name when absent"),
    F("name", FT_TEXT, REQ, "name"),
    FNR("lat", FT_NUMBER, 0, "degrees", &latitude,
        "latitude, WGS 84, -90 to 90"),
    FNR("lon", FT_NUMBER, 0, "degrees", &longitude,
        "longitude, WGS 84, -180 to 180"),
    FNR("km", FT_NUMBER, 0, "km", &nonneg,
        "distance along the route, 0 or more"),
    FE("route", 0, yes_no, NULL,
       "on the route (yes when absent): the corridor is as open as its most "
       "closed route checkpoint"),
    TAIL,
};

static const struct field_desc actor_fields[] = {
    F("id", FT_ID, 0, "identifier; the slug of the name when absent"),
    F("name", FT_TEXT, REQ, "name"),
    F("role", FT_TEXT, 0, "party, mission, agency, protesters, ..."),
    TAIL,
};

static const struct field_desc source_fields[] = {
    F("id", FT_ID, 0, "identifier; the slug of the name when absent"),
    F("name", FT_TEXT, REQ, "name"),
    F("url", FT_TEXT, 0, "where the source can be read"),
    TAIL,
};

static const struct field_desc flow_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("start", FT_TIME, REQ, "start of the interval (a date is a whole day)"),
    F("end", FT_TIME, 0, "end of the interval; defaults to start"),
    FR("checkpoint", FT_REF, REQ, KIND_checkpoint, "where it was observed"),
    FE("direction", REQ, directions, NULL, "in (toward the inside) or out"),
    FE("vehicle", 0, vehicles, NULL, "vehicle type; none for pedestrians"),
    FN("vehicles", FT_COUNT, 0, "vehicles", "number of vehicles"),
    FN("persons", FT_COUNT, 0, "persons", "number of persons"),
    {"category", FT_CATEGORY, FF_CARGO, 0, NULL, NULL, NULL,
     N_("cargo category of the cargo line"), NULL},
    {"quantity", FT_NUMBER, FF_CARGO, 0, NULL, NULL, "unit",
     N_("cargo quantity (tonnes unless unit says otherwise), 0 or more"),
     &nonneg},
    {"unit", FT_TEXT, FF_CARGO, 0, NULL, NULL, NULL,
     N_("unit of quantity; t when absent"), NULL},
    F("operator", FT_TEXT, 0, "who operates the movement (ICRC, WFP, ...)"),
    FE("purpose", 0, purposes, NULL, "why it moved"),
    FE("outcome", 0, outcomes, "passed", "what happened at the checkpoint"),
    FE("stage", FF_STAGE, stages, "crossed",
       "the stage it was counted at, from the corridor's [stages] "
       "(default: its counting stage); without [stages]"),
    FN("count", FT_COUNT, FF_INPUT, "vehicles or persons",
       "on input: vehicles, or persons when vehicle is none"),
    TAIL,
    /* After the tail, where schema 2 put it (exports list it last; the
     * query tables name their columns, so a field's place is free). */
    F("consignment", FT_ID, 0,
      "the load's id: one consignment's records at each stage"),
};

static const struct field_desc status_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("at", FT_TIME, REQ, "when the state began"),
    FR("checkpoint", FT_REF, REQ, KIND_checkpoint, "checkpoint or segment"),
    FE("state", REQ, states, NULL, "open, restricted or closed"),
    FE("cause", 0, causes, NULL, "why"),
    FR("actor", FT_REF, 0, KIND_actor, "who is responsible (an actor id)"),
    F("applies_to", FT_TEXT, 0, "all traffic, or which classes/operators"),
    FE("direction", 0, status_directions, NULL,
       "in, out or both (both when absent); the other direction's state "
       "stays as it was"),
    TAIL,
};

static const struct field_desc event_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("at", FT_TIME, REQ, "when it happened"),
    FE("kind", REQ, event_kinds, NULL, "what kind of event"),
    FR("actors", FT_REFLIST, 0, KIND_actor, "actor ids, comma-separated"),
    F("place", FT_TEXT, 0, "where"),
    F("summary", FT_TEXT, REQ, "what happened"),
    TAIL,
};

static const struct field_desc coverage_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("start", FT_TIME, REQ, "start of the interval"),
    F("end", FT_TIME, 0, "end of the interval; defaults to start"),
    FR("checkpoint", FT_REF, REQ, KIND_checkpoint, "checkpoint"),
    FE("state", REQ, coverage_states, NULL, "observed, not_observed or denied"),
    TAIL,
};

static const struct field_desc stock_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("at", FT_TIME, REQ, "when the stock was this"),
    {"category", FT_CATEGORY, REQ, 0, NULL, NULL, NULL, N_("cargo category"),
     NULL},
    FNR("low", FT_NUMBER, 0, "unit", &nonneg,
        "low end of the range, 0 or more"),
    FNR("high", FT_NUMBER, 0, "unit", &nonneg,
        "high end of the range, 0 or more"),
    FNR("quantity", FT_NUMBER, FF_INPUT, "unit", &nonneg,
        "on input: sets low and high"),
    {"unit", FT_TEXT, 0, 0, NULL, "t", NULL, N_("unit of low and high"), NULL},
    F("scope", FT_TEXT, 0, "whose stock: state reserve, shops, ..."),
    FE("basis", 0, bases, NULL, "reported, estimated or modelled"),
    TAIL,
};

static const struct field_desc population_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("at", FT_TIME, REQ, "when"),
    FN("low", FT_COUNT, 0, "persons", "low end of the range"),
    FN("high", FT_COUNT, 0, "persons", "high end of the range"),
    FN("count", FT_COUNT, FF_INPUT, "persons", "on input: sets low and high"),
    F("scope", FT_TEXT, 0, "who is counted"),
    FE("basis", 0, bases, NULL, "reported, estimated or modelled"),
    TAIL,
};

static const struct field_desc need_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("at", FT_TIME, 0, "from when it applies"),
    {"category", FT_CATEGORY, REQ, 0, NULL, NULL, NULL, N_("cargo category"),
     NULL},
    FNR("per_person_per_day", FT_NUMBER, REQ, "unit", &nonneg,
        "daily need per person, 0 or more"),
    {"unit", FT_TEXT, 0, 0, NULL, "kg", NULL, N_("unit of the need"), NULL},
    FE("basis", 0, bases, NULL, "reported, estimated or modelled"),
    TAIL,
};

static const struct field_desc indicator_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("at", FT_TIME, REQ, "when"),
    F("name", FT_TEXT, REQ, "what is measured (bread price, hours of power)"),
    FN("value", FT_NUMBER, REQ, "unit", "the value; may be below 0"),
    F("unit", FT_TEXT, 0, "unit of the value"),
    F("place", FT_TEXT, 0, "where"),
    FE("basis", 0, bases, NULL, "reported, estimated or modelled"),
    TAIL,
};

static const struct field_desc production_fields[] = {
    F("id", FT_ID, 0, "identifier; derived from the file when absent"),
    F("start", FT_TIME, REQ, "start of the interval (a date is a whole day)"),
    F("end", FT_TIME, 0, "end of the interval; defaults to start"),
    {"category", FT_CATEGORY, REQ, 0, NULL, NULL, NULL, N_("cargo category"),
     NULL},
    FNR("quantity", FT_NUMBER, REQ, "unit", &nonneg,
        "quantity produced inside, 0 or more"),
    {"unit", FT_TEXT, 0, 0, NULL, "t", NULL, N_("unit of quantity"), NULL},
    F("scope", FT_TEXT, 0, "what was produced: bakeries, farms, ..."),
    FE("basis", 0, bases, NULL, "reported, estimated or modelled"),
    TAIL,
};

/*
 * An import of files, written by the import in its own transaction after
 * the entries it added, which are entries first .. first + entries - 1 of
 * the log (its records, and what --create-missing made): so the log itself
 * says which file, by its hash and with which options, brought each
 * record. Recorded only when the import added something.
 */
static const struct field_desc import_fields[] = {
    F("id", FT_ID, REQ, "import-N, N its own place in the log"),
    F("at", FT_TIME, REQ, "when it was made (UTC)"),
    FE("kind", REQ, kind_names, NULL, "the kind of the records imported"),
    F("files", FT_TEXT, REQ,
      "the inputs' file names (without their folders), one a line"),
    F("sha256", FT_TEXT, REQ, "each input's SHA-256 in hex, one a line"),
    F("options", FT_TEXT, 0, "the mapping options as given"),
    FN("first", FT_COUNT, REQ, "entry", "the first entry it added"),
    FN("entries", FT_COUNT, REQ, "entries",
       "the entries it added, from first on"),
    FN("rows", FT_COUNT, 0, "rows", "data rows read"),
    FN("added", FT_COUNT, 0, "records", "records added"),
    FN("unchanged", FT_COUNT, 0, "rows", "rows already stored"),
    FN("created", FT_COUNT, 0, "records",
       "checkpoints, sources and actors --create-missing made"),
    FN("rejected", FT_COUNT, 0, "rows",
       "invalid rows left out (--skip-invalid)"),
    TAIL,
};

/*
 * A withdrawal: the correction that takes a record out of every analysis
 * (passage withdraw), superseding it with its own source and grade. It
 * names the record's kind, since it is a record of its own kind.
 */
static const struct field_desc withdrawal_fields[] = {
    F("id", FT_ID, REQ, "withdrawal-N, N the entry of the record withdrawn"),
    F("at", FT_TIME, REQ, "when it was withdrawn (UTC)"),
    FE("kind", REQ, kind_names, NULL, "the kind of the record withdrawn"),
    F("reason", FT_TEXT, REQ, "why"),
    FR("import", FT_REF, 0, KIND_import, "the import withdrawn with it"),
    TAIL,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
static const struct kind_desc kinds[KIND_COUNT] = {
    {KIND_checkpoint, "checkpoint", "checkpoint", checkpoint_fields,
     N(checkpoint_fields)},
    {KIND_actor, "actor", "actor", actor_fields, N(actor_fields)},
    {KIND_source, "source", "source", source_fields, N(source_fields)},
    {KIND_flow, "flow", N_("flow observation"), flow_fields, N(flow_fields)},
    {KIND_status, "status", N_("status change"), status_fields,
     N(status_fields)},
    {KIND_event, "event", "event", event_fields, N(event_fields)},
    {KIND_coverage, "coverage", N_("observation coverage"), coverage_fields,
     N(coverage_fields)},
    {KIND_stock, "stock", N_("stock level"), stock_fields, N(stock_fields)},
    {KIND_population, "population", N_("population count"), population_fields,
     N(population_fields)},
    {KIND_need, "need", N_("daily need per person"), need_fields,
     N(need_fields)},
    {KIND_indicator, "indicator", N_("indicator value"), indicator_fields,
     N(indicator_fields)},
    {KIND_production, "production", N_("local production"), production_fields,
     N(production_fields)},
    {KIND_import, "import", N_("import of files"), import_fields,
     N(import_fields)},
    {KIND_withdrawal, "withdrawal", N_("withdrawal of a record"),
     withdrawal_fields, N(withdrawal_fields)},
};

/* Canonical JSON wants members sorted by name; computed once, with the
 * places among them of the two members that are no fields: a flow's
 * "cargo" and "record" go before the sorted field cargo_at and record_at
 * (nfields: after the last). */
static int sorted[KIND_COUNT][RECORD_MAX_FIELDS];
static size_t cargo_at[KIND_COUNT], record_at[KIND_COUNT];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static size_t
first_after(int k, const char *name)
{
  size_t i = 0;

  while (i < kinds[k].nfields &&
         strcmp(kinds[k].fields[sorted[k][i]].name, name) < 0)
    i++;
  return i;
}

static void
sort_fields(void)
{
  for (int k = 0; k < KIND_COUNT; k++) {
    int *o = sorted[k];
    for (size_t i = 0; i < kinds[k].nfields; i++)
      o[i] = (int)i;
    for (size_t i = 1; i < kinds[k].nfields; i++) {
      int x = o[i];
      size_t j = i;
      while (j > 0 && strcmp(kinds[k].fields[o[j - 1]].name,
                             kinds[k].fields[x].name) > 0) {
        o[j] = o[j - 1];
        j--;
      }
      o[j] = x;
    }
    cargo_at[k] = first_after(k, "cargo");
    record_at[k] = first_after(k, "record");
  }
}

const struct kind_desc *
record_kind_desc(enum record_kind kind)
{
  return &kinds[kind];
}

int
record_kind_by_name(const char *name)
{
  for (int k = 0; k < KIND_COUNT; k++)
    if (strcmp(kinds[k].name, name) == 0)
      return k;
  return -1;
}

int
record_kind_internal(enum record_kind kind)
{
  return kind == KIND_import || kind == KIND_withdrawal;
}

int
record_field_index(const struct kind_desc *k, const char *name)
{
  /* Callers look fields up by name on every record: compare the first
   * letters before calling strcasecmp, which nearly always settles it. */
  int c = tolower((unsigned char)name[0]);

  for (size_t i = 0; i < k->nfields; i++)
    if (tolower((unsigned char)k->fields[i].name[0]) == c &&
        strcasecmp(k->fields[i].name, name) == 0)
      return (int)i;
  return -1;
}

void
record_init(struct record *r, enum record_kind kind)
{
  memset(r, 0, sizeof *r);
  r->kind = &kinds[kind];
  buf_init(&r->pool);
  buf_reserve(&r->pool, 256);
}

void
record_cleanup(struct record *r)
{
  if (r == NULL)
    return;
  buf_cleanup(&r->pool);
}

void
record_reset(struct record *r)
{
  memset(r->v, 0, sizeof r->v);
  memset(r->cargo, 0, sizeof(r->cargo[0]) * r->ncargo);
  r->ncargo = 0;
  buf_reset(&r->pool);
}

const char *
record_text(const struct record *r, const struct record_value *v)
{
  if (v == NULL || !v->set)
    return NULL;
  return r->pool.data + v->off;
}

const struct record_value *
record_value(const struct record *r, const char *name)
{
  int fi = record_field_index(r->kind, name);

  if (fi < 0)
    return NULL;
  return &r->v[fi];
}

const char *
record_get(const struct record *r, const char *name)
{
  return record_text(r, record_value(r, name));
}

/* Stores text in the pool; values refer to it by offset since the pool
 * moves when it grows. */
static void
put_text(struct record *r, struct record_value *v, const char *s, size_t n)
{
  v->set = 1;
  v->off = r->pool.len;
  v->len = n;
  buf_append(&r->pool, s, n);
  buf_putc(&r->pool, '\0');
}

void
record_put_stored(struct record *r, int fi, const char *text, size_t len,
                  double num)
{
  const struct field_desc *f = &r->kind->fields[fi];
  char tmp[40];

  if (f->type == FT_COUNT || f->type == FT_NUMBER) {
    /* The text record_set gives a number: what reading it from JSON
     * gives too. */
    util_format_number(num, tmp, sizeof tmp);
    put_text(r, &r->v[fi], tmp, strlen(tmp));
    r->v[fi].num = num;
    return;
  }
  put_text(r, &r->v[fi], text, len);
}

static int
valid_utf8(const unsigned char *s, size_t n)
{
  for (size_t i = 0, len; i < n; i += len)
    if ((len = util_utf8_char(s + i, n - i)) == 0)
      return 0;
  return 1;
}

static int
valid_id(const char *s, size_t n)
{
  if (n == 0 || n > 128 || !isalnum((unsigned char)s[0]))
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (!isalnum(c) && !strchr("._:@/+-", c))
      return 0;
  }
  return 1;
}

static void
trim(const char **s, size_t *n)
{
  while (*n && isspace((unsigned char)**s)) {
    (*s)++;
    (*n)--;
  }
  while (*n && isspace((unsigned char)(*s)[*n - 1]))
    (*n)--;
}

/* Quotes user text in messages, shortened so one bad cell cannot flood the
 * terminal. */
static void
quote(struct buf *err, const char *s, size_t n)
{
  size_t max = 60;

  buf_putc(err, '\'');
  for (size_t i = 0; i < n && i < max; i++)
    buf_putc(err, (s[i] >= 0x20 || s[i] < 0) ? s[i] : '?');
  if (n > max)
    buf_puts(err, "...");
  buf_putc(err, '\'');
}

static void
expected(struct buf *err, const char *what, const char *s, size_t n)
{
  buf_printf(err, _("expected %s, got "), what);
  quote(err, s, n);
}

/* 1 when s is a stage word as corridor files write them: [a-z0-9], then
 * also '_', '.' and '-'. */
static int
stage_word(const char *s)
{
  if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
          strchr("_.-", *s)))
      return 0;
  return 1;
}

static void
one_of(struct buf *err, const char *const *allowed, const char *s, size_t n)
{
  struct buf list;

  buf_init(&list);
  buf_puts(&list, _("one of "));
  for (const char *const *a = allowed; *a; a++)
    buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
  expected(err, list.data, s, n);
  buf_cleanup(&list);
}

const char *const *
record_enum_values(const struct field_desc *f, const struct record_ctx *ctx)
{
  if ((f->flags & FF_STAGE) && ctx && ctx->stages)
    return ctx->stages;
  return f->allowed;
}

static int
set_enum(struct record *r, const struct record_ctx *ctx,
         const struct field_desc *f, struct record_value *v, const char *s,
         size_t n, struct buf *err)
{
  const char *const *allowed = f->allowed;
  char norm[64];

  /* A stage is the corridor's; read back without it, any stage word. */
  if (f->flags & FF_STAGE)
    allowed = ctx && ctx->stages ? ctx->stages : NULL;
  if (n < sizeof norm) {
    for (size_t i = 0; i < n; i++) {
      char c = (char)tolower((unsigned char)s[i]);
      /* Stage names keep their dashes, as corridor files write them. */
      norm[i] = (c == ' ' || (c == '-' && !(f->flags & FF_STAGE))) ? '_' : c;
    }
    norm[n] = '\0';
    if (allowed == NULL && stage_word(norm)) {
      put_text(r, v, norm, n);
      return OK;
    }
    for (const char *const *a = allowed; a && *a; a++) {
      if (strcmp(*a, norm) == 0) {
        put_text(r, v, *a, strlen(*a));
        return OK;
      }
    }
  }
  if (allowed)
    one_of(err, allowed, s, n);
  else
    expected(err, _("a stage (a lower-case word)"), s, n);
  return ERR_INVALID;
}

/* 1 when util_slug() would give back the n bytes at s unchanged: runs of
 * lower-case letters and digits joined by single dashes. */
static int
is_slug(const char *s, size_t n)
{
  if (n == 0 || s[0] == '-' || s[n - 1] == '-')
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '-' ? s[i - 1] == '-'
                 : !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return 0;
  }
  return 1;
}

/* Whether category id a is the one meant by the n bytes at s, which are
 * text and have that slug (both NULL when s is its own slug). */
static int
category_is(const char *a, const char *s, size_t n, const char *text,
            const char *slug)
{
  if (text == NULL)
    return strncasecmp(a, s, n) == 0 && a[n] == '\0';
  return strcasecmp(a, text) == 0 || strcmp(a, slug) == 0;
}

static int
set_category(struct record *r, const struct record_ctx *ctx,
             struct record_value *v, const char *s, size_t n, struct buf *err)
{
  /* Most cells hold a category's id as it is: spare them the copies. */
  int plain = is_slug(s, n);
  char *text = plain ? NULL : xstrndup(s, n);
  char *slug = plain ? NULL : util_slug(text);
  const char *const *lists[2] = {record_default_categories,
                                 ctx ? ctx->categories : NULL};
  int r2 = ERR_INVALID;

  for (int l = 0; l < 2 && r2 != OK; l++) {
    for (const char *const *a = lists[l]; a && *a; a++) {
      if (category_is(*a, s, n, text, slug)) {
        put_text(r, v, *a, strlen(*a));
        r2 = OK;
        break;
      }
    }
  }
  if (r2 != OK) {
    struct buf list;
    buf_init(&list);
    buf_puts(&list, _("a category ("));
    for (int l = 0; l < 2; l++)
      for (const char *const *a = lists[l]; a && *a; a++)
        buf_printf(&list, "%s%s", list.len > 12 ? ", " : "", *a);
    buf_puts(&list, ")");
    expected(err, list.data, s, n);
    buf_cleanup(&list);
  }
  free(slug);
  free(text);
  return r2;
}

static int
set_reflist(struct record *r, struct record_value *v, const char *s, size_t n,
            struct buf *err)
{
  struct buf out;
  size_t i = 0;
  int rc = OK;

  buf_init(&out);
  while (i <= n) {
    size_t j = i;
    while (j < n && s[j] != ',')
      j++;
    const char *item = s + i;
    size_t len = j - i;
    trim(&item, &len);
    if (len > 0) {
      if (!valid_id(item, len)) {
        expected(err, _("a list of ids separated by commas"), s, n);
        rc = ERR_INVALID;
        break;
      }
      if (out.len)
        buf_putc(&out, ',');
      buf_append(&out, item, len);
    }
    i = j + 1;
  }
  if (rc == OK && out.len)
    put_text(r, v, out.data, out.len);
  buf_cleanup(&out);
  return rc;
}

/*
 * Parses a count or a number of field f: a count is whole, 0 to
 * RECORD_MAX_COUNT; a number within f->range. Neither may be beyond what a
 * double holds. A stored entry (ctx->stored) is held only to the rules its
 * type always had.
 */
static int
parse_figure(const struct field_desc *f, const struct record_ctx *ctx,
             const char *s, size_t n, double *d, struct buf *err)
{
  int stored = ctx && ctx->stored;
  int rc = util_parse_number(s, n, d);
  const char *what = NULL; /* translated only when it is said */

  if (rc == ERR_RANGE) {
    expected(err,
             f->type == FT_COUNT ? _("a whole number from 0 to 1000000000000")
                                 : _("a number between 1e-308 and 1e308 in "
                                     "size, or 0"),
             s, n);
    return ERR_INVALID;
  }
  if (rc == OK && f->type == FT_COUNT) {
    if (*d < 0 || *d != floor(*d))
      rc = ERR_INVALID;
    else if (*d > (stored ? 9007199254740992.0 : RECORD_MAX_COUNT))
      what = _("a whole number from 0 to 1000000000000"), rc = ERR_INVALID;
  } else if (rc == OK && f->range && !stored &&
             (*d < f->range->min || *d > f->range->max)) {
    what = _(f->range->words);
    rc = ERR_INVALID;
  }
  if (rc != OK) {
    *d = 0;
    if (what == NULL)
      what = f->type == FT_COUNT ? _("a whole number >= 0") : _("a number");
    expected(err, what, s, n);
    return ERR_INVALID;
  }
  return OK;
}

/* Whether the time t begins after ctx->not_after. */
static int
too_late(const struct ptime *t, const struct record_ctx *ctx)
{
  int64_t at;

  if (ctx == NULL || ctx->not_after == 0)
    return 0;
  at = util_days_from_civil(t->year, t->month, t->day) * 86400 +
       t->hour * 3600 + t->min * 60 + t->sec;
  /* Written with an offset it names an instant; without one it is the
   * corridor's local time. */
  at -= t->has_offset ? (int64_t)t->offset_min * 60 : ctx->utc_offset;
  return at > ctx->not_after;
}

int
record_set(struct record *r, const struct record_ctx *ctx, int fi, size_t line,
           const char *s, size_t n, struct buf *err)
{
  const struct field_desc *f = &r->kind->fields[fi];
  struct record_value *v = &r->v[fi];
  char tmp[40];
  struct ptime t;
  double d;
  int rc;

  trim(&s, &n);
  if (n == 0 || (n == 1 && s[0] == '-'))
    return OK; /* missing, never zero */
  if (f->flags & FF_CARGO) {
    if (line >= RECORD_MAX_CARGO) {
      buf_printf(err, _("more than %d cargo lines"), RECORD_MAX_CARGO);
      return ERR_INVALID;
    }
    if (line >= r->ncargo)
      r->ncargo = line + 1;
    struct cargo_line *c = &r->cargo[line];
    v = strcmp(f->name, "category") == 0   ? &c->category
        : strcmp(f->name, "quantity") == 0 ? &c->quantity
                                           : &c->unit;
  }
  if (n > RECORD_MAX_TEXT) {
    buf_printf(err, _("expected at most %d bytes, got %zu"), RECORD_MAX_TEXT,
               n);
    return ERR_INVALID;
  }
  if (!valid_utf8((const unsigned char *)s, n)) {
    buf_puts(err, _("expected UTF-8 text, got bytes that are not UTF-8"));
    return ERR_INVALID;
  }
  /* A NUL would end the text early wherever it is read as a C string. */
  if (memchr(s, '\0', n) != NULL) {
    buf_puts(err, _("expected text without NUL bytes, got a NUL byte"));
    return ERR_INVALID;
  }

  switch (f->type) {
  case FT_TEXT:
    put_text(r, v, s, n);
    return OK;
  case FT_ID:
  case FT_REF:
    if (!valid_id(s, n)) {
      expected(err,
               _("an id (letters, digits and ._:@/+- , starting with a letter "
                 "or digit)"),
               s, n);
      return ERR_INVALID;
    }
    put_text(r, v, s, n);
    return OK;
  case FT_REFLIST:
    return set_reflist(r, v, s, n, err);
  case FT_ENUM:
    return set_enum(r, ctx, f, v, s, n, err);
  case FT_CATEGORY:
    return set_category(r, ctx, v, s, n, err);
  case FT_COUNT:
  case FT_NUMBER:
    if ((rc = parse_figure(f, ctx, s, n, &d, err)) != OK)
      return rc;
    util_format_number(d, tmp, sizeof tmp);
    put_text(r, v, tmp, strlen(tmp));
    v->num = d;
    return OK;
  case FT_TIME:
    rc = util_parse_time(s, n, &t);
    if (rc != OK) {
      expected(err, _("a date"), s, n);
      return ERR_INVALID;
    }
    if (too_late(&t, ctx)) {
      expected(err,
               _("a time at most a day after this machine's clock (or "
                 "--allow-future)"),
               s, n);
      return ERR_INVALID;
    }
    util_format_time(&t, tmp, sizeof tmp);
    put_text(r, v, tmp, strlen(tmp));
    return OK;
  case FT_GRADE: {
    char g[2];
    size_t k = 0;
    for (size_t i = 0; i < n && k <= 2; i++) {
      if (s[i] == ' ' || s[i] == '-')
        continue;
      if (k < 2)
        g[k] = (char)toupper((unsigned char)s[i]);
      k++;
    }
    if (k != 2 || g[0] < 'A' || g[0] > 'F' || g[1] < '1' || g[1] > '6') {
      expected(err, _("an Admiralty grade (A-F then 1-6, e.g. B2)"), s, n);
      return ERR_INVALID;
    }
    put_text(r, v, g, 2);
    return OK;
  }
  }
  return ERR_INVALID;
}

static void
sep(struct buf *err)
{
  if (err->len)
    buf_puts(err, "; ");
}

static int
begin_of(const struct record *r, const struct record_value *v, int64_t *b,
         int64_t *f)
{
  return record_time_bounds(record_text(r, v), NULL, NULL, b, f);
}

/* Folds an input-only count/quantity into the fields it stands for. */
static int
fold_range(struct record *r, const char *input, struct buf *err)
{
  int fi = record_field_index(r->kind, input);
  int lo = record_field_index(r->kind, "low");
  int hi = record_field_index(r->kind, "high");
  struct record_value in = r->v[fi];

  if (in.set) {
    if (r->v[lo].set || r->v[hi].set) {
      sep(err);
      buf_printf(err, _("field '%s': give either %s or low and high, not both"),
                 input, input);
      return ERR_INVALID;
    }
    const char *t = record_text(r, &in);
    size_t n = strlen(t);
    char *copy = xstrndup(t, n);
    put_text(r, &r->v[lo], copy, n);
    r->v[lo].num = in.num;
    put_text(r, &r->v[hi], copy, n);
    r->v[hi].num = in.num;
    free(copy);
    r->v[fi].set = 0;
  } else if (r->v[lo].set != r->v[hi].set) {
    /* A single bound is a point estimate. */
    int have = r->v[lo].set ? lo : hi, miss = r->v[lo].set ? hi : lo;
    char *copy = xstrdup(record_text(r, &r->v[have]));
    put_text(r, &r->v[miss], copy, strlen(copy));
    r->v[miss].num = r->v[have].num;
    free(copy);
  }
  if (!r->v[lo].set) {
    sep(err);
    buf_printf(err, _("field '%s': required (or low and high)"), input);
    return ERR_INVALID;
  }
  if (r->v[lo].num > r->v[hi].num) {
    sep(err);
    buf_printf(err, _("field 'low': %s is above high %s"),
               record_text(r, &r->v[lo]), record_text(r, &r->v[hi]));
    return ERR_INVALID;
  }
  return OK;
}

static int
finish_flow(struct record *r, struct buf *err)
{
  int count = record_field_index(r->kind, "count");
  int vehicle = record_field_index(r->kind, "vehicle");
  int rc = OK;

  if (r->v[count].set) {
    const char *type = record_text(r, &r->v[vehicle]);
    const char *to;
    if (type == NULL) {
      sep(err);
      buf_puts(err,
               _("field 'count': needs a vehicle type (none for persons)"));
      return ERR_INVALID;
    }
    to = strcmp(type, "none") == 0 ? "persons" : "vehicles";
    int ti = record_field_index(r->kind, to);
    if (r->v[ti].set) {
      sep(err);
      buf_printf(err, _("field 'count': %s is given too"), to);
      return ERR_INVALID;
    }
    r->v[ti] = r->v[count];
    r->v[count].set = 0;
  }
  for (size_t i = 0; i < r->ncargo; i++) {
    struct cargo_line *c = &r->cargo[i];
    if (!c->category.set && !c->quantity.set && !c->unit.set)
      continue;
    if (!c->category.set) {
      sep(err);
      buf_puts(err, _("field 'category': a cargo line needs a category"));
      rc = ERR_INVALID;
    }
    if (!c->unit.set && c->quantity.set)
      put_text(r, &c->unit, "t", 1);
  }
  /* Drop empty cargo lines so that the canonical bytes never hold them. */
  size_t k = 0;
  for (size_t i = 0; i < r->ncargo; i++)
    if (r->cargo[i].category.set)
      r->cargo[k++] = r->cargo[i];
  /* Lines past ncargo must stay clear: record_reset() clears only the
   * first ncargo, and a stale value left here would turn up in the next
   * record that reuses this one (its text pointing into an old pool). */
  memset(r->cargo + k, 0, sizeof(r->cargo[0]) * (r->ncargo - k));
  r->ncargo = k;
  return rc;
}

int
record_finish_ctx(struct record *r, const struct record_ctx *ctx,
                  struct buf *err)
{
  int fi = record_field_index(r->kind, "stage");
  const char *stage;
  int rc = OK;

  if (fi < 0 || ctx == NULL || ctx->stages == NULL)
    return record_finish(r, err);
  /* Counted where the corridor counts, unless it says otherwise. */
  if (!r->v[fi].set && ctx->counting_stage)
    put_text(r, &r->v[fi], ctx->counting_stage, strlen(ctx->counting_stage));
  stage = record_text(r, &r->v[fi]);
  if (stage) {
    int known = 0;
    for (const char *const *a = ctx->stages; *a; a++)
      known |= strcmp(*a, stage) == 0;
    if (!known) {
      sep(err);
      buf_puts(err, _("field 'stage': "));
      one_of(err, ctx->stages, stage, strlen(stage));
      rc = ERR_INVALID;
    }
  }
  if (record_finish(r, err) != OK)
    rc = ERR_INVALID;
  return rc;
}

int
record_finish(struct record *r, struct buf *err)
{
  const struct kind_desc *k = r->kind;
  int rc = OK;
  int fi;

  if (k->kind == KIND_flow && finish_flow(r, err) != OK)
    rc = ERR_INVALID;
  if (k->kind == KIND_stock && fold_range(r, "quantity", err) != OK)
    rc = ERR_INVALID;
  if (k->kind == KIND_population && fold_range(r, "count", err) != OK)
    rc = ERR_INVALID;
  /* A withdrawal is a correction or nothing. */
  if (k->kind == KIND_withdrawal && !record_get(r, "supersedes")) {
    sep(err);
    buf_puts(err, _("field 'supersedes': required"));
    rc = ERR_INVALID;
  }

  for (size_t i = 0; i < k->nfields; i++) {
    const struct field_desc *f = &k->fields[i];
    if (!r->v[i].set && f->def)
      put_text(r, &r->v[i], f->def, strlen(f->def));
    if (!r->v[i].set && (f->flags & FF_REQUIRED)) {
      sep(err);
      buf_printf(err, _("field '%s': required"), f->name);
      rc = ERR_INVALID;
    }
  }

  fi = record_field_index(k, "end");
  if (fi >= 0) {
    int si = record_field_index(k, "start");
    if (!r->v[fi].set && r->v[si].set) {
      char *copy = xstrdup(record_text(r, &r->v[si]));
      put_text(r, &r->v[fi], copy, strlen(copy));
      free(copy);
    } else if (r->v[fi].set && r->v[si].set) {
      int64_t sb, sf, eb, ef;
      if (begin_of(r, &r->v[si], &sb, &sf) == OK &&
          begin_of(r, &r->v[fi], &eb, &ef) == OK && eb < sb) {
        sep(err);
        buf_printf(err, _("field 'end': %s is before start %s"),
                   record_text(r, &r->v[fi]), record_text(r, &r->v[si]));
        rc = ERR_INVALID;
      }
    }
  }
  return rc;
}

/* Record text is checked UTF-8 (record_set), so this cannot fail. */
static void
jcs_string(struct buf *out, const char *s, size_t n)
{
  util_jcs_string(out, s, n);
}

static void
json_value(struct buf *out, const struct record *r, const struct field_desc *f,
           const struct record_value *v)
{
  const char *t = record_text(r, v);

  switch (f->type) {
  case FT_COUNT:
  case FT_NUMBER:
    buf_append(out, t, v->len); /* already in ECMAScript form */
    break;
  case FT_REFLIST: {
    const char *p = t;
    buf_putc(out, '[');
    while (*p) {
      const char *e = strchr(p, ',');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      if (p != t)
        buf_putc(out, ',');
      jcs_string(out, p, n);
      p += n + (e ? 1 : 0);
    }
    buf_putc(out, ']');
    break;
  }
  default:
    jcs_string(out, t, v->len);
  }
}

void
record_canonical(const struct record *r, struct buf *out)
{
  const struct kind_desc *k = r->kind;
  int first = 1;

  pthread_once(&sorted_once, sort_fields);
  buf_putc(out, '{');
  for (size_t i = 0; i < k->nfields; i++) {
    int fi = sorted[k->kind][i];
    const struct field_desc *f = &k->fields[fi];

    if (k->kind == KIND_flow && i == cargo_at[k->kind]) {
      if (r->ncargo > 0) {
        static const struct field_desc cat = {
            "category", FT_TEXT, 0, 0, NULL, NULL, NULL, NULL, NULL};
        static const struct field_desc qty = {
            "quantity", FT_NUMBER, 0, 0, NULL, NULL, NULL, NULL, NULL};
        buf_puts(out, first ? "\"cargo\":[" : ",\"cargo\":[");
        first = 0;
        for (size_t c = 0; c < r->ncargo; c++) {
          const struct cargo_line *l = &r->cargo[c];
          buf_puts(out, c ? ",{\"category\":" : "{\"category\":");
          json_value(out, r, &cat, &l->category);
          if (l->quantity.set) {
            buf_puts(out, ",\"quantity\":");
            json_value(out, r, &qty, &l->quantity);
          }
          if (l->unit.set) {
            buf_puts(out, ",\"unit\":");
            json_value(out, r, &cat, &l->unit);
          }
          buf_putc(out, '}');
        }
        buf_putc(out, ']');
      }
    }
    if (i == record_at[k->kind]) {
      buf_puts(out, first ? "\"record\":" : ",\"record\":");
      first = 0;
      jcs_string(out, k->name, strlen(k->name));
    }
    if ((f->flags & (FF_CARGO | FF_INPUT)) || !r->v[fi].set)
      continue;
    if (!first)
      buf_putc(out, ',');
    first = 0;
    jcs_string(out, f->name, strlen(f->name));
    buf_putc(out, ':');
    json_value(out, r, f, &r->v[fi]);
  }
  if (record_at[k->kind] == k->nfields) {
    buf_puts(out, first ? "\"record\":" : ",\"record\":");
    jcs_string(out, k->name, strlen(k->name));
  }
  buf_putc(out, '}');
}

/* Turns a JSON scalar into the text record_set parses. */
static int
json_text(json_t *j, struct buf *tmp)
{
  char num[40];

  buf_reset(tmp);
  if (json_is_string(j)) {
    buf_append(tmp, json_string_value(j), json_string_length(j));
  } else if (json_is_integer(j)) {
    buf_printf(tmp, "%lld", (long long)json_integer_value(j));
  } else if (json_is_real(j)) {
    util_format_number(json_real_value(j), num, sizeof num);
    buf_puts(tmp, num);
  } else if (json_is_null(j)) {
    /* null is missing */
  } else {
    return ERR_INVALID;
  }
  return OK;
}

/* Where the problems of a JSON record go: err, and the caller's fn. */
struct json_errs {
  struct buf *err;
  record_problem_fn fn;
  void *pctx;
};

/* Appends one problem of a JSON record, "field 'x': msg" (or msg alone
 * when field is NULL), and hands it to the caller's fn. */
static void
json_err(const struct json_errs *je, const char *field, const char *msg)
{
  size_t start;

  sep(je->err);
  start = je->err->len;
  if (field)
    buf_printf(je->err, _("field '%s': %s"), field, msg);
  else
    buf_puts(je->err, msg);
  if (je->fn)
    je->fn(je->pctx, field, je->err->data + start);
}

/* Sets field fi (of cargo line line) from the n bytes of its JSON value's
 * text at t, its problem into je. */
static int
set_text(struct record *r, const struct record_ctx *ctx, int fi, size_t line,
         const char *t, size_t n, const struct json_errs *je)
{
  struct buf e;
  int rc;

  buf_init(&e);
  rc = record_set(r, ctx, fi, line, t, n, &e);
  if (rc != OK)
    json_err(je, r->kind->fields[fi].name, e.data);
  buf_cleanup(&e);
  return rc;
}

static int
set_json_field(struct record *r, const struct record_ctx *ctx, int fi,
               size_t line, json_t *j, struct buf *tmp,
               const struct json_errs *je)
{
  const struct field_desc *f = &r->kind->fields[fi];

  if (f->type == FT_REFLIST && json_is_array(j)) {
    size_t i;
    json_t *item;
    struct buf joined;
    buf_init(&joined);
    json_array_foreach(j, i, item)
    {
      if (!json_is_string(item)) {
        buf_cleanup(&joined);
        json_err(je, f->name, _("expected an array of ids"));
        return ERR_INVALID;
      }
      if (i)
        buf_putc(&joined, ',');
      buf_puts(&joined, json_string_value(item));
    }
    buf_reset(tmp);
    if (joined.len)
      buf_append(tmp, joined.data, joined.len);
    buf_cleanup(&joined);
  } else if (json_text(j, tmp) != OK) {
    json_err(je, f->name, _("expected a string or a number"));
    return ERR_INVALID;
  }
  return set_text(r, ctx, fi, line, tmp->data ? tmp->data : "", tmp->len, je);
}

int
record_from_json(struct record *r, int kind, const struct record_ctx *ctx,
                 const char *json, size_t len, struct buf *err)
{
  return record_from_json_problems(r, kind, ctx, json, len, err, NULL, NULL);
}

/* Canonical bytes, read without jansson (members.c): 1 when they were
 * not, and nothing was set. */
static int
from_members(struct record *r, int kind, const struct record_ctx *ctx,
             const char *json, size_t len, const struct json_errs *je)
{
  struct record_members m;
  int rc = OK;

  record__members_init(&m);
  if (record__members(json, len, &kind, &m) != OK) {
    record__members_cleanup(&m);
    return 1;
  }
  if (r->kind != &kinds[kind]) {
    buf_cleanup(&r->pool);
    record_init(r, (enum record_kind)kind);
  }
  for (size_t i = 0; i < m.n; i++) {
    const struct record_member *v = &m.v[i];
    const char *t = m.text.data ? m.text.data + v->off : "";
    if (set_text(r, ctx, v->field, v->line, t, v->len, je) != OK)
      rc = ERR_INVALID;
  }
  record__members_cleanup(&m);
  return rc;
}

int
record_from_json_problems(struct record *r, int kind,
                          const struct record_ctx *ctx, const char *json,
                          size_t len, struct buf *err,
                          record_problem_fn problem, void *pctx)
{
  const struct json_errs errs = {err, problem, pctx};
  int rc = from_members(r, kind, ctx, json, len, &errs);

  return rc != 1 ? rc
                 : record__from_json_general(r, kind, ctx, json, len, err,
                                             problem, pctx);
}

int
record__from_json_general(struct record *r, int kind,
                          const struct record_ctx *ctx, const char *json,
                          size_t len, struct buf *err,
                          record_problem_fn problem, void *pctx)
{
  const struct json_errs errs = {err, problem, pctx}, *je = &errs;
  json_error_t jerr;
  /* Numbers are IEEE doubles, as in RFC 8785 and ECMAScript: an integer
   * too big for 64 bits is a number like any other, not an error. */
  json_t *root = NULL;
  int lrc = util_json_load(json, len,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL,
                           &root, &jerr);
  struct buf tmp;
  const char *key;
  json_t *val;
  int rc = OK;

  if (lrc == ERR_RANGE && strncmp(jerr.text, "field '", 7) == 0 &&
      strstr(jerr.text + 7, "': ") != NULL) {
    /* A number out of range, in the member it names. */
    const char *end = strstr(jerr.text + 7, "': ");
    char *name = xstrndup(jerr.text + 7, (size_t)(end - jerr.text - 7));
    json_err(je, name, end + 3);
    free(name);
    return ERR_INVALID;
  }
  if (root == NULL || !json_is_object(root)) {
    buf_init(&tmp);
    if (lrc == ERR_RANGE || lrc == ERR_NOMEM)
      buf_puts(&tmp, jerr.text);
    else if (root == NULL)
      buf_printf(&tmp, _("expected a JSON object: %s (column %d)"), jerr.text,
                 jerr.column);
    else
      buf_puts(&tmp, _("expected a JSON object"));
    json_err(je, NULL, tmp.data);
    buf_cleanup(&tmp);
    json_decref(root);
    return ERR_INVALID;
  }
  val = json_object_get(root, "record");
  if (kind < 0) {
    if (!json_is_string(val) ||
        (kind = record_kind_by_name(json_string_value(val))) < 0) {
      json_err(je, "record",
               _("expected the kind of record (flow, status, ...)"));
      json_decref(root);
      return ERR_INVALID;
    }
  } else if (val && (!json_is_string(val) ||
                     strcmp(json_string_value(val), kinds[kind].name) != 0)) {
    json_err(je, "record", _("names another kind than the one imported"));
    json_decref(root);
    return ERR_INVALID;
  }
  if (r->kind != &kinds[kind]) {
    buf_cleanup(&r->pool);
    record_init(r, (enum record_kind)kind);
  }
  buf_init(&tmp);
  json_object_foreach(root, key, val)
  {
    int fi;
    if (strcmp(key, "record") == 0)
      continue;
    if (kind == KIND_flow && strcmp(key, "cargo") == 0) {
      size_t i;
      json_t *line;
      if (!json_is_array(val)) {
        json_err(je, "cargo", _("expected an array of cargo lines"));
        rc = ERR_INVALID;
        continue;
      }
      json_array_foreach(val, i, line)
      {
        const char *ck;
        json_t *cv;
        if (!json_is_object(line)) {
          json_err(je, "cargo", _("expected {category, quantity, unit}"));
          rc = ERR_INVALID;
          continue;
        }
        json_object_foreach(line, ck, cv)
        {
          int ci = record_field_index(r->kind, ck);
          if (ci < 0 || !(r->kind->fields[ci].flags & FF_CARGO)) {
            json_err(je, ck, _("unknown field of a cargo line"));
            rc = ERR_INVALID;
          } else if (set_json_field(r, ctx, ci, i, cv, &tmp, je) != OK) {
            rc = ERR_INVALID;
          }
        }
      }
      continue;
    }
    fi = record_field_index(r->kind, key);
    if (fi < 0 || (r->kind->fields[fi].flags & FF_CARGO && kind == KIND_flow &&
                   json_is_array(val))) {
      json_err(je, key, _("unknown field"));
      rc = ERR_INVALID;
      continue;
    }
    if (set_json_field(r, ctx, fi, 0, val, &tmp, je) != OK)
      rc = ERR_INVALID;
  }
  buf_cleanup(&tmp);
  json_decref(root);
  return rc;
}

int
record_time_bounds(const char *canonical, record_tz_fn tz, void *tzctx,
                   int64_t *begin, int64_t *finish)
{
  struct ptime t;
  int64_t day, b;
  int rc;

  *begin = *finish = 0;
  if (canonical == NULL)
    return ERR_MISSING;
  rc = util_parse_time(canonical, strlen(canonical), &t);
  if (rc != OK)
    return rc;
  day = util_days_from_civil(t.year, t.month, t.day);
  b = day * 86400 + t.hour * 3600 + t.min * 60 + t.sec;
  switch (t.prec) {
  case TIME_YEAR:
    *begin = b;
    *finish = util_days_from_civil(t.year + 1, 1, 1) * 86400;
    break;
  case TIME_MONTH:
    *begin = b;
    *finish = util_days_from_civil(t.month == 12 ? t.year + 1 : t.year,
                                   t.month == 12 ? 1 : t.month + 1, 1) *
              86400;
    break;
  case TIME_DAY:
    *begin = b;
    *finish = b + 86400;
    break;
  default:
    if (t.has_offset) {
      int64_t utc = b - (int64_t)t.offset_min * 60;
      b = utc + (tz ? tz(tzctx, utc) : 0);
    }
    *begin = *finish = b;
  }
  return OK;
}

double
record_unit_tonnes(const char *unit)
{
  static const struct {
    const char *unit;
    double tonnes;
  } units[] = {
      {"t", 1},          {"tonne", 1},          {"tonnes", 1},
      {"ton", 1},        {"tons", 1},           {"mt", 1},
      {"metric ton", 1}, {"metric tons", 1},    {"kg", 0.001},
      {"g", 1e-6},       {"lb", 0.00045359237}, {"lbs", 0.00045359237},
      {"kt", 1000},
  };

  for (size_t i = 0; unit && i < N(units); i++)
    if (strcasecmp(units[i].unit, unit) == 0)
      return units[i].tonnes;
  return 0;
}

double
record_cargo_tonnes(const struct record *r, size_t line)
{
  const struct cargo_line *c;
  double per;

  if (line >= r->ncargo)
    return -1;
  c = &r->cargo[line];
  if (!c->quantity.set)
    return -1;
  per = record_unit_tonnes(c->unit.set ? record_text(r, &c->unit) : "t");
  return per > 0 ? c->quantity.num * per : -1;
}

void
record_hxl_tag(const struct field_desc *f, struct buf *b)
{
  if (strcmp(f->name, "lat") == 0 || strcmp(f->name, "lon") == 0)
    buf_printf(b, "#geo+%s", f->name);
  else if (f->type == FT_TIME)
    buf_printf(b, "#date+%s", f->name);
  else if (f->type == FT_COUNT || f->type == FT_NUMBER)
    buf_printf(b, "#indicator+%s+num", f->name);
  else if (f->type == FT_REF && f->ref == KIND_checkpoint)
    buf_printf(b, "#loc+%s", f->name);
  else if ((f->type == FT_REF || f->type == FT_REFLIST) && f->ref == KIND_actor)
    buf_printf(b, "#org+%s", f->name);
  else if (strcmp(f->name, "operator") == 0)
    buf_puts(b, "#org+operator");
  else if (strcmp(f->name, "category") == 0)
    buf_puts(b, "#item+category");
  else
    buf_printf(b, "#meta+%s", f->name);
}
