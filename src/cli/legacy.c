/*
 * What import, add and export (cmd_data.c) still need of the store
 * directly. They move onto app once the ingest work is merged; this file
 * goes with them.
 */
#include "cli/cli.h"
#include "store/store.h"

struct store *
cli_open_store(struct cli *cli, int create)
{
  struct store *st = NULL;
  struct buf err;

  buf_init(&err);
  if (store_open(cli->db, create, &st, &err) != OK)
    fprintf(stderr, "passage: %s\n", err.data ? err.data : cli->db);
  buf_cleanup(&err);
  return st;
}
