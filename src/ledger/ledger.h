/*
 * ledger: the pure algorithms behind the tamper-evident log, with no storage
 * of their own.
 *
 * - The Merkle tree of RFC 9162 (Certificate Transparency v2) section 2.1:
 *   leaf and node hashes, tree heads of any past size, inclusion and
 *   consistency proofs and their verification. Trees are read through a
 *   struct ledger_source that the store implements; an append-only
 *   struct ledger_frontier extends the tree and tells the store which
 *   interior hashes to keep.
 * - Tree heads published as C2SP signed notes (c2sp.org/signed-note) in the
 *   checkpoint format (c2sp.org/tlog-checkpoint), signed with Ed25519 keys
 *   in the encodings of golang.org/x/mod/sumdb/note, and witness
 *   cosignatures (c2sp.org/tlog-cosignature, Ed25519 "cosignature/v1").
 *
 * docs/internals/ledger.md explains how the tree is stored and proved.
 */
#ifndef PASSAGE_LEDGER_H
#define PASSAGE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

#define LEDGER_HASH_SIZE 32

/*
 * Hashing. SHA-256 through OpenSSL, with one reusable context per thread so
 * that hashing millions of leaves allocates nothing per call. The functions
 * are thread-safe. They cannot fail in a working installation; if OpenSSL
 * cannot compute SHA-256 at all (out of memory, no default provider) they
 * abort with a message, like xmalloc.
 */

/* out = SHA-256(0x00 || data[0..len)), the RFC 9162 leaf hash. */
void ledger_leaf_hash(const void *data, size_t len,
                      uint8_t out[LEDGER_HASH_SIZE]);
/* out = SHA-256(0x01 || left || right), the RFC 9162 interior node hash.
 * out may alias left or right. */
void ledger_node_hash(const uint8_t left[LEDGER_HASH_SIZE],
                      const uint8_t right[LEDGER_HASH_SIZE],
                      uint8_t out[LEDGER_HASH_SIZE]);
/* out = SHA-256 of nothing: the root of the empty tree. */
void ledger_empty_root(uint8_t out[LEDGER_HASH_SIZE]);

/*
 * A stored tree. The store keeps every leaf hash by index 0..size-1 and,
 * for every perfect subtree of 2^level leaves with level >=
 * LEDGER_NODE_LEVEL, its hash: subtree (level, index) covers leaves
 * [index << level, (index + 1) << level). Hashes of smaller subtrees are
 * recomputed from one range read of at most 2^LEDGER_NODE_LEVEL leaf
 * hashes. With level 6 the stored interior hashes add about 1/32 to the
 * leaf hashes, and every root or proof costs O(log n) reads.
 */
#define LEDGER_NODE_LEVEL 6

struct ledger_source {
  void *ctx;
  /*
   * Reads the leaf hashes [start, start + n) into out (n * 32 bytes), with
   * 1 <= n <= 2^LEDGER_NODE_LEVEL. Returns OK or a negative code, which the
   * caller passes on unchanged (ERR_NOTFOUND for leaves not stored).
   */
  int (*leaves)(void *ctx, uint64_t start, uint64_t n, uint8_t *out);
  /*
   * Reads the stored hash of perfect subtree (level, index), level >=
   * LEDGER_NODE_LEVEL, into out. Returns OK or a negative code, passed on
   * unchanged.
   */
  int (*node)(void *ctx, unsigned level, uint64_t index,
              uint8_t out[LEDGER_HASH_SIZE]);
};

/*
 * The root hash of the first size leaves (RFC 9162 2.1.1), for any size up
 * to the stored tree's. size 0 gives the empty root without reading src
 * (which may then be NULL). Returns OK or the source's error; out is zeroed
 * on entry and set on success.
 */
int ledger_root(const struct ledger_source *src, uint64_t size,
                uint8_t out[LEDGER_HASH_SIZE]);

/*
 * The inclusion proof of leaf index in the tree of the first size leaves,
 * PATH(index, D[0:size]) of RFC 9162 2.1.3.1: *out_n hashes of 32 bytes,
 * from the leaf's sibling up to the root's child. On success *out_hashes is
 * a new array the caller frees with free() (a 1-byte allocation when
 * *out_n is 0, for size 1). ERR_INVALID when index >= size; otherwise OK or
 * the source's error. Out-parameters are cleared on entry.
 */
int ledger_prove_inclusion(const struct ledger_source *src, uint64_t index,
                           uint64_t size, uint8_t **out_hashes, size_t *out_n);

/*
 * The consistency proof between the trees of the first old_size and
 * new_size leaves, PROOF(old_size, D[0:new_size]) of RFC 9162 2.1.4.1.
 * When old_size is 0 or equals new_size the proof is empty (the RFC defines
 * proofs only for 0 < old < new; an empty proof is what the verifier below
 * accepts then). ERR_INVALID when old_size > new_size. Ownership as for
 * ledger_prove_inclusion.
 */
int ledger_prove_consistency(const struct ledger_source *src, uint64_t old_size,
                             uint64_t new_size, uint8_t **out_hashes,
                             size_t *out_n);

/*
 * Verifies an inclusion proof (n hashes of 32 bytes at hashes, which may be
 * NULL when n is 0) that leaf_hash is leaf index of the tree of size leaves
 * whose root is root, by RFC 9162 2.1.3.2. Returns OK or ERR_VERIFY (also
 * for index >= size, a proof too long or too short). size and root must
 * come from one signed checkpoint: a proof can fit more than one size, so
 * a size alone does not pin down the tree.
 */
int ledger_verify_inclusion(const uint8_t leaf_hash[LEDGER_HASH_SIZE],
                            uint64_t index, uint64_t size,
                            const uint8_t *hashes, size_t n,
                            const uint8_t root[LEDGER_HASH_SIZE]);

/*
 * Verifies a consistency proof between the tree of old_size leaves with
 * root old_root and the tree of new_size leaves with root new_root, by RFC
 * 9162 2.1.4.2 for 0 < old_size < new_size. The cases the RFC leaves out:
 * old_size == new_size needs an empty proof and equal roots; old_size == 0
 * needs an empty proof and old_root equal to the empty root (any new tree
 * extends the empty one). Returns OK or ERR_VERIFY (also for old_size >
 * new_size).
 */
int ledger_verify_consistency(uint64_t old_size, uint64_t new_size,
                              const uint8_t old_root[LEDGER_HASH_SIZE],
                              const uint8_t new_root[LEDGER_HASH_SIZE],
                              const uint8_t *hashes, size_t n);

/*
 * The frontier: what appending needs to know about a tree, namely the hash
 * of each perfect subtree along its right edge (one per set bit of the
 * size, so at most 64). An append costs O(1) hashes amortised, O(log n) at
 * worst, and no reads.
 */
struct ledger_frontier;

/* A frontier of the empty tree. */
struct ledger_frontier *ledger_frontier_new(void);
void ledger_frontier_free(struct ledger_frontier *f);

/*
 * Resets f to the tree of the first size leaves stored in src, to resume
 * appending: reads one stored node per set bit of size at levels >=
 * LEDGER_NODE_LEVEL and at most one range of leaf hashes. Returns OK or the
 * source's error; on error f is left unchanged.
 */
int ledger_frontier_load(struct ledger_frontier *f,
                         const struct ledger_source *src, uint64_t size);

/*
 * Appends one leaf hash. For each perfect subtree the append completes at
 * level >= LEDGER_NODE_LEVEL, lowest level first, calls emit(ctx, level,
 * index, hash) (emit may be NULL): the store writes these in the same
 * transaction as the entries. Returns OK, the first non-OK code emit
 * returned (the append stops there), or ERR_INVALID when the tree already
 * holds 2^64 - 1 leaves. On error f is unchanged, so the caller can roll
 * back whatever it wrote and try again.
 */
int ledger_frontier_append(struct ledger_frontier *f,
                           const uint8_t leaf_hash[LEDGER_HASH_SIZE],
                           int (*emit)(void *ctx, unsigned level,
                                       uint64_t index,
                                       const uint8_t hash[LEDGER_HASH_SIZE]),
                           void *ctx);

/* The number of leaves. */
uint64_t ledger_frontier_size(const struct ledger_frontier *f);
/* The root hash of the tree (the empty root when it has no leaves). */
void ledger_frontier_root(const struct ledger_frontier *f,
                          uint8_t out[LEDGER_HASH_SIZE]);

/*
 * Keys. One Ed25519 key pair serves both signature types of
 * c2sp.org/signed-note that we use; the type byte only changes the key
 * hash (the 4-byte key ID in signature lines) and the signed message.
 */
enum ledger_key_type {
  LEDGER_KEY_ED25519 = 0x01,     /* plain note signatures: the log's key */
  LEDGER_KEY_COSIGNATURE = 0x04, /* timestamped cosignature/v1: witnesses */
};

#define LEDGER_PUBKEY_SIZE 32
#define LEDGER_SEED_SIZE 32
#define LEDGER_SIG_SIZE 64
/* Hard caps on what we read: a note, a key file. */
#define LEDGER_NOTE_MAX (1u << 20)
#define LEDGER_NOTE_MAX_SIGS 128 /* the spec asks verifiers to take >= 16 */
#define LEDGER_KEY_FILE_MAX 4096

/*
 * The key hash (key ID) of signed-note: the first 4 bytes, big-endian, of
 * SHA-256(name || 0x0A || type || public key).
 */
uint32_t ledger_key_hash(const char *name, enum ledger_key_type type,
                         const uint8_t pub[LEDGER_PUBKEY_SIZE]);

/*
 * 1 when name is a valid key name per signed-note: non-empty UTF-8 with no
 * Unicode white space and no '+'; else 0.
 */
int ledger_key_name_valid(const char *name, size_t len);

/* A private key with its name: signs notes and cosignatures. */
struct ledger_signer;

/*
 * Makes a new key pair from the operating system's random numbers. Returns
 * OK, ERR_INVALID for a bad name or ERR_CRYPTO, with a message in err
 * (which may be NULL). *out is cleared on entry, set on success.
 */
int ledger_signer_generate(const char *name, struct ledger_signer **out,
                           struct buf *err);

/* Makes the key pair of an RFC 8032 private key (the 32-byte seed). */
int ledger_signer_from_seed(const char *name,
                            const uint8_t seed[LEDGER_SEED_SIZE],
                            struct ledger_signer **out, struct buf *err);

/*
 * Parses a private key in the text form of golang.org/x/mod/sumdb/note,
 * "PRIVATE+KEY+<name>+<8 hex key hash>+<base64(0x01 || seed)>", checking
 * that the key hash matches the key. Returns OK or ERR_INVALID with a
 * message in err that never quotes the secret.
 */
int ledger_signer_parse(const char *text, size_t len,
                        struct ledger_signer **out, struct buf *err);

/* The private key text above, NUL-terminated, for the caller to free(). It
 * is secret: the caller should wipe it (OPENSSL_cleanse) before freeing. */
char *ledger_signer_format(const struct ledger_signer *s);

/*
 * Writes the private key text and a newline to a new file at path, mode
 * 0600, atomically (util_file_write: a temporary file, synced, given the
 * name only when no file has it, the folder synced). Refuses to replace
 * any existing file (ERR_EXISTS); ERR_IO when the file cannot be written
 * (nothing is left at path).
 */
int ledger_signer_save(const struct ledger_signer *s, const char *path,
                       struct buf *err);

/*
 * Reads a key file written by ledger_signer_save (one trailing newline is
 * allowed). ERR_NOTFOUND when there is no such file, ERR_IO when it cannot
 * be read, ERR_INVALID when it is not a key or is over LEDGER_KEY_FILE_MAX,
 * or when its group or others may read or write it (as ssh refuses such a
 * key; the message says "chmod 600 PATH").
 */
int ledger_signer_load(const char *path, struct ledger_signer **out,
                       struct buf *err);

/* Wipes and frees the key. */
void ledger_signer_free(struct ledger_signer *s);

/* The key's name, owned by s. */
const char *ledger_signer_name(const struct ledger_signer *s);
/* The 32-byte Ed25519 public key. */
void ledger_signer_public_key(const struct ledger_signer *s,
                              uint8_t out[LEDGER_PUBKEY_SIZE]);
/* The key hash that signatures of the given type carry. */
uint32_t ledger_signer_key_hash(const struct ledger_signer *s,
                                enum ledger_key_type type);
/*
 * The verifier key text "<name>+<8 hex key hash>+<base64(type || public
 * key)>" to give to those who check our signatures (type
 * LEDGER_KEY_ED25519) or cosignatures (LEDGER_KEY_COSIGNATURE). A new
 * NUL-terminated string the caller frees.
 */
char *ledger_signer_verifier_key(const struct ledger_signer *s,
                                 enum ledger_key_type type);

/* A public key with its name and type: checks signature lines. */
struct ledger_verifier;

/*
 * Parses a verifier key text (see ledger_signer_verifier_key) of type
 * 0x01 or 0x04, checking its key hash. The hash's hex digits may be in
 * either case. Returns OK or ERR_INVALID with a message in err.
 */
int ledger_verifier_parse(const char *text, size_t len,
                          struct ledger_verifier **out, struct buf *err);

/* A verifier from its parts; ERR_INVALID for a bad name. */
int ledger_verifier_new(const char *name, enum ledger_key_type type,
                        const uint8_t pub[LEDGER_PUBKEY_SIZE],
                        struct ledger_verifier **out, struct buf *err);

void ledger_verifier_free(struct ledger_verifier *v);
/* The verifier key text, a new string the caller frees. */
char *ledger_verifier_format(const struct ledger_verifier *v);
const char *ledger_verifier_name(const struct ledger_verifier *v);
enum ledger_key_type ledger_verifier_type(const struct ledger_verifier *v);
uint32_t ledger_verifier_key_hash(const struct ledger_verifier *v);

/*
 * Signed notes. A note is a text (one or more lines, each ending in a
 * newline), a blank line, and one or more signature lines
 * "— <key name> <base64(4-byte key hash || signature)>\n" (em dash U+2014
 * and a space). The whole note is valid UTF-8 with no control character
 * other than newline.
 */

/*
 * Signs text (len bytes ending in a newline) with s and returns in *out
 * the signed note, text + "\n" + one Ed25519 signature line, as a new
 * NUL-terminated string the caller frees. ERR_INVALID (message in err)
 * when the text is not valid note text or is over LEDGER_NOTE_MAX / 2
 * bytes; ERR_CRYPTO when signing fails.
 */
int ledger_sign_note(const char *text, size_t len,
                     const struct ledger_signer *s, char **out,
                     struct buf *err);

/*
 * Formats and signs a checkpoint: the body "<origin>\n<size in decimal>\n
 * <base64 root>\n", then a blank line and the signature line of s. origin
 * must be non-empty note text without a newline; it should be the name of
 * s (tlog-checkpoint asks the key name to match the origin) but this is not
 * enforced. Returns OK and the note in *out (caller frees), ERR_INVALID or
 * ERR_CRYPTO with a message in err.
 */
int ledger_checkpoint_format(const char *origin, uint64_t size,
                             const uint8_t root[LEDGER_HASH_SIZE],
                             const struct ledger_signer *s, char **out,
                             struct buf *err);

/* A parsed, not yet verified, note. */
struct ledger_note;

/* One signature line of a note, as it was written (nothing verified). */
struct ledger_note_sig {
  const char *name; /* NUL-terminated key name */
  uint32_t key_hash;
  const uint8_t *sig; /* the bytes after the key hash */
  size_t sig_len;     /* >= 1 */
};

/*
 * Parses a signed note of len bytes (no NUL needed). Checks the syntax
 * only: the size (at most LEDGER_NOTE_MAX), UTF-8 and control characters,
 * the blank line before the signatures (the last one in the note), each
 * signature line (em dash, space, valid key name, space, base64 of at
 * least 5 bytes), at most LEDGER_NOTE_MAX_SIGS lines. Returns OK and a new
 * note in *out, or ERR_INVALID with one line in err saying what is wrong
 * and where.
 */
int ledger_note_parse(const char *msg, size_t len, struct ledger_note **out,
                      struct buf *err);
void ledger_note_free(struct ledger_note *n);

/*
 * The note's text: everything before the blank line, including the last
 * line's newline, owned by n and NUL-terminated (len in *len when len is
 * not NULL). It MUST be ignored unless ledger_note_verify succeeded.
 */
const char *ledger_note_text(const struct ledger_note *n, size_t *len);
/* The number of signature lines. */
size_t ledger_note_nsigs(const struct ledger_note *n);
/* Signature line i (0-based), owned by n; NULL when i is out of range. */
const struct ledger_note_sig *ledger_note_sig(const struct ledger_note *n,
                                              size_t i);

/*
 * Checks the note's signatures by v's key. Lines whose name or key hash
 * differ from v's are skipped: they belong to other signers. Every line
 * with v's name and key hash must verify (a note with a bad signature by a
 * known key is rejected whole, as signed-note advises). For a cosignature
 * key the text must be a checkpoint, the signature is checked over
 * "cosignature/v1\ntime <t>\n" + text and *timestamp is set to t (the
 * latest, if v cosigned more than once); for a plain key *timestamp is set
 * to 0. timestamp may be NULL. Returns OK; ERR_NOTFOUND when no line is
 * by v; ERR_VERIFY when a line by v fails; ERR_INVALID when v is a
 * cosignature key, a line is by v, but the text is no checkpoint. err
 * says which.
 */
int ledger_note_verify(const struct ledger_note *n,
                       const struct ledger_verifier *v, uint64_t *timestamp,
                       struct buf *err);

/*
 * Adds s's cosignature at time timestamp (POSIX seconds, at most 2^63 - 1)
 * to the signed checkpoint msg, replacing an earlier cosignature by the
 * same key, and returns the new note in *out (caller frees). The cosigner
 * vouches for the checkpoint: the caller must have verified the log's
 * signature and the consistency with what it saw before. ERR_INVALID (with
 * a message) for a malformed note, one whose text is not a checkpoint, or
 * one that would grow past LEDGER_NOTE_MAX bytes or LEDGER_NOTE_MAX_SIGS
 * lines; ERR_CRYPTO when signing fails.
 */
int ledger_cosign_note(const char *msg, size_t len,
                       const struct ledger_signer *s, uint64_t timestamp,
                       char **out, struct buf *err);

/*
 * The timestamp of a cosignature line (the first 8 bytes after the key
 * hash, big-endian), without verifying anything. ERR_INVALID when the
 * line is not 8 + 64 bytes long or the time is over 2^63 - 1.
 */
int ledger_cosignature_time(const struct ledger_note_sig *sig, uint64_t *out);

/* A checkpoint's body (c2sp.org/tlog-checkpoint). */
struct ledger_checkpoint {
  char *origin; /* NUL-terminated, non-empty */
  uint64_t size;
  uint8_t root[LEDGER_HASH_SIZE];
  size_t nextensions; /* extension lines after the root, not interpreted */
};

/*
 * Parses a checkpoint body (typically ledger_note_text of a verified note):
 * origin line, tree size in decimal without leading zeros, base64 root of
 * 32 bytes, then optional non-empty extension lines, each line ending in a
 * newline. Returns OK with *out filled (release with
 * ledger_checkpoint_cleanup), or ERR_INVALID with a message in err; *out is
 * zeroed on entry.
 */
int ledger_checkpoint_parse(const char *text, size_t len,
                            struct ledger_checkpoint *out, struct buf *err);
void ledger_checkpoint_cleanup(struct ledger_checkpoint *c);

/*
 * Tiles (c2sp.org/tlog-tiles): the tree served as static files, the layout
 * of the Go checksum database, Trillian Tessera and Sigstore's Rekor v2. A
 * hash tile of level L and index N holds, for i from 0 to its width - 1,
 * MTH(D[(N * 256 + i) * 256^L : (N * 256 + i + 1) * 256^L]): leaf hashes
 * at level 0, at level L >= 1 the hashes of perfect subtrees of 2^(8L)
 * leaves, which the store keeps (level 8L >= LEDGER_NODE_LEVEL). A full
 * tile has 256 hashes; the rightmost tile of a level is partial (1 to 255
 * hashes, ".p/<W>" in its path). Entry bundles carry the entries of the
 * level-0 tile of the same index, each as a big-endian uint16 length and
 * the entry's bytes. Every tile, full or partial, is immutable: the same
 * path always names the same bytes.
 */
#define LEDGER_TILE_WIDTH 256
#define LEDGER_TILE_ENTRIES (-1) /* the level of an entry bundle */
/* The most bytes an entry may have: its bundle's 16-bit length. */
#define LEDGER_ENTRY_MAX 65535

struct ledger_tile {
  int level;      /* 0..63, or LEDGER_TILE_ENTRIES */
  uint64_t index; /* N */
  unsigned width; /* 1..256; 256 is a full tile */
};

/*
 * Appends the tile's path below the log's prefix: "tile/<L>/<N>[.p/<W>]"
 * or "tile/entries/<N>[.p/<W>]", N in groups of three digits, all but the
 * last prefixed with 'x' (1234067 is x001/x234/067).
 */
void ledger_tile_path(const struct ledger_tile *t, struct buf *out);

/*
 * Parses a path in that form (len bytes, no leading slash). Only the one
 * canonical spelling of a tile is accepted (no leading zeros in L or W, no
 * "x000/" group in front), so that one tile never has two names. Returns
 * OK with *out set, or ERR_INVALID (*out zeroed).
 */
int ledger_tile_parse(const char *path, size_t len, struct ledger_tile *out);

/* 1 when every hash (or entry) of t lies in the tree of the first size
 * leaves, so that the tile can be made from it; else 0. */
int ledger_tile_in_tree(const struct ledger_tile *t, uint64_t size);

/* The tiles of a level in the tree of size leaves: *full full tiles
 * (indexes 0..full-1) and, when *partial > 0, one partial tile of that
 * width at index *full. Level 0 is also the entry bundles'. */
void ledger_tile_count(uint64_t size, int level, uint64_t *full,
                       unsigned *partial);

/*
 * Appends hash tile t (level >= 0) read from src, width * 32 bytes: for
 * level 0 the stored leaf hashes, above it the stored nodes. The caller
 * checks first that the tile is in the tree (ledger_tile_in_tree).
 * Returns OK, ERR_INVALID for an entry bundle or a level no tree reaches,
 * or the source's error (out then holds nothing more).
 */
int ledger_tile_read(const struct ledger_source *src,
                     const struct ledger_tile *t, struct buf *out);

/* Appends one entry to a bundle: its length as a big-endian uint16, then
 * its bytes. ERR_INVALID (nothing appended) when len > LEDGER_ENTRY_MAX. */
int ledger_bundle_append(struct buf *out, const void *entry, size_t len);

/*
 * Reads the entry of a bundle (size bytes at data) that starts at *pos and
 * moves *pos past it: OK with *entry and *len pointing into data;
 * ERR_NOTFOUND when *pos is at the end; ERR_INVALID when the bundle is cut
 * short there.
 */
int ledger_bundle_next(const void *data, size_t size, size_t *pos,
                       const uint8_t **entry, size_t *len);

/*
 * The witness protocol (c2sp.org/tlog-witness): the body of POST
 * <prefix>/add-checkpoint is "old <size>\n", up to 63 base64 lines of a
 * consistency proof, an empty line, then the signed checkpoint.
 */
#define LEDGER_WITNESS_PROOF_MAX 63
/* The most a request body may be: a note and its proof lines. */
#define LEDGER_WITNESS_BODY_MAX                                                \
  (LEDGER_NOTE_MAX + 32 + LEDGER_WITNESS_PROOF_MAX * 45 + 1)

struct ledger_witness_request {
  uint64_t old_size;
  uint8_t proof[LEDGER_WITNESS_PROOF_MAX][LEDGER_HASH_SIZE];
  size_t nproof;
  const char *note; /* the checkpoint note, inside the body parsed */
  size_t note_len;
};

/*
 * Parses an add-checkpoint body of len bytes: the old size (decimal, no
 * leading zeros), each proof line canonical base64 of 32 bytes, the empty
 * line; the note after it is left for ledger_note_parse. Returns OK, or
 * ERR_INVALID with a message in err (the witness answers 400).
 */
int ledger_witness_parse_request(const char *body, size_t len,
                                 struct ledger_witness_request *out,
                                 struct buf *err);

/* Appends the body of an add-checkpoint request: old size, proof (n
 * hashes, n <= LEDGER_WITNESS_PROOF_MAX), empty line, note. */
void ledger_witness_format_request(uint64_t old_size, const uint8_t *proof,
                                   size_t n, const char *note, size_t note_len,
                                   struct buf *out);

/* Parses a 409 answer's body (text/x.tlog.size): a decimal size and a
 * newline. OK or ERR_INVALID. */
int ledger_witness_parse_size(const char *body, size_t len, uint64_t *size);

/* The origin hash of the witness's monitoring path: lowercase hex of
 * SHA-256(origin), 64 characters and a NUL in out. */
void ledger_origin_hash(const char *origin, char out[65]);

#endif
