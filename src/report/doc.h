/*
 * doc.h: private to src/report. The document a sitrep is rendered from.
 * sitrep_doc.c builds it from the gathered figures (struct sitrep), and
 * that is where every wording, plural and unknown-versus-zero rule lives;
 * each renderer (render_md.c, render_html.c, render_txt.c) writes it in
 * its own markup and knows nothing of sitreps.
 *
 * A document has a full form, sections of blocks (Markdown and HTML), and a
 * short form, lines with a priority (the text message, which drops the
 * least important lines to fit). Blocks and lines hold spans: pieces of
 * wording or text, or typed values (a figure, a share, a day, an unknown
 * figure, a source with its grade), which each renderer writes its way.
 *
 * It is built front to back: each container call (a section, a block, a
 * list item, a table row or cell, a line) makes the new container the
 * target of the span calls that follow, until the next container call.
 */
#ifndef PASSAGE_REPORT_DOC_H
#define PASSAGE_REPORT_DOC_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

enum doc_span_kind {
  DOC_WORDS,   /* our wording (translated): written as it is */
  DOC_TEXT,    /* text of a record or the corridor file: escaped */
  DOC_MARKED,  /* wording with Markdown's `code`, **strong** and *em* */
  DOC_CODE,    /* an id or a command */
  DOC_NUM,     /* a figure: "1,225" persons, "9.4" t (util_shown) */
  DOC_COUNT,   /* a count of days: "1225" */
  DOC_PCT,     /* a share: "25%", "<0.1%" */
  DOC_CHANGE,  /* a change: "+12%", "-100%" */
  DOC_RANGE,   /* a range of figures: "1,690-2,760", or one when equal */
  DOC_DAY,     /* a day: "2024-02-07" */
  DOC_UNKNOWN, /* a figure nobody observed: "?", never zero */
  DOC_SOURCE,  /* a source and its grade: "mission A1" */
  DOC_LINK,    /* text that links to a url */
  DOC_FLAG,    /* a word that warns, with its level ("critical") */
  DOC_SWATCH,  /* a chart legend's key: the colour of series `extra` */
};

/* The styles of a span, which a renderer may show or not. */
enum {
  DOC_STRONG = 1 << 0, /* strong in every form */
  DOC_KEY = 1 << 1,    /* what a line or cell is about: bold where styled */
  DOC_NOTE = 1 << 2,   /* an aside: set in small type where styled */
  DOC_MARK = 1 << 3,   /* a highlighted row's key cell: bold where rows
                          cannot be coloured */
  DOC_LISTED = 1 << 4, /* DOC_SOURCE: one of a list of sources */
};

struct doc_span {
  int kind;     /* enum doc_span_kind */
  int style;    /* DOC_STRONG ... */
  char *text;   /* the words, text, code or id; a link's text; a flag's word */
  char *extra;  /* a source's grade ("" none); a url; a flag's level */
  double v, v2; /* NUM, PCT, CHANGE; RANGE v..v2 */
  int shown;    /* NUM, RANGE: enum util_shown, how the figure rounds */
  int64_t n;    /* DAY: the day number; COUNT: the count */
  size_t max;   /* TEXT in a line: at most this many characters, 0 all */
};

struct doc_spans {
  struct doc_span *v;
  size_t n, cap;
};

struct doc_cell {
  struct doc_spans spans;
  struct doc_spans detail; /* a description of the cell's term, or none */
};

struct doc_row {
  struct doc_cell *cells;
  size_t n;
  int hi; /* highlighted: within the report's period */
};

struct doc_column {
  struct doc_spans head;
  int numeric; /* right-aligned figures */
};

/* A key figure: a label, its value and a note under it. */
struct doc_keyfig {
  struct doc_spans label, value, note;
};

enum doc_chart_kind {
  DOC_CHART_BARS,   /* per day, two series stacked, against a line */
  DOC_CHART_STRIP,  /* per row and day, a share from 0 to 1 */
  DOC_CHART_RANGES, /* per row, a range against three thresholds */
};

struct doc_chart_row {
  char *label;
  double *v; /* STRIP: one a day */
  int *known;
  int range_known; /* RANGES */
  double low, high;
  char *level; /* RANGES: the row's alert level, "none" for none */
};

/* A chart's figures and the words on it. */
struct doc_chart {
  int kind;      /* enum doc_chart_kind */
  int shown;     /* enum util_shown: how its figures round for people */
  char *title;   /* its heading, and its name for screen readers */
  char *id;      /* its hatch's id: unique in the document */
  char *unknown; /* what an unknown mark says */
  /* BARS and STRIP: the days first_day .. first_day + ndays - 1. */
  int64_t first_day;
  size_t ndays;
  /* BARS: series[k] (key[k] names its colour) per day, known[] per day;
   * the days shade_from .. shade_from + shade_days - 1 shaded (the
   * report's period), shade_days 0 none; a line at ref when ref_known. */
  char *key[2], *series[2];
  double *bar[2];
  int *bar_known;
  size_t shade_from, shade_days;
  int ref_known;
  double ref;
  char *ref_label;
  /* STRIP and RANGES: one row each. */
  struct doc_chart_row *rows;
  size_t nrows;
  /* RANGES: the axis reaches at least axis_min; a line at each threshold
   * (level[k] names its colour); what a range and its unit are called. */
  double axis_min;
  int threshold[3];
  char *threshold_level[3];
  char *range_label, *range_unit;
};

enum doc_block_kind {
  DOC_HEADING, /* a subheading */
  DOC_PARA,    /* a paragraph */
  DOC_LIST,    /* a list of items */
  DOC_TABLE,   /* columns and rows of cells */
  DOC_KEYFIGS, /* key figures side by side */
  DOC_LEGEND,  /* the key of the charts that follow */
  DOC_CHART,   /* a chart */
  DOC_LINE,    /* a line of the short form */
};

/* The styles of a block. */
enum { DOC_PLAIN = 0, DOC_ASIDE = 1, DOC_META = 2 };

/* A line break after the block in the HTML source (it does not show). */
#define DOC_BREAK 1

struct doc_block {
  int kind;  /* enum doc_block_kind */
  int style; /* DOC_PLAIN, DOC_ASIDE (small print), DOC_META */
  int flags; /* DOC_BREAK */
  int prio;  /* LINE: the lower, the sooner it is dropped to fit */
  /* HEADING, PARA, LEGEND, LINE: the text; TABLE: its caption. */
  struct doc_spans spans;
  struct doc_spans *items; /* LIST */
  size_t nitems;
  struct doc_column *cols; /* TABLE */
  size_t ncols;
  struct doc_row *rows;
  size_t nrows;
  struct doc_spans empty;  /* TABLE: what to say instead of no rows */
  struct doc_keyfig *figs; /* KEYFIGS */
  size_t nfigs;
  struct doc_chart *chart; /* CHART */
};

enum doc_section_kind {
  DOC_HEADER,  /* the title and what the report is */
  DOC_SECTION, /* a section of the report */
  DOC_FOOTER,  /* how to check it */
};

struct doc_section {
  int kind; /* enum doc_section_kind */
  char *id; /* a name for links, unique in the document */
  struct doc_spans heading;
  struct doc_block *blocks;
  size_t nblocks;
};

struct doc {
  char *title; /* one line, for a window or a tab */
  char *lang;  /* the language code of the wording ("en") */
  struct doc_section *sections;
  size_t nsections;
  struct doc_block *lines; /* the short form */
  size_t nlines;
  /* Where the next spans go: the last container, of kind where. */
  int where;
  int style; /* of the next spans */
};

/* The priority of a line of the short form that is never dropped. */
#define DOC_KEEP 1000

/* A new, empty document; free with doc_free (NULL is fine). */
struct doc *doc_new(const char *title, const char *lang);
void doc_free(struct doc *d);

/* Containers. A section's heading, a block's text, a list item, a table
 * column's head, caption, empty text or cell, a cell's detail, a key
 * figure's label, value or note, or a line become the target of the span
 * calls that follow. Each resets the style to none. */
void doc_section(struct doc *d, int kind, const char *id);
/* kind HEADING, PARA, LIST, TABLE (its caption is the target), KEYFIGS or
 * LEGEND; charts are made by doc_chart. */
void doc_block(struct doc *d, int kind, int style);
/* Sets flags (DOC_BREAK) on the last block of the last section. */
void doc_flags(struct doc *d, int flags);
void doc_item(struct doc *d);
void doc_column(struct doc *d, int numeric);
/* The caption and the empty text of the last table. */
void doc_caption(struct doc *d);
void doc_empty(struct doc *d);
void doc_row(struct doc *d, int hi);
void doc_cell(struct doc *d);
/* The detail of the last cell. */
void doc_detail(struct doc *d);
/* A key figure; its label is the target, then doc_value, doc_note. */
void doc_keyfig(struct doc *d);
void doc_value(struct doc *d);
void doc_note(struct doc *d);
/* A chart block; the chart is the document's, for the caller to fill. */
struct doc_chart *doc_chart(struct doc *d, int kind);
/* A line of the short form with priority prio. */
void doc_line(struct doc *d, int prio);

/* Spans, appended to the target with the current style. */
void doc_style(struct doc *d, int style);
void doc_words(struct doc *d, const char *s);
void doc_wordsf(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void doc_text(struct doc *d, const char *s);
/* Text cut to max characters in a line of the short form. */
void doc_clipped(struct doc *d, const char *s, size_t max);
void doc_marked(struct doc *d, const char *s);
void doc_markedf(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void doc_code(struct doc *d, const char *s);
/* A figure, share or range, or DOC_UNKNOWN when !known. A figure and a
 * range round as shown says (enum util_shown: a count of persons, vehicles
 * or records whole, a quantity of tonnes or days to one decimal below 10). */
void doc_num(struct doc *d, int known, double v, enum util_shown shown);
void doc_pct(struct doc *d, int known, double v);
void doc_range(struct doc *d, int known, double low, double high,
               enum util_shown shown);
void doc_count(struct doc *d, size_t n);
void doc_change(struct doc *d, double change);
void doc_day(struct doc *d, int64_t day);
void doc_unknown(struct doc *d);
void doc_source(struct doc *d, const char *id, const char *grade);
void doc_link(struct doc *d, const char *text, const char *url);
void doc_flag(struct doc *d, const char *text, const char *level);
void doc_swatch(struct doc *d, const char *key, const char *label);

/*
 * Appends a span as plain text: words, text, code and flags as they are, a
 * link's text, "mission A1" for a source, values as people read them
 * (numbers in the C locale), "?" for an unknown figure, nothing for a
 * swatch. Renderers write through it what their markup does not change.
 */
void doc_put_plain(struct buf *b, const struct doc_span *s);

/* fmt.c: values for people, through util's one rounding of figures
 * (util_format_shown): a count whole ("1,225"), a quantity whole from 10
 * up and with one decimal below ("9.4"). */
void report__fmt_num(double v, enum util_shown shown, char *buf, size_t size);
/* A share as a percentage: "25%", "4.1%", "<0.1%". */
void report__fmt_pct(double share, char *buf, size_t size);
/* A change as a signed percentage: "+12%", "-100%". */
void report__fmt_change(double change, char *buf, size_t size);
/* "YYYY-MM-DD". */
void report__fmt_day(int64_t day, char *buf, size_t size);
/* Appends "1,690-2,760", or "1,690" when both ends read the same. */
void report__fmt_range(struct buf *out, double low, double high,
                       enum util_shown shown);
/* Appends text for a Markdown line or table cell: one line, with the
 * characters Markdown would read as markup escaped (for DOC_MARKED). */
void report__md_escape(struct buf *b, const char *s);

#endif
