/*
 * A document's full form as one self-contained HTML file: inline CSS,
 * charts as inline SVG (svg.c), no script and nothing fetched, so that it
 * can be mailed, opened offline, read on a phone and printed.
 */
#include "report/render.h"

#include <string.h>

static const char css[] =
    ":root{--in:#1f6fb2;--out:#e07b00;--ink:#1b1b1b;--muted:#5c5c5c;"
    "--rule:#d8d8d8;--hi:#fff4c2}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',"
    "Roboto,'Noto Sans',Arial,sans-serif;color:var(--ink);background:#fff}\n"
    "main{max-width:60rem;margin:0 auto;padding:1rem}\n"
    "h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;margin:1.6rem 0 "
    ".5rem;border-bottom:2px solid var(--ink);padding-bottom:.2rem}"
    "h3{font-size:1rem;margin:1rem 0 .4rem}\n"
    ".meta,.note{color:var(--muted);font-size:.9rem}\n"
    ".kpi{display:flex;flex-wrap:wrap;gap:.8rem;margin:.6rem 0}\n"
    ".kpi div{border:1px solid var(--rule);border-radius:6px;padding:"
    ".5rem .8rem;min-width:10rem}\n"
    ".kpi b{display:block;font-size:1.6rem}\n"
    /* A table wider than a phone scrolls sideways inside its box, which
     * shades the edge that hides more. */
    ".scroll{overflow-x:auto;background:linear-gradient(90deg,#fff 30%,"
    "rgba(255,255,255,0)),linear-gradient(90deg,rgba(255,255,255,0),#fff 70%)"
    " 100% 0,radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.18),"
    "rgba(0,0,0,0)),radial-gradient(farthest-side at 100% 50%,"
    "rgba(0,0,0,.18),rgba(0,0,0,0)) 100% 0;background-repeat:no-repeat;"
    "background-size:2.5rem 100%,2.5rem 100%,.8rem 100%,.8rem 100%;"
    "background-attachment:local,local,scroll,scroll}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.4rem "
    "0}\n"
    "th,td{border-bottom:1px solid var(--rule);padding:.25rem .4rem;"
    "text-align:left;vertical-align:top}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "tr.hi td{background:var(--hi);font-weight:600}\n"
    ".unknown{color:var(--muted)}\n"
    ".alert-warning{color:#8a5a00;font-weight:600}.alert-severe{color:"
    "#b34700;font-weight:700}.alert-critical{color:#b00020;font-weight:700}"
    "\n"
    "code{font-size:.85em;word-break:break-all}\n"
    /* Each chart comes in two forms (svg.c): the narrow one on a phone,
     * where its 11-unit text is 11 px or more. */
    "svg.chart{width:100%;height:auto;font-size:11px;margin:.3rem 0}\n"
    "svg.chart.narrow{display:none}\n"
    "svg .in{fill:var(--in)}svg .out{fill:var(--out)}\n"
    "svg .axis line{stroke:#888}svg .axis .grid{stroke:#ddd}svg .axis text,"
    "svg text.axis{fill:var(--muted)}\n"
    "svg .baseline{stroke:var(--ink);stroke-width:1.5;stroke-dasharray:5 3}"
    "svg .baseline-label{fill:var(--ink)}\n"
    "svg .th{stroke-width:1;stroke-dasharray:3 2}svg .th.critical{stroke:"
    "#b00020}svg .th.severe{stroke:#b34700}svg .th.warning{stroke:#8a5a00}\n"
    "svg .cover-low{fill:#2e7d32}svg .cover-low.warning{fill:#c49000}"
    "svg .cover-low.severe{fill:#d35400}svg .cover-low.critical{fill:"
    "#b00020}svg .cover-range{fill:#9e9e9e;opacity:.5}\n"
    ".legend span{display:inline-block;margin-right:1rem}.legend i{display:"
    "inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:"
    "middle}\n"
    "footer{margin-top:2rem;border-top:1px solid var(--rule);padding-top:"
    ".5rem}\n"
    "@media (max-width:40rem){body{font-size:14px}main{padding:.6rem}"
    ".kpi div{min-width:45%}svg.chart.wide{display:none}"
    "svg.chart.narrow{display:block}th{white-space:nowrap}}\n"
    "@media print{body{font-size:10pt}main{max-width:none;padding:0}"
    "svg.chart.wide{display:block}svg.chart.narrow{display:none}"
    ".scroll{overflow:visible}section{break-inside:avoid-page}"
    "h2{break-after:avoid}table{page-break-inside:auto}tr{break-inside:"
    "avoid}a{color:inherit;text-decoration:none}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "@page{margin:1.5cm}}\n";

void
report__html_escape(struct buf *b, const char *s)
{
  for (; s && *s; s++) {
    switch (*s) {
    case '&':
      buf_puts(b, "&amp;");
      break;
    case '<':
      buf_puts(b, "&lt;");
      break;
    case '>':
      buf_puts(b, "&gt;");
      break;
    case '"':
      buf_puts(b, "&quot;");
      break;
    case '\'':
      buf_puts(b, "&#39;");
      break;
    default:
      buf_putc(b, *s);
    }
  }
}

/* Writes DOC_MARKED wording as HTML: `code`, **bold** and *emphasis*
 * become elements, the rest is escaped. */
static void
md_inline(struct buf *b, const char *text)
{
  int code = 0, bold = 0, em = 0;

  for (const char *p = text; p && *p; p++) {
    if (!code && p[0] == '\\' && p[1]) {
      char c[2] = {p[1], 0};
      report__html_escape(b, c);
      p++;
    } else if (*p == '`') {
      buf_puts(b, code ? "</code>" : "<code>");
      code = !code;
    } else if (!code && p[0] == '*' && p[1] == '*') {
      buf_puts(b, bold ? "</b>" : "<b>");
      bold = !bold;
      p++;
    } else if (!code && p[0] == '*') {
      buf_puts(b, em ? "</i>" : "<i>");
      em = !em;
    } else {
      char c[2] = {*p, 0};
      report__html_escape(b, c);
    }
  }
}

/* The colour of a legend's key, as the charts draw it. */
static const char *
swatch(const char *key)
{
  if (strcmp(key, "in") == 0)
    return "background:var(--in)";
  if (strcmp(key, "out") == 0)
    return "background:var(--out)";
  if (strcmp(key, "unknown") == 0)
    return "background:#eee;border:1px dashed #999";
  return "background:var(--hi)";
}

static void
span(struct buf *b, const struct doc_span *x)
{
  switch (x->kind) {
  case DOC_WORDS:
  case DOC_TEXT:
    report__html_escape(b, x->text);
    break;
  case DOC_MARKED:
    md_inline(b, x->text);
    break;
  case DOC_CODE:
    buf_puts(b, "<code>");
    report__html_escape(b, x->text);
    buf_puts(b, "</code>");
    break;
  case DOC_UNKNOWN:
    buf_puts(b, "<span class=\"unknown\">?</span>");
    break;
  case DOC_SOURCE:
    report__html_escape(b, x->text);
    if (x->extra[0]) {
      buf_putc(b, ' ');
      report__html_escape(b, x->extra);
    }
    break;
  case DOC_LINK:
    /* A link to read the source, not something the page loads. */
    buf_puts(b, "<a href=\"");
    report__html_escape(b, x->extra);
    buf_puts(b, "\">");
    report__html_escape(b, x->text);
    buf_puts(b, "</a>");
    break;
  case DOC_FLAG:
    buf_puts(b, "<span class=\"alert-");
    report__html_escape(b, x->extra);
    buf_puts(b, "\">");
    report__html_escape(b, x->text);
    buf_puts(b, "</span>");
    break;
  case DOC_SWATCH:
    buf_printf(b, "<span><i style=\"%s\"></i>", swatch(x->extra));
    report__html_escape(b, x->text);
    buf_puts(b, "</span>");
    break;
  default:
    doc_put_plain(b, x);
  }
}

/* The elements a run of spans is set in: small print outside, bold in. */
enum { H_NOTE = 1, H_BOLD = 2 };

static void
restyle(struct buf *b, int *open, int want)
{
  if ((*open & H_BOLD) &&
      (!(want & H_BOLD) || (*open & H_NOTE) != (want & H_NOTE))) {
    buf_puts(b, "</b>");
    *open &= ~H_BOLD;
  }
  if ((*open & H_NOTE) && !(want & H_NOTE)) {
    buf_puts(b, "</span>");
    *open &= ~H_NOTE;
  }
  if ((want & H_NOTE) && !(*open & H_NOTE)) {
    buf_puts(b, "<span class=\"note\">");
    *open |= H_NOTE;
  }
  if ((want & H_BOLD) && !(*open & H_BOLD)) {
    buf_puts(b, "<b>");
    *open |= H_BOLD;
  }
}

/* A highlighted row is coloured as a whole (DOC_MARK shows nothing). */
static void
spans(struct buf *b, const struct doc_spans *s)
{
  int open = 0;

  for (size_t i = 0; i < s->n; i++) {
    int st = s->v[i].style;
    restyle(b, &open,
            (st & DOC_NOTE ? H_NOTE : 0) |
                (st & (DOC_STRONG | DOC_KEY) ? H_BOLD : 0));
    span(b, &s->v[i]);
  }
  restyle(b, &open, 0);
}

static void
table(struct buf *b, const struct doc_block *t)
{
  if (t->spans.n) {
    buf_puts(b, "<h3>");
    spans(b, &t->spans);
    buf_puts(b, "</h3>");
  }
  buf_puts(b, "<div class=\"scroll\"><table><tr>");
  for (size_t i = 0; i < t->ncols; i++) {
    buf_puts(b, t->cols[i].numeric ? "<th class=\"n\">" : "<th>");
    spans(b, &t->cols[i].head);
    buf_puts(b, "</th>");
  }
  buf_puts(b, "</tr>\n");
  for (size_t r = 0; r < t->nrows; r++) {
    const struct doc_row *row = &t->rows[r];
    buf_puts(b, row->hi ? "<tr class=\"hi\">" : "<tr>");
    for (size_t i = 0; i < row->n; i++) {
      const struct doc_cell *c = &row->cells[i];
      int numeric = i < t->ncols && t->cols[i].numeric;
      buf_puts(b, numeric ? "<td class=\"n\">" : "<td>");
      spans(b, &c->spans);
      if (c->detail.n) {
        buf_puts(b, "<br><span class=\"note\">");
        spans(b, &c->detail);
        buf_puts(b, "</span>");
      }
      buf_puts(b, "</td>");
    }
    buf_puts(b, "</tr>\n");
  }
  buf_puts(b, "</table></div>");
}

static void
keyfigs(struct buf *b, const struct doc_block *k)
{
  buf_puts(b, "<div class=\"kpi\">");
  for (size_t i = 0; i < k->nfigs; i++) {
    buf_puts(b, "<div>");
    spans(b, &k->figs[i].label);
    buf_puts(b, "<b>");
    spans(b, &k->figs[i].value);
    buf_puts(b, "</b><span class=\"note\">");
    spans(b, &k->figs[i].note);
    buf_puts(b, "</span></div>");
  }
  buf_puts(b, "</div>");
}

/* The class that sets a block's style, or NULL. */
static const char *
class_of(const struct doc_block *k)
{
  if (k->kind == DOC_LEGEND)
    return "note legend";
  return k->style == DOC_ASIDE ? "note" : k->style == DOC_META ? "meta" : NULL;
}

static void
open_tag(struct buf *b, const char *tag, const char *class)
{
  buf_printf(b, "<%s", tag);
  if (class)
    buf_printf(b, " class=\"%s\"", class);
  buf_putc(b, '>');
}

/* nl: what ends a line of the source ("" in the footer, which is one). */
static void
list(struct buf *b, const struct doc_block *k, const char *nl)
{
  open_tag(b, "ul", class_of(k));
  buf_puts(b, nl);
  for (size_t i = 0; i < k->nitems; i++) {
    buf_puts(b, "<li>");
    spans(b, &k->items[i]);
    buf_puts(b, "</li>");
    buf_puts(b, nl);
  }
  buf_puts(b, "</ul>");
}

static void
chart(struct buf *b, const struct doc_chart *c)
{
  buf_puts(b, "<h3>");
  report__html_escape(b, c->title);
  buf_puts(b, "</h3>\n");
  report__render_svg(c, b);
}

static void
block(struct buf *b, const struct doc_block *k, const char *nl)
{
  const char *tag = k->kind == DOC_HEADING ? "h3" : "p";

  if (k->kind == DOC_LIST) {
    list(b, k, nl);
  } else if (k->kind == DOC_TABLE) {
    table(b, k);
  } else if (k->kind == DOC_KEYFIGS) {
    keyfigs(b, k);
  } else if (k->kind == DOC_CHART) {
    chart(b, k->chart);
  } else { /* a heading, a paragraph, a legend: one element of text */
    open_tag(b, tag, class_of(k));
    spans(b, &k->spans);
    buf_printf(b, "</%s>", tag);
  }
  if (k->flags & DOC_BREAK)
    buf_putc(b, '\n');
}

static void
section(struct buf *b, const struct doc_section *s)
{
  int footer = s->kind == DOC_FOOTER;

  if (s->kind == DOC_HEADER) {
    buf_puts(b, "<header><h1>");
  } else {
    buf_printf(b, "<%s id=\"", footer ? "footer" : "section");
    report__html_escape(b, s->id);
    buf_puts(b, "\"><h2>");
  }
  spans(b, &s->heading);
  buf_puts(b, s->kind == DOC_HEADER ? "</h1>" : "</h2>");
  if (!footer)
    buf_putc(b, '\n');
  for (size_t k = 0; k < s->nblocks; k++)
    block(b, &s->blocks[k], footer ? "" : "\n");
  buf_puts(b, s->kind == DOC_HEADER ? "</header>\n"
              : footer              ? "</footer>\n"
                                    : "</section>\n");
}

void
report__render_html(const struct doc *d, struct buf *b)
{
  buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
  report__html_escape(b, d->lang);
  buf_puts(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, "
              "initial-scale=1\">\n<title>");
  report__html_escape(b, d->title);
  buf_puts(b, "</title>\n<style>\n");
  buf_puts(b, css);
  buf_puts(b, "</style>\n</head>\n<body>\n<main>\n");
  for (size_t i = 0; i < d->nsections; i++)
    section(b, &d->sections[i]);
  buf_puts(b, "</main>\n</body>\n</html>\n");
}
