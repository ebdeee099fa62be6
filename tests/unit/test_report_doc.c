/*
 * Unit tests of the report's document model and its renderers: the same
 * document in Markdown, HTML and text; unknown figures never written as 0;
 * record text escaped for each markup; the text form dropping its least
 * important lines to fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/doc.h"
#include "report/render.h"
#include "report/report.h"

/* A section with a paragraph, a table (with an unknown figure, a source
 * list and a described term) and a list; then one of charts alone. */
static struct doc *
sample(void)
{
  struct doc *d = doc_new("Title <1>", "en");
  struct doc_chart *c;

  doc_section(d, DOC_SECTION, "s1");
  doc_words(d, "Flows");
  doc_block(d, DOC_PARA, DOC_ASIDE);
  doc_words(d, "Said by ");
  doc_text(d, "a *b* <c>");
  doc_block(d, DOC_TABLE, DOC_PLAIN);
  doc_column(d, 0);
  doc_words(d, "what");
  doc_column(d, 1);
  doc_words(d, "trucks");
  doc_column(d, 0);
  doc_words(d, "sources");
  doc_row(d, 1);
  doc_cell(d);
  doc_style(d, DOC_KEY);
  doc_code(d, "id-1");
  doc_detail(d);
  doc_text(d, "the first");
  doc_cell(d);
  doc_num(d, 0, 0, UTIL_SHOWN_COUNT);
  doc_cell(d);
  doc_style(d, DOC_LISTED);
  doc_source(d, "mission", "A1");
  doc_row(d, 0);
  doc_cell(d);
  doc_style(d, DOC_MARK);
  doc_text(d, "x|y");
  doc_cell(d);
  doc_num(d, 1, 1225.5, UTIL_SHOWN_QUANTITY);
  doc_cell(d);
  doc_words(d, "-");
  doc_block(d, DOC_LIST, DOC_PLAIN);
  doc_item(d);
  doc_style(d, DOC_STRONG);
  doc_words(d, "Index: ");
  doc_pct(d, 1, 0.25);
  doc_style(d, DOC_NOTE);
  doc_words(d, " (note)");
  doc_flags(d, DOC_BREAK);
  doc_section(d, DOC_SECTION, "charts");
  doc_words(d, "Charts");
  c = doc_chart(d, DOC_CHART_RANGES);
  c->title = xstrdup("Cover");
  c->id = xstrdup("unk");
  c->unknown = xstrdup("unknown");
  c->range_label = xstrdup("days of cover");
  c->range_unit = xstrdup("days");
  for (int k = 0; k < 3; k++)
    c->threshold_level[k] = xstrdup("warning");
  return d;
}

static void
test_markdown(void **state)
{
  struct doc *d = sample();
  struct buf out;

  (void)state;
  buf_init(&out);
  report__render_md(d, &out);
  assert_string_equal(out.data, "## Flows\n"
                                "\n"
                                "Said by a \\*b\\* \\<c\\>\n"
                                "\n"
                                "| what | trucks | sources |\n"
                                "|---|--:|---|\n"
                                "| `id-1` | ? | mission (A1) |\n"
                                "| **x\\|y** | 1,226 | - |\n"
                                "\n"
                                "- `id-1`: the first\n"
                                "\n"
                                "- **Index: 25%** (note)\n");
  buf_cleanup(&out);
  doc_free(d);
}

static void
test_html(void **state)
{
  struct doc *d = sample();
  struct buf out;
  const char *body;

  (void)state;
  buf_init(&out);
  report__render_html(d, &out);
  assert_non_null(strstr(out.data, "<title>Title &lt;1&gt;</title>"));
  body = strstr(out.data, "<main>\n");
  assert_non_null(body);
  assert_non_null(strstr(body,
                         "<section id=\"s1\"><h2>Flows</h2>\n"
                         "<p class=\"note\">Said by a *b* &lt;c&gt;</p>"
                         "<div class=\"scroll\"><table><tr><th>what</th>"
                         "<th class=\"n\">trucks</th><th>sources</th></tr>\n"
                         "<tr class=\"hi\"><td><b><code>id-1</code></b><br>"
                         "<span class=\"note\">the first</span></td>"
                         "<td class=\"n\"><span class=\"unknown\">?</span></td>"
                         "<td>mission A1</td></tr>\n"
                         "<tr><td>x|y</td><td class=\"n\">1,226</td>"
                         "<td>-</td></tr>\n</table></div>"
                         "<ul>\n<li><b>Index: 25%</b><span class=\"note\"> "
                         "(note)</span></li>\n</ul>\n</section>\n"));
  /* The chart section is drawn, with its figure's own hatch, in a wide
   * form and a narrow one for phones, each with a hatch of its own. */
  assert_non_null(strstr(body, "<section id=\"charts\"><h2>Charts</h2>\n"
                               "<h3>Cover</h3>\n<svg class=\"chart wide\""));
  assert_non_null(strstr(body, "<pattern id=\"unk\""));
  assert_non_null(
      strstr(body, "<svg class=\"chart narrow\" viewBox=\"0 0 340 "));
  assert_non_null(strstr(body, "<pattern id=\"unk-n\""));
  assert_non_null(strstr(body, "</main>\n</body>\n</html>\n"));
  buf_cleanup(&out);
  doc_free(d);
}

/* Markdown draws no chart: a section of charts alone is left out. */
static void
test_markdown_no_charts(void **state)
{
  struct doc *d = sample();
  struct buf out;

  (void)state;
  buf_init(&out);
  report__render_md(d, &out);
  assert_null(strstr(out.data, "Charts"));
  buf_cleanup(&out);
  doc_free(d);
}

static void
test_values(void **state)
{
  struct doc *d = doc_new("", "");
  struct buf out;

  (void)state;
  doc_line(d, DOC_KEEP);
  doc_num(d, 1, 1225, UTIL_SHOWN_COUNT);
  doc_words(d, " ");
  doc_num(d, 0, 1225, UTIL_SHOWN_COUNT);
  doc_words(d, " ");
  /* Issue 8's figures: a count whole, a quantity to one decimal below 10. */
  doc_num(d, 1, 90822.11, UTIL_SHOWN_COUNT);
  doc_words(d, " ");
  doc_num(d, 1, 0.08, UTIL_SHOWN_COUNT);
  doc_words(d, " ");
  doc_num(d, 1, 9.44, UTIL_SHOWN_QUANTITY);
  doc_words(d, " ");
  doc_range(d, 1, 42.03, 54.15, UTIL_SHOWN_QUANTITY);
  doc_words(d, " ");
  doc_pct(d, 1, 0.0001);
  doc_words(d, " ");
  doc_change(d, -1);
  doc_words(d, " ");
  doc_range(d, 1, 1690, 2760, UTIL_SHOWN_QUANTITY);
  doc_words(d, " ");
  doc_range(d, 1, 12.001, 12.002, UTIL_SHOWN_QUANTITY);
  doc_words(d, " ");
  doc_range(d, 0, 1, 2, UTIL_SHOWN_QUANTITY);
  doc_words(d, " ");
  doc_count(d, 1234);
  doc_words(d, " ");
  doc_day(d, util_days_from_civil(2024, 2, 7));
  doc_words(d, " ");
  doc_source(d, "mission", "");
  buf_init(&out);
  report__render_txt(d, &out);
  assert_string_equal(
      out.data, "1,225 ? 90,822 0 9.4 42-54 <0.1% -100% 1,690-2,760 12 ? 1234 "
                "2024-02-07 mission\n");
  buf_cleanup(&out);
  doc_free(d);
}

/* Over the limit, the lowest priority goes first, the last line of it
 * first; lines to keep stay; text is clipped where a line says so. */
static void
test_txt_fits(void **state)
{
  struct doc *d = doc_new("", "");
  struct buf out, big;

  (void)state;
  buf_init(&big);
  for (int i = 0; i < 700; i++)
    buf_putc(&big, 'x');
  doc_line(d, DOC_KEEP);
  doc_words(d, "head ");
  doc_clipped(d, "a\nlong name", 6);
  doc_line(d, 1);
  doc_words(d, "low one");
  doc_line(d, 2);
  doc_words(d, big.data);
  doc_line(d, 1);
  doc_words(d, big.data);
  doc_line(d, 2);
  doc_words(d, big.data);
  doc_line(d, DOC_KEEP);
  doc_words(d, "tail");
  buf_init(&out);
  report__render_txt(d, &out);
  /* 2,100 x's and more: dropping the last line of priority 1 fits. */
  assert_true(report_utf8_length(out.data, out.len) <= REPORT_TXT_MAX);
  assert_non_null(strstr(out.data, "head a long...\nlow one\n"));
  assert_non_null(strstr(out.data, "\ntail\n"));
  assert_int_equal(out.len, strlen("head a long...\nlow one\n") +
                                2 * (700 + 1) + strlen("tail\n"));
  buf_cleanup(&out);
  buf_cleanup(&big);
  doc_free(d);
}

int
main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_markdown),           cmocka_unit_test(test_html),
      cmocka_unit_test(test_markdown_no_charts), cmocka_unit_test(test_values),
      cmocka_unit_test(test_txt_fits),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
