/*
 * Feeds arbitrary bytes to the parsers of issue 12 that read outside
 * input: tile paths (a server's URL), the add-checkpoint body (a witness's
 * request), a 409's size (a log's answer) and entry bundles (a mirror's
 * file). Nothing may crash or leak; a path that parses must be the one
 * spelling ledger_tile_path writes, and a body that parses must be written
 * back byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/ledger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *s = (const char *)data;
  struct ledger_witness_request *r = malloc(sizeof *r);
  struct ledger_note *note = NULL;
  struct ledger_tile t;
  struct buf b, err;
  const uint8_t *e;
  size_t pos = 0, len;
  uint64_t n;

  buf_init(&b);
  buf_init(&err);
  if (ledger_tile_parse(s, size, &t) == OK) {
    ledger_tile_path(&t, &b);
    if (b.len != size || memcmp(b.data, s, size) != 0)
      abort();
    (void)ledger_tile_in_tree(&t, UINT64_MAX);
  }
  buf_reset(&b);
  if (ledger_witness_parse_request(s, size, r, &err) == OK) {
    ledger_witness_format_request(r->old_size, r->proof[0], r->nproof, r->note,
                                  r->note_len, &b);
    if (b.len != size || memcmp(b.data, s, size) != 0)
      abort();
    if (ledger_note_parse(r->note, r->note_len, &note, &err) == OK)
      ledger_note_free(note);
  }
  (void)ledger_witness_parse_size(s, size, &n);
  while (ledger_bundle_next(data, size, &pos, &e, &len) == OK)
    ;
  free(r);
  buf_cleanup(&b);
  buf_cleanup(&err);
  return 0;
}
