/*
 * render.h: private to src/report. The renderers of a document (doc.h),
 * each appending it to out in one markup. They read the document alone:
 * what to say was decided when it was built.
 */
#ifndef PASSAGE_REPORT_RENDER_H
#define PASSAGE_REPORT_RENDER_H

#include "report/doc.h"

/* Markdown: the full form. */
void report__render_md(const struct doc *d, struct buf *out);
/* One self-contained HTML file: the full form, inline CSS and SVG charts,
 * no script and nothing fetched. */
void report__render_html(const struct doc *d, struct buf *out);
/* The short form: at most REPORT_TXT_MAX characters, the lines of lowest
 * priority dropped first. */
void report__render_txt(const struct doc *d, struct buf *out);

/* render_html.c: appends text escaped for HTML (also for attributes). */
void report__html_escape(struct buf *b, const char *s);
/* svg.c: appends a chart as two inline <svg> elements, for render_html:
 * class "chart wide" and "chart narrow" (a phone's), which the stylesheet
 * shows one at a time. */
void report__render_svg(const struct doc_chart *c, struct buf *out);

#endif
