/*
 * The bytes of the witness protocol (c2sp.org/tlog-witness): the
 * add-checkpoint request body both sides read and write, the size a 409
 * answers with, and the origin hash of the monitoring path. The HTTP
 * around them is the caller's.
 */
#include "ledger/ledger.h"
#include "ledger/ledger_int.h"
#include "util/i18n.h"

#include <stdlib.h>
#include <string.h>

/* "old N": a decimal without leading zeros ("0" alone), fitting uint64_t. */
static int
parse_u64(const char *s, size_t len, uint64_t *out)
{
  uint64_t v = 0;

  if (len == 0 || (len > 1 && s[0] == '0'))
    return ERR_INVALID;
  for (size_t i = 0; i < len; i++) {
    unsigned d = (unsigned)(s[i] - '0');

    if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
      return ERR_INVALID;
    v = v * 10 + d;
  }
  *out = v;
  return OK;
}

int
ledger_witness_parse_request(const char *body, size_t len,
                             struct ledger_witness_request *out,
                             struct buf *err)
{
  const char *p = body, *end = body + len, *nl;
  size_t line = 1;

  memset(out, 0, sizeof *out);
  if (len > LEDGER_WITNESS_BODY_MAX) {
    buf_printf(err, _("the request is over %u bytes"),
               (unsigned)LEDGER_WITNESS_BODY_MAX);
    return ERR_INVALID;
  }
  nl = memchr(p, '\n', len);
  if (nl == NULL || nl - p < 5 || memcmp(p, "old ", 4) != 0 ||
      parse_u64(p + 4, (size_t)(nl - p - 4), &out->old_size) != OK) {
    buf_puts(err, _("line 1 must be 'old <size>', the size in decimal without "
                    "leading zeros"));
    return ERR_INVALID;
  }
  p = nl + 1;
  for (;;) {
    line++;
    nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
    if (nl == NULL) {
      buf_printf(err,
                 _("line %zu: expected a proof hash or the empty line "
                   "before the checkpoint"),
                 line);
      return ERR_INVALID;
    }
    if (nl == p)
      break;
    if (out->nproof == LEDGER_WITNESS_PROOF_MAX) {
      buf_printf(err, _("more than %d consistency proof lines"),
                 LEDGER_WITNESS_PROOF_MAX);
      return ERR_INVALID;
    }
    if (util_base64_decode_exact(p, (size_t)(nl - p), out->proof[out->nproof],
                                 LEDGER_HASH_SIZE) != OK) {
      buf_printf(err, _("line %zu: a proof line must be base64 of 32 bytes"),
                 line);
      return ERR_INVALID;
    }
    out->nproof++;
    p = nl + 1;
  }
  out->note = nl + 1;
  out->note_len = (size_t)(end - out->note);
  return OK;
}

void
ledger_witness_format_request(uint64_t old_size, const uint8_t *proof, size_t n,
                              const char *note, size_t note_len,
                              struct buf *out)
{
  buf_printf(out, "old %llu\n", (unsigned long long)old_size);
  for (size_t i = 0; i < n && i < LEDGER_WITNESS_PROOF_MAX; i++) {
    util_base64_encode(out, proof + i * LEDGER_HASH_SIZE, LEDGER_HASH_SIZE);
    buf_putc(out, '\n');
  }
  buf_putc(out, '\n');
  buf_append(out, note, note_len);
}

int
ledger_witness_parse_size(const char *body, size_t len, uint64_t *size)
{
  *size = 0;
  if (len < 2 || body[len - 1] != '\n')
    return ERR_INVALID;
  return parse_u64(body, len - 1, size);
}

void
ledger_origin_hash(const char *origin, char out[65])
{
  static const char hex[] = "0123456789abcdef";
  struct ledger__part part = {origin, strlen(origin)};
  uint8_t h[LEDGER_HASH_SIZE];

  ledger__sha256(&part, 1, h);
  for (size_t i = 0; i < LEDGER_HASH_SIZE; i++) {
    out[2 * i] = hex[h[i] >> 4];
    out[2 * i + 1] = hex[h[i] & 15];
  }
  out[64] = '\0';
}
