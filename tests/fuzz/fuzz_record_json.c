/*
 * Fuzzes the reading of a record's JSON, both ways at once: the canonical
 * reading (members.c, which stored entries take) and jansson's
 * (record__from_json_general), on the same bytes, must end alike: the
 * same answer, the same problems in the same words, the same record. The
 * first byte chooses the kind asked for (or none) and whether the bytes
 * are read back as a stored entry; the rest is the JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record/record.h"
#include "record/record_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
problem(void *ctx, const char *field, const char *text)
{
  struct buf *b = ctx;

  buf_printf(b, "[%s] %s\n", field ? field : "-", text);
}

static void
read_one(int general, int kind, const struct record_ctx *ctx, const char *s,
         size_t n, int *rc, struct buf *err, struct buf *probs,
         struct buf *canon)
{
  struct record r;

  record_init(&r, KIND_flow);
  *rc =
      general
          ? record__from_json_general(&r, kind, ctx, s, n, err, problem, probs)
          : record_from_json_problems(&r, kind, ctx, s, n, err, problem, probs);
  buf_printf(canon, "%s|%zu|", r.kind->name, r.ncargo);
  record_canonical(&r, canon);
  record_cleanup(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct record_ctx ctx;
  struct buf err[2], probs[2], canon[2];
  int rc[2], kind;

  if (size < 1)
    return 0;
  memset(&ctx, 0, sizeof ctx);
  ctx.stored = data[0] & 1;
  kind = (int)(data[0] >> 1) % (KIND_COUNT + 1) - 1;
  for (int g = 0; g < 2; g++) {
    buf_init(&err[g]);
    buf_init(&probs[g]);
    buf_init(&canon[g]);
    read_one(g, kind, &ctx, (const char *)data + 1, size - 1, &rc[g], &err[g],
             &probs[g], &canon[g]);
  }
  if (rc[0] != rc[1] || (err[0].len != err[1].len) ||
      (err[0].len && memcmp(err[0].data, err[1].data, err[0].len) != 0) ||
      probs[0].len != probs[1].len ||
      (probs[0].len && memcmp(probs[0].data, probs[1].data, probs[0].len)) ||
      canon[0].len != canon[1].len ||
      memcmp(canon[0].data, canon[1].data, canon[0].len) != 0)
    abort();
  for (int g = 0; g < 2; g++) {
    buf_cleanup(&err[g]);
    buf_cleanup(&probs[g]);
    buf_cleanup(&canon[g]);
  }
  return 0;
}
