/*
 * Signed notes (c2sp.org/signed-note), checkpoints (c2sp.org/tlog-checkpoint)
 * and Ed25519 cosignatures (c2sp.org/tlog-cosignature), with keys in the
 * text encodings of golang.org/x/mod/sumdb/note.
 *
 * Everything read here may come from anyone, so parsing is strict and
 * capped: a note is at most LEDGER_NOTE_MAX bytes, base64 must be canonical
 * (standard alphabet, padded, zero pad bits), UTF-8 must be well formed.
 */
#include "ledger/ledger.h"
#include "ledger/ledger_int.h"
#include "util/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* The signature line prefix: em dash U+2014 in UTF-8, then a space. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4

static const char private_prefix[] = "PRIVATE+KEY+";
#define PRIVATE_PREFIX_LEN 12

/* The 8-byte timestamp of a cosignature must fit in a signed 64-bit int. */
#define COSIG_TIME_MAX ((uint64_t)INT64_MAX)
#define COSIG_LEN (8 + LEDGER_SIG_SIZE)

struct ledger_signer {
  char *name;
  uint8_t seed[LEDGER_SEED_SIZE];
  uint8_t pub[LEDGER_PUBKEY_SIZE];
  EVP_PKEY *pkey;
};

struct ledger_verifier {
  char *name;
  enum ledger_key_type type;
  uint8_t pub[LEDGER_PUBKEY_SIZE];
  uint32_t key_hash;
};

/* A signature line: the public view and the storage it points into. */
struct note_sig {
  struct ledger_note_sig pub;
  char *name;
  uint8_t *sig;
};

struct ledger_note {
  char *text;
  size_t text_len;
  struct note_sig *sigs;
  size_t nsigs;
};

static void errf(struct buf *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends a message to err, which callers may leave NULL. */
static void
errf(struct buf *err, const char *fmt, ...)
{
  va_list ap;

  if (err == NULL)
    return;
  va_start(ap, fmt);
  buf_vprintf(err, fmt, ap);
  va_end(ap);
}

static void
put_be32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static void
put_be64(uint8_t *p, uint64_t v)
{
  for (int i = 7; i >= 0; i--) {
    p[i] = (uint8_t)v;
    v >>= 8;
  }
}

static uint64_t
get_be64(const uint8_t *p)
{
  uint64_t v = 0;

  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/*
 * UTF-8. Decodes the sequence at s (n > 0 bytes available) into *cp and
 * returns its length, or 0 when it is not well formed: truncated, a stray
 * continuation byte, an overlong form, a surrogate or beyond U+10FFFF (the
 * same sequences Go's utf8.DecodeRune rejects, so we accept what Go's
 * note.Open accepts).
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  uint32_t c = s[0];
  size_t len;

  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c < 0xc2 || c > 0xf4)
    return 0;
  len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  if (n < len)
    return 0;
  c &= len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = c << 6 | (s[i] & 0x3f);
  }
  if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
      (len == 4 && (c < 0x10000 || c > 0x10ffff)))
    return 0;
  *cp = c;
  return len;
}

/* Unicode White_Space, as Go's unicode.IsSpace sees it. */
static int
is_unicode_space(uint32_t c)
{
  switch (c) {
  case '\t':
  case '\n':
  case '\v':
  case '\f':
  case '\r':
  case ' ':
  case 0x85:
  case 0xa0:
  case 0x1680:
  case 0x2028:
  case 0x2029:
  case 0x202f:
  case 0x205f:
  case 0x3000:
    return 1;
  }
  return c >= 0x2000 && c <= 0x200a;
}

/*
 * Checks that len bytes at s are note text: well-formed UTF-8 without
 * control characters other than newline. On failure says where in err.
 */
static int
check_text(const char *s, size_t len, const char *what, struct buf *err)
{
  const unsigned char *p = (const unsigned char *)s;
  unsigned long line = 1;
  size_t i = 0;

  while (i < len) {
    uint32_t c;
    size_t n = utf8_decode(p + i, len - i, &c);

    if (n == 0) {
      errf(err, _("%s, line %lu: invalid UTF-8 (byte 0x%02x)"), what, line,
           p[i]);
      return ERR_INVALID;
    }
    if (c == '\n') {
      line++;
    } else if (c < 0x20) {
      errf(err, _("%s, line %lu: control character 0x%02x"), what, line,
           (unsigned)c);
      return ERR_INVALID;
    }
    i += n;
  }
  return OK;
}

int
ledger_key_name_valid(const char *name, size_t len)
{
  const unsigned char *p = (const unsigned char *)name;
  size_t i = 0;

  if (len == 0)
    return 0;
  while (i < len) {
    uint32_t c;
    size_t n = utf8_decode(p + i, len - i, &c);

    /* Control characters are not spaces to Go, but no note may hold
     * them, so a name with one could never sign anything. */
    if (n == 0 || c < 0x20 || c == '+' || is_unicode_space(c))
      return 0;
    i += n;
  }
  return 1;
}

/* Parses exactly 8 hex digits, either case (Go's ParseUint base 16). */
static int
parse_hex32(const char *s, size_t len, uint32_t *out)
{
  uint32_t v = 0;

  if (len != 8)
    return ERR_INVALID;
  for (size_t i = 0; i < 8; i++) {
    char c = s[i];
    int d;

    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return ERR_INVALID;
    v = v << 4 | (uint32_t)d;
  }
  *out = v;
  return OK;
}

uint32_t
ledger_key_hash(const char *name, enum ledger_key_type type,
                const uint8_t pub[LEDGER_PUBKEY_SIZE])
{
  uint8_t t = (uint8_t)type, h[LEDGER_HASH_SIZE];
  struct ledger__part parts[4] = {
      {name, strlen(name)}, {"\n", 1}, {&t, 1}, {pub, LEDGER_PUBKEY_SIZE}};

  ledger__sha256(parts, 4, h);
  return get_be32(h);
}

int
ledger__sign(const struct ledger_signer *s, const void *msg, size_t len,
             uint8_t sig[LEDGER_SIG_SIZE])
{
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  size_t n = LEDGER_SIG_SIZE;
  int r = ERR_CRYPTO;

  /* Ed25519 takes the message whole: no digest is named. */
  if (c == NULL ||
      EVP_DigestSignInit_ex(c, NULL, NULL, NULL, NULL, s->pkey, NULL) != 1)
    goto out;
  if (EVP_DigestSign(c, sig, &n, len > 0 ? msg : (const void *)"", len) != 1 ||
      n != LEDGER_SIG_SIZE)
    goto out;
  r = OK;
out:
  EVP_MD_CTX_free(c);
  return r;
}

int
ledger__verify(const uint8_t pub[LEDGER_PUBKEY_SIZE], const void *msg,
               size_t len, const uint8_t *sig, size_t sig_len)
{
  EVP_PKEY *k = NULL;
  EVP_MD_CTX *c = NULL;
  int r = ERR_VERIFY;

  if (sig_len != LEDGER_SIG_SIZE)
    goto out;
  k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
                                  LEDGER_PUBKEY_SIZE);
  c = EVP_MD_CTX_new();
  if (k == NULL || c == NULL ||
      EVP_DigestVerifyInit_ex(c, NULL, NULL, NULL, NULL, k, NULL) != 1)
    goto out;
  if (EVP_DigestVerify(c, sig, sig_len, len > 0 ? msg : (const void *)"",
                       len) == 1)
    r = OK;
out:
  EVP_MD_CTX_free(c);
  EVP_PKEY_free(k);
  return r;
}

/* Signers. */

int
ledger_signer_from_seed(const char *name, const uint8_t seed[LEDGER_SEED_SIZE],
                        struct ledger_signer **out, struct buf *err)
{
  struct ledger_signer *s = NULL;
  size_t publen = LEDGER_PUBKEY_SIZE;
  int r;

  *out = NULL;
  if (!ledger_key_name_valid(name, strlen(name))) {
    errf(err, _("invalid key name: it must be non-empty UTF-8 without spaces, "
                "control characters or '+'"));
    r = ERR_INVALID;
    goto out;
  }
  s = xcalloc(1, sizeof *s);
  s->name = xstrdup(name);
  memcpy(s->seed, seed, LEDGER_SEED_SIZE);
  s->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
                                         LEDGER_SEED_SIZE);
  if (s->pkey == NULL ||
      EVP_PKEY_get_raw_public_key(s->pkey, s->pub, &publen) != 1 ||
      publen != LEDGER_PUBKEY_SIZE) {
    errf(err, _("cannot make an Ed25519 key"));
    r = ERR_CRYPTO;
    goto out;
  }
  *out = s;
  s = NULL;
  r = OK;
out:
  ledger_signer_free(s);
  return r;
}

int
ledger_signer_generate(const char *name, struct ledger_signer **out,
                       struct buf *err)
{
  uint8_t seed[LEDGER_SEED_SIZE];
  int r;

  *out = NULL;
  if (RAND_priv_bytes(seed, sizeof seed) != 1) {
    errf(err, _("cannot get random numbers for a new key"));
    return ERR_CRYPTO;
  }
  r = ledger_signer_from_seed(name, seed, out, err);
  OPENSSL_cleanse(seed, sizeof seed);
  return r;
}

void
ledger_signer_free(struct ledger_signer *s)
{
  if (s == NULL)
    return;
  OPENSSL_cleanse(s->seed, sizeof s->seed);
  EVP_PKEY_free(s->pkey);
  free(s->name);
  free(s);
}

const char *
ledger_signer_name(const struct ledger_signer *s)
{
  return s->name;
}

void
ledger_signer_public_key(const struct ledger_signer *s,
                         uint8_t out[LEDGER_PUBKEY_SIZE])
{
  memcpy(out, s->pub, LEDGER_PUBKEY_SIZE);
}

uint32_t
ledger_signer_key_hash(const struct ledger_signer *s, enum ledger_key_type type)
{
  return ledger_key_hash(s->name, type, s->pub);
}

/* "<name>+<8 hex>+<base64(type || key)>", the shape of both key texts. */
static char *
format_key(const char *prefix, const char *name, uint32_t key_hash,
           uint8_t type, const uint8_t key[32])
{
  uint8_t raw[33];
  struct buf b;

  buf_init(&b);
  raw[0] = type;
  memcpy(raw + 1, key, 32);
  buf_printf(&b, "%s%s+%08" PRIx32 "+", prefix, name, key_hash);
  util_base64_encode(&b, raw, sizeof raw);
  OPENSSL_cleanse(raw, sizeof raw);
  return buf_take(&b);
}

char *
ledger_signer_format(const struct ledger_signer *s)
{
  return format_key(private_prefix, s->name,
                    ledger_signer_key_hash(s, LEDGER_KEY_ED25519),
                    LEDGER_KEY_ED25519, s->seed);
}

char *
ledger_signer_verifier_key(const struct ledger_signer *s,
                           enum ledger_key_type type)
{
  return format_key("", s->name, ledger_signer_key_hash(s, type), (uint8_t)type,
                    s->pub);
}

/*
 * Splits "<name>+<hash>+<key>" (the part after "PRIVATE+KEY+" for private
 * keys) like Go's note package: the name ends at the first '+', the hash
 * at the next; the key is the rest, '+' being a base64 character.
 */
struct key_text {
  const char *name, *hash, *key;
  size_t name_len, hash_len, key_len;
};

static int
split_key(const char *s, size_t len, struct key_text *k)
{
  const char *end = s + len, *p1, *p2;

  p1 = memchr(s, '+', len);
  if (p1 == NULL)
    return ERR_INVALID;
  p2 = memchr(p1 + 1, '+', (size_t)(end - p1 - 1));
  if (p2 == NULL)
    return ERR_INVALID;
  k->name = s;
  k->name_len = (size_t)(p1 - s);
  k->hash = p1 + 1;
  k->hash_len = (size_t)(p2 - p1 - 1);
  k->key = p2 + 1;
  k->key_len = (size_t)(end - p2 - 1);
  return OK;
}

int
ledger_signer_parse(const char *text, size_t len, struct ledger_signer **out,
                    struct buf *err)
{
  struct ledger_signer *s = NULL;
  struct key_text k;
  uint8_t raw[33];
  uint32_t want;
  char *name = NULL;
  int r = ERR_INVALID;

  *out = NULL;
  if (len < PRIVATE_PREFIX_LEN ||
      memcmp(text, private_prefix, PRIVATE_PREFIX_LEN) != 0 ||
      split_key(text + PRIVATE_PREFIX_LEN, len - PRIVATE_PREFIX_LEN, &k) !=
          OK) {
    errf(err, _("not a private key: expected "
                "PRIVATE+KEY+<name>+<key hash>+<key>"));
    goto out;
  }
  if (!ledger_key_name_valid(k.name, k.name_len)) {
    errf(err, _("private key: invalid key name"));
    goto out;
  }
  if (parse_hex32(k.hash, k.hash_len, &want) != OK) {
    errf(err, _("private key: the key hash is not 8 hex digits"));
    goto out;
  }
  if (util_base64_decode_exact(k.key, k.key_len, raw, sizeof raw) != OK) {
    errf(err, _("private key: the key is not base64 of 33 bytes"));
    goto out;
  }
  if (raw[0] != LEDGER_KEY_ED25519) {
    errf(err,
         _("private key: unsupported key type 0x%02x (want 0x01, "
           "Ed25519)"),
         raw[0]);
    goto out;
  }
  name = xstrndup(k.name, k.name_len);
  r = ledger_signer_from_seed(name, raw + 1, &s, err);
  if (r != OK)
    goto out;
  /* The hash names the public key, which only the seed gives. */
  if (ledger_signer_key_hash(s, LEDGER_KEY_ED25519) != want) {
    errf(err, _("private key: the key hash does not match the key"));
    r = ERR_INVALID;
    goto out;
  }
  *out = s;
  s = NULL;
out:
  OPENSSL_cleanse(raw, sizeof raw);
  ledger_signer_free(s);
  free(name);
  return r;
}

int
ledger_signer_save(const struct ledger_signer *s, const char *path,
                   struct buf *err)
{
  char *text = ledger_signer_format(s);
  size_t len = strlen(text);
  struct buf why;
  int r;

  /* The text and its newline, written to a private temporary file that
   * takes the name only if none exists: a key is never replaced, never
   * half written, and no planted link is followed. */
  text = xrealloc(text, len + 2);
  text[len++] = '\n';
  text[len] = '\0';
  buf_init(&why);
  r = util_file_write(path, text, len, UTIL_FILE_PRIVATE | UTIL_FILE_NOREPLACE,
                      &why);
  if (r == ERR_EXISTS)
    errf(err, _("%s: already exists; refusing to overwrite a key"), path);
  else if (r != OK)
    errf(err, "%s", why.data ? why.data : _("cannot write the key"));
  OPENSSL_cleanse(text, len);
  free(text);
  buf_cleanup(&why);
  return r == OK ? OK : r == ERR_EXISTS ? ERR_EXISTS : ERR_IO;
}

int
ledger_signer_load(const char *path, struct ledger_signer **out,
                   struct buf *err)
{
  char data[LEDGER_KEY_FILE_MAX + 1];
  struct buf msg;
  struct stat sb;
  size_t len = 0;
  int fd, r = ERR_IO;

  *out = NULL;
  buf_init(&msg);
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r = errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
    errf(err, _("%s: cannot open: %s"), path, strerror(errno));
    goto out;
  }
  /* As ssh does: a secret that others can read may have been read, and
   * a signature made with it proves nothing. */
  if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0) {
    errf(err,
         _("%s: permissions %04o are too open: a signing key must be "
           "readable by its owner only (run: chmod 600 %s)"),
         path, (unsigned)(sb.st_mode & 07777), path);
    r = ERR_INVALID;
    goto out;
  }
  while (len < sizeof data) {
    ssize_t n = read(fd, data + len, sizeof data - len);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      errf(err, _("%s: cannot read: %s"), path, strerror(errno));
      goto out;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  if (len > LEDGER_KEY_FILE_MAX) {
    errf(err, _("%s: too large for a key file"), path);
    r = ERR_INVALID;
    goto out;
  }
  if (len > 0 && data[len - 1] == '\n')
    len--;
  r = ledger_signer_parse(data, len, out, &msg);
  if (r != OK)
    errf(err, "%s: %s", path, msg.data != NULL ? msg.data : _("invalid key"));
out:
  if (fd >= 0)
    close(fd);
  OPENSSL_cleanse(data, sizeof data);
  buf_cleanup(&msg);
  return r;
}

/* Verifiers. */

int
ledger_verifier_new(const char *name, enum ledger_key_type type,
                    const uint8_t pub[LEDGER_PUBKEY_SIZE],
                    struct ledger_verifier **out, struct buf *err)
{
  struct ledger_verifier *v;

  *out = NULL;
  if (!ledger_key_name_valid(name, strlen(name))) {
    errf(err, _("invalid key name: it must be non-empty UTF-8 without spaces, "
                "control characters or '+'"));
    return ERR_INVALID;
  }
  if (type != LEDGER_KEY_ED25519 && type != LEDGER_KEY_COSIGNATURE) {
    errf(err, _("unsupported key type 0x%02x"), (unsigned)type);
    return ERR_INVALID;
  }
  v = xcalloc(1, sizeof *v);
  v->name = xstrdup(name);
  v->type = type;
  memcpy(v->pub, pub, LEDGER_PUBKEY_SIZE);
  v->key_hash = ledger_key_hash(name, type, pub);
  *out = v;
  return OK;
}

int
ledger_verifier_parse(const char *text, size_t len,
                      struct ledger_verifier **out, struct buf *err)
{
  struct ledger_verifier *v = NULL;
  struct key_text k;
  uint8_t raw[33];
  uint32_t want;
  char *name = NULL;
  int r = ERR_INVALID;

  *out = NULL;
  if (split_key(text, len, &k) != OK) {
    errf(err, _("not a verifier key: expected <name>+<key hash>+<key>"));
    goto out;
  }
  if (!ledger_key_name_valid(k.name, k.name_len)) {
    errf(err, _("verifier key: invalid key name"));
    goto out;
  }
  if (parse_hex32(k.hash, k.hash_len, &want) != OK) {
    errf(err, _("verifier key: the key hash is not 8 hex digits"));
    goto out;
  }
  if (util_base64_decode_exact(k.key, k.key_len, raw, sizeof raw) != OK) {
    errf(err, _("verifier key: the key is not base64 of 33 bytes"));
    goto out;
  }
  if (raw[0] != LEDGER_KEY_ED25519 && raw[0] != LEDGER_KEY_COSIGNATURE) {
    errf(err,
         _("verifier key: unsupported key type 0x%02x (want 0x01 or "
           "0x04)"),
         raw[0]);
    goto out;
  }
  name = xstrndup(k.name, k.name_len);
  r = ledger_verifier_new(name, (enum ledger_key_type)raw[0], raw + 1, &v, err);
  if (r != OK)
    goto out;
  if (v->key_hash != want) {
    errf(err, _("verifier key: the key hash does not match the key"));
    r = ERR_INVALID;
    goto out;
  }
  *out = v;
  v = NULL;
out:
  ledger_verifier_free(v);
  free(name);
  return r;
}

void
ledger_verifier_free(struct ledger_verifier *v)
{
  if (v == NULL)
    return;
  free(v->name);
  free(v);
}

char *
ledger_verifier_format(const struct ledger_verifier *v)
{
  return format_key("", v->name, v->key_hash, (uint8_t)v->type, v->pub);
}

const char *
ledger_verifier_name(const struct ledger_verifier *v)
{
  return v->name;
}

enum ledger_key_type
ledger_verifier_type(const struct ledger_verifier *v)
{
  return v->type;
}

uint32_t
ledger_verifier_key_hash(const struct ledger_verifier *v)
{
  return v->key_hash;
}

/* Notes. */

/* Appends "— <name> <base64(key hash || sig)>\n". */
static void
put_sig_line(struct buf *b, const char *name, uint32_t key_hash,
             const uint8_t *sig, size_t sig_len)
{
  uint8_t *raw = xmalloc(4 + sig_len);

  put_be32(raw, key_hash);
  memcpy(raw + 4, sig, sig_len);
  buf_append(b, sig_prefix, SIG_PREFIX_LEN);
  buf_printf(b, "%s ", name);
  util_base64_encode(b, raw, 4 + sig_len);
  buf_putc(b, '\n');
  free(raw);
}

/* Note text: non-empty, ending in a newline, within the caps. */
static int
check_note_text(const char *text, size_t len, struct buf *err)
{
  if (len == 0 || text[len - 1] != '\n') {
    errf(err, _("note text must end in a newline"));
    return ERR_INVALID;
  }
  if (len > LEDGER_NOTE_MAX / 2) {
    errf(err, _("note text is too large"));
    return ERR_INVALID;
  }
  return check_text(text, len, _("note text"), err);
}

int
ledger_sign_note(const char *text, size_t len, const struct ledger_signer *s,
                 char **out, struct buf *err)
{
  uint8_t sig[LEDGER_SIG_SIZE];
  struct buf b;
  int r;

  *out = NULL;
  buf_init(&b);
  r = check_note_text(text, len, err);
  if (r != OK)
    goto out;
  r = ledger__sign(s, text, len, sig);
  if (r != OK) {
    errf(err, _("cannot sign the note"));
    goto out;
  }
  buf_append(&b, text, len);
  buf_putc(&b, '\n');
  put_sig_line(&b, s->name, ledger_signer_key_hash(s, LEDGER_KEY_ED25519), sig,
               sizeof sig);
  *out = buf_take(&b);
out:
  buf_cleanup(&b);
  return r;
}

int
ledger_checkpoint_format(const char *origin, uint64_t size,
                         const uint8_t root[LEDGER_HASH_SIZE],
                         const struct ledger_signer *s, char **out,
                         struct buf *err)
{
  size_t olen = strlen(origin);
  struct buf b;
  int r;

  *out = NULL;
  buf_init(&b);
  if (olen == 0 || memchr(origin, '\n', olen) != NULL) {
    errf(err, _("checkpoint origin must be one non-empty line"));
    r = ERR_INVALID;
    goto out;
  }
  r = check_text(origin, olen, _("checkpoint origin"), err);
  if (r != OK)
    goto out;
  buf_printf(&b, "%s\n%" PRIu64 "\n", origin, size);
  util_base64_encode(&b, root, LEDGER_HASH_SIZE);
  buf_putc(&b, '\n');
  r = ledger_sign_note(b.data, b.len, s, out, err);
out:
  buf_cleanup(&b);
  return r;
}

void
ledger_note_free(struct ledger_note *n)
{
  if (n == NULL)
    return;
  for (size_t i = 0; i < n->nsigs; i++) {
    free(n->sigs[i].name);
    free(n->sigs[i].sig);
  }
  free(n->sigs);
  free(n->text);
  free(n);
}

/* Parses one signature line (without its newline) into *sig. */
static int
parse_sig_line(const char *line, size_t len, unsigned long lineno,
               struct note_sig *sig, struct buf *err)
{
  const char *name, *sp, *b64;
  size_t name_len;
  struct buf raw;
  const uint8_t *r;
  size_t raw_len;

  if (len < SIG_PREFIX_LEN || memcmp(line, sig_prefix, SIG_PREFIX_LEN) != 0) {
    errf(err,
         _("note, line %lu: a signature line must start with an em dash "
           "(U+2014) and a space"),
         lineno);
    return ERR_INVALID;
  }
  name = line + SIG_PREFIX_LEN;
  sp = memchr(name, ' ', len - SIG_PREFIX_LEN);
  if (sp == NULL) {
    errf(err, _("note, line %lu: no space between key name and signature"),
         lineno);
    return ERR_INVALID;
  }
  name_len = (size_t)(sp - name);
  if (!ledger_key_name_valid(name, name_len)) {
    errf(err, _("note, line %lu: invalid key name"), lineno);
    return ERR_INVALID;
  }
  b64 = sp + 1;
  buf_init(&raw);
  if (util_base64_decode(b64, (size_t)(line + len - b64), &raw) != OK) {
    errf(err, _("note, line %lu: the signature is not base64"), lineno);
    buf_cleanup(&raw);
    return ERR_INVALID;
  }
  raw_len = raw.len;
  r = (const uint8_t *)raw.data;
  if (raw_len < 5) {
    errf(err, _("note, line %lu: the signature is shorter than 5 bytes"),
         lineno);
    buf_cleanup(&raw);
    return ERR_INVALID;
  }
  sig->name = xstrndup(name, name_len);
  sig->sig = xmalloc(raw_len - 4);
  memcpy(sig->sig, r + 4, raw_len - 4);
  sig->pub.name = sig->name;
  sig->pub.key_hash = get_be32(r);
  sig->pub.sig = sig->sig;
  sig->pub.sig_len = raw_len - 4;
  buf_cleanup(&raw);
  return OK;
}

/* The start of the last "\n\n" in s, or NULL. */
static const char *
last_blank(const char *s, size_t len)
{
  for (size_t i = len; i >= 2; i--) {
    if (s[i - 1] == '\n' && s[i - 2] == '\n')
      return s + i - 2;
  }
  return NULL;
}

int
ledger_note_parse(const char *msg, size_t len, struct ledger_note **out,
                  struct buf *err)
{
  struct ledger_note *n = NULL;
  const char *split, *p, *end = msg + len;
  unsigned long lineno = 1;
  int r = ERR_INVALID;

  *out = NULL;
  if (len > LEDGER_NOTE_MAX) {
    errf(err, _("note is larger than %u bytes"), LEDGER_NOTE_MAX);
    goto out;
  }
  r = check_text(msg, len, C_("signed note", "note"), err);
  if (r != OK)
    goto out;
  r = ERR_INVALID;
  /* The text ends at the last blank line: it may hold blank lines itself,
   * signature lines never are blank. */
  split = last_blank(msg, len);
  if (split == NULL) {
    errf(err, _("note has no blank line before its signatures"));
    goto out;
  }
  p = split + 2;
  if (p == end) {
    errf(err, _("note has no signature lines after the blank line"));
    goto out;
  }
  if (end[-1] != '\n') {
    errf(err, _("note does not end in a newline"));
    goto out;
  }
  n = xcalloc(1, sizeof *n);
  n->text_len = (size_t)(split + 1 - msg);
  n->text = xstrndup(msg, n->text_len);
  for (const char *q = msg; q <= split; q++)
    lineno += *q == '\n';
  for (; p < end; lineno++) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    if (n->nsigs == LEDGER_NOTE_MAX_SIGS) {
      errf(err, _("note has more than %d signatures"), LEDGER_NOTE_MAX_SIGS);
      r = ERR_INVALID;
      goto out;
    }
    n->sigs = xrealloc(n->sigs, (n->nsigs + 1) * sizeof *n->sigs);
    r = parse_sig_line(p, (size_t)(nl - p), lineno, &n->sigs[n->nsigs], err);
    if (r != OK)
      goto out;
    n->nsigs++;
    p = nl + 1;
  }
  *out = n;
  n = NULL;
  r = OK;
out:
  ledger_note_free(n);
  return r;
}

const char *
ledger_note_text(const struct ledger_note *n, size_t *len)
{
  if (len != NULL)
    *len = n->text_len;
  return n->text;
}

size_t
ledger_note_nsigs(const struct ledger_note *n)
{
  return n->nsigs;
}

const struct ledger_note_sig *
ledger_note_sig(const struct ledger_note *n, size_t i)
{
  return i < n->nsigs ? &n->sigs[i].pub : NULL;
}

int
ledger_cosignature_time(const struct ledger_note_sig *sig, uint64_t *out)
{
  uint64_t t;

  *out = 0;
  if (sig->sig_len != COSIG_LEN)
    return ERR_INVALID;
  t = get_be64(sig->sig);
  if (t > COSIG_TIME_MAX)
    return ERR_INVALID;
  *out = t;
  return OK;
}

/* "cosignature/v1\ntime <t>\n" + the checkpoint text: what is signed. */
static void
cosigned_message(struct buf *b, uint64_t t, const char *text, size_t len)
{
  buf_printf(b, "cosignature/v1\ntime %" PRIu64 "\n", t);
  buf_append(b, text, len);
}

/* Checks one cosignature line by v; sets *t to its time. */
static int
verify_cosig(const struct ledger_note *n, const struct ledger_verifier *v,
             const struct ledger_note_sig *sig, uint64_t *t)
{
  struct buf m;
  int r;

  if (ledger_cosignature_time(sig, t) != OK)
    return ERR_VERIFY;
  buf_init(&m);
  cosigned_message(&m, *t, n->text, n->text_len);
  r = ledger__verify(v->pub, m.data, m.len, sig->sig + 8, LEDGER_SIG_SIZE);
  buf_cleanup(&m);
  return r;
}

int
ledger_note_verify(const struct ledger_note *n, const struct ledger_verifier *v,
                   uint64_t *timestamp, struct buf *err)
{
  struct ledger_checkpoint cp;
  uint64_t latest = 0, t = 0;
  size_t found = 0;
  int r;

  if (timestamp != NULL)
    *timestamp = 0;
  for (size_t i = 0; i < n->nsigs; i++) {
    const struct ledger_note_sig *sig = &n->sigs[i].pub;

    if (sig->key_hash != v->key_hash || strcmp(sig->name, v->name) != 0)
      continue;
    if (v->type == LEDGER_KEY_COSIGNATURE && found == 0) {
      /* tlog-cosignature signs checkpoints only. */
      r = ledger_checkpoint_parse(n->text, n->text_len, &cp, err);
      ledger_checkpoint_cleanup(&cp);
      if (r != OK)
        return r;
    }
    found++;
    if (v->type == LEDGER_KEY_COSIGNATURE)
      r = verify_cosig(n, v, sig, &t);
    else
      r = ledger__verify(v->pub, n->text, n->text_len, sig->sig, sig->sig_len);
    if (r != OK) {
      errf(err, _("invalid signature by %s+%08" PRIx32), v->name, v->key_hash);
      return ERR_VERIFY;
    }
    if (t > latest)
      latest = t;
  }
  if (found == 0) {
    errf(err, _("no signature by %s+%08" PRIx32), v->name, v->key_hash);
    return ERR_NOTFOUND;
  }
  if (timestamp != NULL)
    *timestamp = latest;
  return OK;
}

int
ledger_cosign_note(const char *msg, size_t len, const struct ledger_signer *s,
                   uint64_t timestamp, char **out, struct buf *err)
{
  struct ledger_note *n = NULL;
  struct ledger_checkpoint cp;
  uint8_t sig[COSIG_LEN];
  uint32_t key_hash = ledger_signer_key_hash(s, LEDGER_KEY_COSIGNATURE);
  struct buf m, b;
  size_t kept = 0;
  int r;

  *out = NULL;
  buf_init(&m);
  buf_init(&b);
  memset(&cp, 0, sizeof cp);
  if (timestamp > COSIG_TIME_MAX) {
    errf(err, _("cosignature time is beyond 2^63 - 1"));
    r = ERR_INVALID;
    goto out;
  }
  r = ledger_note_parse(msg, len, &n, err);
  if (r != OK)
    goto out;
  r = ledger_checkpoint_parse(n->text, n->text_len, &cp, err);
  if (r != OK)
    goto out;
  cosigned_message(&m, timestamp, n->text, n->text_len);
  put_be64(sig, timestamp);
  r = ledger__sign(s, m.data, m.len, sig + 8);
  if (r != OK) {
    errf(err, _("cannot sign the cosignature"));
    goto out;
  }
  /* Other signatures stay in their order; an older cosignature by this
   * key gives way to the new one, which goes last (as Go's note.Sign). */
  buf_append(&b, n->text, n->text_len);
  buf_putc(&b, '\n');
  for (size_t i = 0; i < n->nsigs; i++) {
    const struct ledger_note_sig *o = &n->sigs[i].pub;

    if (o->key_hash == key_hash && strcmp(o->name, s->name) == 0)
      continue;
    put_sig_line(&b, o->name, o->key_hash, o->sig, o->sig_len);
    kept++;
  }
  put_sig_line(&b, s->name, key_hash, sig, sizeof sig);
  /* Never hand out a note that we would refuse to read back. */
  if (b.len > LEDGER_NOTE_MAX || kept + 1 > LEDGER_NOTE_MAX_SIGS) {
    errf(err, _("the cosigned note would exceed %u bytes or %d signatures"),
         LEDGER_NOTE_MAX, LEDGER_NOTE_MAX_SIGS);
    r = ERR_INVALID;
    goto out;
  }
  *out = buf_take(&b);
out:
  ledger_checkpoint_cleanup(&cp);
  ledger_note_free(n);
  buf_cleanup(&m);
  buf_cleanup(&b);
  return r;
}

/* Checkpoints. */

/* The next line of [*p, end) without its newline; NULL when none is left
 * or the last one lacks a newline. */
static const char *
next_line(const char **p, const char *end, size_t *len)
{
  const char *start = *p, *nl;

  if (start >= end)
    return NULL;
  nl = memchr(start, '\n', (size_t)(end - start));
  if (nl == NULL)
    return NULL;
  *len = (size_t)(nl - start);
  *p = nl + 1;
  return start;
}

/* Decimal without sign or leading zeros ("0" alone), fitting uint64_t. */
static int
parse_size(const char *s, size_t len, uint64_t *out)
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
ledger_checkpoint_parse(const char *text, size_t len,
                        struct ledger_checkpoint *out, struct buf *err)
{
  const char *p = text, *end = text + len, *line;
  struct ledger_checkpoint c;
  size_t n;
  int r;

  memset(out, 0, sizeof *out);
  memset(&c, 0, sizeof c);
  r = check_text(text, len, C_("signed tree head", "checkpoint"), err);
  if (r != OK)
    return r;
  r = ERR_INVALID;
  if (len == 0 || text[len - 1] != '\n') {
    errf(err, _("checkpoint does not end in a newline"));
    goto out;
  }
  line = next_line(&p, end, &n);
  if (line == NULL || n == 0) {
    errf(err, _("checkpoint, line 1: the origin is empty"));
    goto out;
  }
  c.origin = xstrndup(line, n);
  line = next_line(&p, end, &n);
  if (line == NULL || parse_size(line, n, &c.size) != OK) {
    errf(err, _("checkpoint, line 2: the tree size must be a decimal number "
                "without leading zeros"));
    goto out;
  }
  line = next_line(&p, end, &n);
  if (line == NULL ||
      util_base64_decode_exact(line, n, c.root, LEDGER_HASH_SIZE) != OK) {
    errf(err, _("checkpoint, line 3: the root hash must be base64 of 32 "
                "bytes"));
    goto out;
  }
  while ((line = next_line(&p, end, &n)) != NULL) {
    if (n == 0) {
      errf(err, _("checkpoint, line %zu: extension lines must not be empty"),
           c.nextensions + 4);
      goto out;
    }
    c.nextensions++;
  }
  *out = c;
  memset(&c, 0, sizeof c);
  r = OK;
out:
  ledger_checkpoint_cleanup(&c);
  return r;
}

void
ledger_checkpoint_cleanup(struct ledger_checkpoint *c)
{
  if (c == NULL)
    return;
  free(c->origin);
  memset(c, 0, sizeof *c);
}
