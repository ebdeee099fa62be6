/*
 * Base64, RFC 4648 section 4, with padding: hashes in proofs and reports,
 * keys and signatures in signed notes. Decoding accepts only the canonical
 * form (length a multiple of 4, '=' only as final padding, unused bits
 * zero), so that an encoding is the only one of its bytes and re-emitting a
 * signature line reproduces it exactly.
 */
#include "util.h"

#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
util_base64_encode(struct buf *out, const void *data, size_t n)
{
  const uint8_t *p = data;

  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    size_t left = n - i;
    char q[4];

    if (left > 1)
      v |= (uint32_t)p[i + 1] << 8;
    if (left > 2)
      v |= p[i + 2];
    q[0] = alphabet[v >> 18 & 63];
    q[1] = alphabet[v >> 12 & 63];
    q[2] = left > 1 ? alphabet[v >> 6 & 63] : '=';
    q[3] = left > 2 ? alphabet[v & 63] : '=';
    buf_append(out, q, 4);
  }
}

static int
value_of(unsigned char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

int
util_base64_decode(const char *s, size_t len, struct buf *out)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t start = out->len, pad = 0;

  if (len % 4 != 0)
    return ERR_INVALID;
  if (len > 0 && p[len - 1] == '=')
    pad = len > 1 && p[len - 2] == '=' ? 2 : 1;
  for (size_t i = 0; i < len; i += 4) {
    int v[4];
    int quads = (i + 4 == len) ? 4 - (int)pad : 4;
    char d[3];

    for (int j = 0; j < 4; j++) {
      v[j] = j < quads ? value_of(p[i + j]) : 0;
      if (v[j] < 0)
        goto bad;
    }
    if ((quads == 2 && (v[1] & 15) != 0) || (quads == 3 && (v[2] & 3) != 0))
      goto bad;
    d[0] = (char)(v[0] << 2 | v[1] >> 4);
    d[1] = (char)((v[1] & 15) << 4 | v[2] >> 2);
    d[2] = (char)((v[2] & 3) << 6 | v[3]);
    buf_append(out, d, (size_t)(quads - 1));
  }
  return OK;
bad:
  if (out->data) {
    explicit_bzero(out->data + start, out->len - start);
    out->len = start;
    out->data[start] = '\0';
  }
  return ERR_INVALID;
}

int
util_base64_decode_exact(const char *s, size_t len, uint8_t *out, size_t want)
{
  struct buf b;
  int r;

  buf_init(&b);
  buf_reserve(&b, len); /* no copy left behind by a reallocation */
  r = util_base64_decode(s, len, &b);
  if (r == OK && b.len != want)
    r = ERR_INVALID;
  if (r == OK)
    memcpy(out, b.data, want);
  if (b.data)
    explicit_bzero(b.data, b.len); /* it may hold a private key */
  buf_cleanup(&b);
  return r;
}
