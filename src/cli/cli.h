/* cli: the passage command. Private to src/cli. */
#ifndef PASSAGE_CLI_H
#define PASSAGE_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "app/app.h"
#include "util/i18n.h"
#include "util/util.h"

/* Exit codes, as documented in passage --help and docs/cli.md. */
enum {
  EXIT_OK = 0,
  EXIT_ERROR = 1,
  EXIT_USAGE = 2,
  EXIT_INVALID = 3,
  EXIT_VERIFY = 4,
};

struct cli {
  const char *db; /* --db, PASSAGE_DB or ./passage.db */
};

#define CMD(name, fn, summary) int fn(struct cli *cli, int argc, char **argv);
#include "cli/commands.def"
#undef CMD

/* Every option of every command, from options.def: OPT_<set>_<id>. */
enum cli_opt_id {
#define OPT(set, name, letter, arg, check, id) OPT_##set##_##id,
#include "cli/options.def"
#undef OPT
  OPT_COUNT
};

/* What a command was given. */
struct cli_args {
  const char *cmd;  /* its name, for messages: "flow", "log", ... */
  const char *help; /* what --help prints */
  struct cli *cli;
  /* Set by the command before parsing, for the checks that need it: the
   * kind of record the options concern (import's --map, --set, --values;
   * add's fields). */
  const char *kind;
  /*
   * A set with a FIELDS line (add) takes --NAME VALUE for each of these
   * names as well (a record kind's fields), and unknown says what is
   * wrong with a --NAME that is neither one of them nor an option of the
   * set (NULL: "unknown option"); see options.def.
   */
  const char *const *fields;
  size_t nfields;
  void (*unknown)(const struct cli_args *a, const char *name);
  const char *v[OPT_COUNT]; /* the last value given ("" for a flag) */
  unsigned n[OPT_COUNT];    /* how often the option was given */
  int64_t day[OPT_COUNT];   /* opt_day's day */
  uint64_t num[OPT_COUNT];  /* opt_count's, opt_as_of's, opt_period's */
  /* Every value given, in order, for options that may repeat, with its
   * option's id and name (for a FIELDS line: the field's name). */
  const char **values;
  const char **names;
  int *ids;
  size_t nvalues;
};

/* cli_parse's answer when --help was given and printed. */
#define CLI_HELP 1

/*
 * Parses the options of set (as options.def names it) in argv[first..]
 * with getopt_long; optind is then the first argument left. Returns OK,
 * CLI_HELP (help printed: exit 0), or ERR_USAGE with the message printed
 * (exit 2). Release a with cli_args_cleanup.
 */
int cli_parse(struct cli_args *a, const char *set, int argc, char **argv,
              int first);
void cli_args_cleanup(struct cli_args *a);
/*
 * The arguments of argv[first..] that are neither options nor their
 * values, in order: what cli_parse(a, set, ...) will leave from
 * argv[optind], found without reporting anything, for a command that needs
 * them first (import's kind decides what its options may say). *out is a
 * new array (free it) of borrowed strings; returns how many.
 */
size_t cli_operands(const char *set, int argc, char **argv, int first,
                    const char ***out);
/* The exit code for what cli_parse returned. */
int cli_parse_exit(int rc);
/* The values of a repeated option, in order, into out (room for
 * a->nvalues); returns how many. */
size_t cli_args_list(const struct cli_args *a, int id, const char **out);
/* 1 when arg asks for help (--help, -h). */
int cli_is_help(const char *arg);
/* Prints "unexpected argument" and returns EXIT_USAGE when arguments are
 * left after the options; EXIT_OK otherwise. */
int cli_no_more(const char *cmd, int argc, char **argv);

/* Prints an app error as the CLI words it (see enum app_error_kind) and
 * returns the exit code for its code. */
int cli_fail(const char *cmd, const struct app_error *e);

/* Prints "passage CMD: msg" and a hint to use --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "passage CMD: msg", the usage lines of help (its first
 * paragraph) and a hint to use --help, on stderr; returns EXIT_USAGE. For a
 * command called without the subcommand or operand it needs. */
int cli_usage(const char *cmd, const char *help, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same for a text translated already. */
int cli_usage_text(const char *cmd, const char *text);

/* What getopt refused, for a message: "unknown option or missing value:
 * '--frm'". */
const char *cli_bad_option(char **argv);

/* Maps an error code to an exit code. */
int cli_exit_code(int rc);

/* Parses a DATE argument to a local day number; prints an error naming the
 * option and returns ERR_USAGE when it is not a date. */
int cli_parse_day(const char *cmd, const char *opt, const char *text,
                  int64_t *day);

/* Parses --as-of N; prints a usage error and returns ERR_USAGE when bad. */
int cli_parse_as_of(const char *cmd, const char *text, uint64_t *out);

/* Opens --output FILE (or stdout) for an atomic write; cli_output_close
 * renames it into place only when ok. Failures are printed. */
struct cli_output {
  struct app_file file;
  FILE *f;
};
int cli_output_open(struct cli_output *o, const char *path);
int cli_output_close(struct cli_output *o, int ok);

/* Writes text to path (NULL or "-": stdout) atomically; prints failures. */
int cli_write_text(const char *path, const char *text);

/* An aligned text table; the first nleft columns are left-aligned (labels),
 * the rest right-aligned (numbers). Cells are copied. */
struct cli_table {
  size_t ncols, nleft, nrows, cap;
  char **cells;
};
void cli_table_init(struct cli_table *t, size_t ncols, size_t nleft);
void cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_print(struct cli_table *t, FILE *f);
void cli_table_cleanup(struct cli_table *t);

/* Writes a cell of an answer for people: figures with separators, shares
 * as percentages, "?" for unknown, "-" for no text. */
void cli_cell(const json_t *v, enum app_column_type type, char *out,
              size_t size);
/* Starts t for answer a: a column per column of a and extra more, headed by
 * their names ('_' shown as ' ') and ""; a's leading text and day columns
 * are left-aligned. */
void cli_answer_head(struct cli_table *t, const struct app_table *a,
                     size_t extra);
/* Adds a row of a to t: its columns' cells, then the extra cells. */
void cli_answer_row(struct cli_table *t, const struct app_table *a,
                    const json_t *row, const char *const *extra);

/* How an analysis command prints its answer as a text table: head starts
 * the table, row adds a row, foot prints it (rows: how many there were). */
struct cli_layout {
  void (*head)(struct cli_table *t, const struct app_table *a);
  void (*row)(struct cli_table *t, const struct app_table *a,
              const json_t *row);
  void (*foot)(struct cli_table *t, const struct app_table *a, size_t rows);
};
/* The layout of answers that are their columns (index, availability). */
extern const struct cli_layout cli_plain_layout;

/* The analysis commands: checks --format (table, csv or json) and q's
 * period, printing what is wrong; returns EXIT_OK or the exit code. */
int cli_answer_check(const char *cmd, const char *format,
                     const struct app_query *q);
/* Asks app for the answer to q and prints it in format (table through
 * layout); prints what went wrong and returns the exit code. */
int cli_answer(struct cli *cli, const char *cmd, app_answer_fn *answer,
               const struct app_query *q, const char *format,
               const struct cli_layout *layout);

#endif
