/*
 * report: situation reports computed from the analysis (never from the
 * input layer). A sitrep gathers, for one day or the week ending on it, the
 * functioning index and flows against the baseline, availability, the
 * status timeline, events, the supply outlook, compliance with each
 * obligation, the quality of the data behind them, and the tree size and
 * root hash it was computed from; it is written as Markdown, one
 * self-contained HTML file with inline SVG charts, JSON (field names in
 * docs/report.md) or a short text message. Headings and labels go through
 * gettext; numbers are always written in the C locale.
 */
#ifndef PASSAGE_REPORT_H
#define PASSAGE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"

enum report_format { REPORT_MD, REPORT_HTML, REPORT_JSON, REPORT_TXT };

/* The names of the formats ("md", "html", "json", "txt"), by enum value. */
extern const char *const report_format_names[4];
/* The format called name, or -1. */
int report_format_by_name(const char *name);

/* The text form never exceeds this many characters (Unicode code points):
 * it is meant for one low-bandwidth message. */
#define REPORT_TXT_MAX 1600

/* The days of the line charts in the HTML form, ending on the report's
 * date. */
#define REPORT_CHART_DAYS 30

/* What a report's period is, which decides how it is named and the
 * command that reproduces it. */
enum report_period {
  REPORT_PERIOD_DAY,   /* the date alone */
  REPORT_PERIOD_WEEK,  /* the 7 days ending on the date */
  REPORT_PERIOD_MONTH, /* the calendar month of the date, up to the date */
  REPORT_PERIOD_RANGE, /* from..to as given */
};

/* The longest period a report covers. */
#define REPORT_MAX_DAYS 366

/* A witness's cosignature of the checkpoint the report names (issue 12),
 * checked by the caller with the witness's key. */
struct report_witness {
  const char *id;   /* the corridor's [witness ID], or NULL */
  const char *name; /* the key's name */
  uint32_t key_hash;
  uint64_t time; /* when it cosigned, POSIX seconds */
};

struct report_sitrep_query {
  int64_t from, to; /* the period, local day numbers; to is its date */
  int kind;         /* enum report_period */
  /* The witnesses that cosigned the checkpoint of cosigned_size: the
   * report's own tree size, or the smallest cosigned tree that contains
   * it; 0 and none when no witness has. listed: the corridor names
   * witnesses (md, html and txt then say so even when none cosigned). */
  const struct report_witness *witnesses;
  size_t nwitnesses;
  uint64_t cosigned_size;
  int listed;
};

/*
 * Computes the sitrep of q from the view a and appends it to out in format
 * fmt. The previous period is the one of the same length just before.
 * Returns OK, ERR_USAGE for a query that makes no sense (a period that is
 * not what its kind says, or of more than REPORT_MAX_DAYS), or the
 * analysis's error with a message appended to err. out is left as it was
 * on failure.
 */
int report_sitrep(struct analysis *a, const struct report_sitrep_query *q,
                  enum report_format fmt, struct buf *out, struct buf *err);

/*
 * Returns the number of Unicode code points in the UTF-8 text s[0..len):
 * what "characters" means for the text form's limit.
 */
size_t report_utf8_length(const char *s, size_t len);

#endif
