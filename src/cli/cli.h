/* cli: the passage command. Private to src/cli. */
#ifndef PASSAGE_CLI_H
#define PASSAGE_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "store/store.h"

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

/* Opens the store named by cli->db; prints the reason and returns NULL when
 * it cannot. */
struct store *cli_open_store(struct cli *cli, int create);

/* Prints "passage CMD: msg" and a hint to use --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What getopt refused, for a message: "unknown option or missing value:
 * '--frm'". */
const char *cli_bad_option(char **argv);

/* Maps an error code to an exit code. */
int cli_exit_code(int rc);

/* Parses a DATE argument to a local day number; prints an error naming the
 * option and returns ERR_USAGE when it is not a date. */
int cli_parse_day(const char *cmd, const char *opt, const char *text,
                  int64_t *day);

/* Appends s as a JSON string. */
void cli_json_string(struct buf *b, const char *s);

/* Opens --output FILE (or stdout) for an atomic write; cli_output_close
 * renames it into place only when ok. */
struct cli_output {
  FILE *f;
  char *path, *tmp;
};
int cli_output_open(struct cli_output *o, const char *path);
int cli_output_close(struct cli_output *o, int ok);

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

/* Parses --as-of N; prints a usage error and returns ERR_USAGE when bad. */
int cli_parse_as_of(const char *cmd, const char *text, uint64_t *out);

#endif
