/*
 * The readable JSON that commands print and reports carry, written from
 * jansson values. Canonical bytes for the ledger are util_jcs_encode's job;
 * this writer keeps insertion order and lays the document out for people,
 * with strings escaped as RFC 8785 does and figures rounded as
 * util_format_figure does, so that both forms of one value agree.
 */
#include "util.h"

#include <math.h>
#include <string.h>

/* Nesting deeper than this is refused rather than recursed into. */
#define JSON_MAX_DEPTH 64

struct writer {
  struct buf *out;
  int style;
  const char *const *flat;
  /* The path of the value being written: segments separated by '.', an
   * array element's segment being '*'. */
  struct buf path;
};

/* 1 when pattern (segments, '*' matching any one) matches path exactly. */
static int
path_matches(const char *pattern, const char *path)
{
  while (*pattern && *path) {
    const char *pe = strchr(pattern, '.'), *xe = strchr(path, '.');
    size_t pn = pe ? (size_t)(pe - pattern) : strlen(pattern);
    size_t xn = xe ? (size_t)(xe - path) : strlen(path);
    if (!(pn == 1 && pattern[0] == '*') &&
        (pn != xn || memcmp(pattern, path, pn) != 0))
      return 0;
    pattern += pn + (pe != NULL);
    path += xn + (xe != NULL);
    if ((pe == NULL) != (xe == NULL))
      return 0;
  }
  return *pattern == '\0' && *path == '\0';
}

static int
is_flat(const struct writer *w)
{
  for (const char *const *p = w->flat; p && *p; p++)
    if (path_matches(*p, w->path.data ? w->path.data : ""))
      return 1;
  return 0;
}

static void
indent(struct buf *b, int depth)
{
  buf_putc(b, '\n');
  for (int i = 0; i < depth; i++)
    buf_puts(b, "  ");
}

/* How a container is laid out. */
enum layout {
  FLAT,   /* on one line, and everything in it */
  LINES,  /* one member or element a line, indented by depth */
  INLINE, /* ROWS style's root: on one line, but not its arrays */
  ROWS,   /* ROWS style's arrays: one flat element a line, indent 2 */
};

static int write_value(struct writer *w, const json_t *v, int depth, int flat);

/* Writes a member or element with the path extended by seg. */
static int
write_child(struct writer *w, const char *seg, size_t n, const json_t *v,
            int depth, int flat)
{
  size_t mark = w->path.len;
  int r;

  if (mark > 0)
    buf_putc(&w->path, '.');
  buf_append(&w->path, seg, n);
  r = write_value(w, v, depth, flat);
  w->path.len = mark;
  w->path.data[mark] = '\0';
  return r;
}

static int
write_container(struct writer *w, const json_t *v, int depth, enum layout how)
{
  int object = json_is_object(v), r = OK;
  size_t n = object ? json_object_size(v) : json_array_size(v), i = 0;
  int lines = how == LINES || how == ROWS;
  int pad = how == ROWS ? 1 : depth + 1;
  /* What the children are: flat, unless this one is laid out in lines or
   * is ROWS style's root (whose arrays decide for themselves). */
  int flat_children = how == FLAT || how == ROWS;

  buf_putc(w->out, object ? '{' : '[');
  if (n == 0) {
    buf_putc(w->out, object ? '}' : ']');
    return OK;
  }
  if (object) {
    const char *key;
    json_t *m;
    /* json_t is not const-correct for iteration; nothing is modified. */
    json_object_foreach((json_t *)v, key, m)
    {
      if (i++ > 0)
        buf_puts(w->out, lines ? "," : ", ");
      if (lines)
        indent(w->out, pad);
      if (util_jcs_string(w->out, key, strlen(key)) != OK)
        return ERR_INVALID;
      buf_puts(w->out, ": ");
      r = write_child(w, key, strlen(key), m, depth + 1, flat_children);
      if (r != OK)
        return r;
    }
  } else {
    for (i = 0; i < n; i++) {
      if (i > 0)
        buf_puts(w->out, lines ? "," : ", ");
      if (lines)
        indent(w->out, pad);
      r = write_child(w, "*", 1, json_array_get(v, i), depth + 1,
                      flat_children);
      if (r != OK)
        return r;
    }
  }
  if (lines)
    indent(w->out, how == ROWS ? 0 : depth);
  buf_putc(w->out, object ? '}' : ']');
  return OK;
}

static enum layout
layout_of(const struct writer *w, const json_t *v, int depth, int flat)
{
  if (flat)
    return FLAT;
  if (w->style == UTIL_JSON_ROWS) {
    if (depth == 0)
      return json_is_object(v) ? INLINE : ROWS;
    return json_is_array(v) && depth == 1 ? ROWS : FLAT;
  }
  return is_flat(w) ? FLAT : LINES;
}

static int
write_value(struct writer *w, const json_t *v, int depth, int flat)
{
  char num[40];

  if (v == NULL || depth > JSON_MAX_DEPTH)
    return ERR_INVALID;
  switch (json_typeof(v)) {
  case JSON_OBJECT:
  case JSON_ARRAY:
    return write_container(w, v, depth, layout_of(w, v, depth, flat));
  case JSON_STRING:
    return util_jcs_string(w->out, json_string_value(v), json_string_length(v));
  case JSON_INTEGER:
    buf_printf(w->out, "%lld", (long long)json_integer_value(v));
    return OK;
  case JSON_REAL:
    if (!isfinite(json_real_value(v))) {
      buf_puts(w->out, "null");
      return OK;
    }
    util_format_figure(json_real_value(v), num, sizeof num);
    buf_puts(w->out, num);
    return OK;
  case JSON_TRUE:
    buf_puts(w->out, "true");
    return OK;
  case JSON_FALSE:
    buf_puts(w->out, "false");
    return OK;
  case JSON_NULL:
    buf_puts(w->out, "null");
    return OK;
  }
  return ERR_INVALID;
}

int
util_json_write(const json_t *v, int style, const char *const *flat,
                struct buf *out)
{
  struct writer w = {out, style, flat, {0}};
  size_t start = out->len;
  int r;

  buf_init(&w.path);
  buf_putc(&w.path, '\0');
  w.path.len = 0;
  r = write_value(&w, v, 0, 0);
  if (r == OK)
    buf_putc(out, '\n');
  else {
    out->len = start;
    if (out->data)
      out->data[start] = '\0';
  }
  buf_cleanup(&w.path);
  return r;
}
