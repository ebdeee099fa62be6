/*
 * Filters that refuse what does not exist: a --source or --checkpoint names
 * a record by its id or its name as import reads references (an id, a name
 * in any case, or a name whose slug is an id), and one that names nothing
 * is a usage error listing what there is, never an answer of zeros.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/app_int.h"
#include "record/record.h"
#include "util/i18n.h"

/* At most this many valid ids are listed in a refusal. */
#define LISTED 20

struct names {
  const char *text; /* what was given */
  char *slug;
  char *by_id, *by_name, *by_slug; /* the id each way matched, first */
  char **ids;                      /* every id, in log order */
  size_t n, cap;
};

static void
take(char **to, const char *id)
{
  if (*to == NULL)
    *to = xstrdup(id);
}

static void
each_name(void *ctx, const char *id, const char *name)
{
  struct names *x = ctx;

  if (id == NULL)
    return;
  for (size_t i = 0; i < x->n; i++)
    if (strcmp(x->ids[i], id) == 0)
      return; /* a correction of a record already listed */
  x->ids = util_grow(x->ids, &x->cap, x->n + 1, sizeof *x->ids);
  x->ids[x->n++] = xstrdup(id);
  if (strcmp(id, x->text) == 0)
    take(&x->by_id, id);
  if (name && strcasecmp(name, x->text) == 0)
    take(&x->by_name, id);
  if (x->slug[0] && strcmp(id, x->slug) == 0)
    take(&x->by_slug, id);
}

static void
names_cleanup(struct names *x)
{
  for (size_t i = 0; i < x->n; i++)
    free(x->ids[i]);
  free(x->ids);
  free(x->slug);
  free(x->by_id);
  free(x->by_name);
  free(x->by_slug);
}

/* "the sources are a, b and c" or "the first 20 of 34 sources are ...". */
static void
list_ids(const struct names *x, const char *plural, struct buf *out)
{
  size_t n = x->n < LISTED ? x->n : LISTED;

  if (x->n == 0) {
    buf_printf(out, _("there are no %s yet"), plural);
    return;
  }
  if (x->n > LISTED)
    buf_printf(out, _("the first %d of %zu %s are "), LISTED, x->n, plural);
  else
    buf_printf(out, _("the %s are "), plural);
  for (size_t i = 0; i < n; i++)
    buf_printf(out, "%s%s",
               i == 0       ? ""
               : i + 1 == n ? _(" and ")
                            : ", ",
               x->ids[i]);
}

int
app__resolve(struct app *app, enum record_kind kind, const char *field,
             const char *text, char **id, struct app_error *err)
{
  const char *kname = record_kind_desc(kind)->name;
  struct names x;
  struct store *st;
  struct buf list;
  int rc;

  *id = NULL;
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  memset(&x, 0, sizeof x);
  x.text = text;
  x.slug = util_slug(text);
  rc = store_each_name(st, kind, each_name, &x);
  if (rc != OK) {
    app__fail(err, rc, APP_ERROR_OPERATION, NULL, "%s", store_errmsg(st));
    goto out;
  }
  /* As import reads a reference: the id, else the name, else its slug. */
  if (x.by_id || x.by_name || x.by_slug) {
    *id = xstrdup(x.by_id ? x.by_id : x.by_name ? x.by_name : x.by_slug);
    goto out;
  }
  buf_init(&list);
  /* TRANSLATORS: the plural as "there are no %s yet", "the first 20 of 34
   * %s are" and "the %s are" take it. */
  list_ids(&x,
           kind == KIND_checkpoint ? C_("listed", "checkpoints")
                                   : C_("listed", "sources"),
           &list);
  rc = app__fail(err, ERR_USAGE, APP_ERROR_OPERATION, field,
                 "--%s: no %s '%s' (give an id or a name; %s)", field, kname,
                 text, list.data);
  buf_cleanup(&list);
out:
  names_cleanup(&x);
  return rc;
}

int
app__check_outcome(const char *text, struct app_error *err)
{
  const struct kind_desc *k = record_kind_desc(KIND_flow);
  const struct field_desc *f = &k->fields[record_field_index(k, "outcome")];
  struct buf list;
  int rc;

  if (text == NULL || strcmp(text, "all") == 0)
    return OK;
  for (const char *const *a = f->allowed; *a; a++)
    if (strcmp(*a, text) == 0)
      return OK;
  buf_init(&list);
  for (const char *const *a = f->allowed; *a; a++)
    buf_printf(&list, "%s, ", *a);
  rc = app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "outcome",
                 "--outcome: expected %sor all, got '%s'", list.data, text);
  buf_cleanup(&list);
  return rc;
}

int
app__no_checkpoint(const char *cmd, const struct app_query *q,
                   struct app_error *err)
{
  if (q->checkpoint == NULL)
    return OK;
  /* Taking it and answering for every checkpoint would read as an answer
   * about that one. */
  return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "checkpoint",
                   "--checkpoint: %s covers the corridor as a whole, not one "
                   "checkpoint",
                   cmd);
}
