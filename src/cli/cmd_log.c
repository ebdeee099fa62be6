/*
 * passage key, log, proof, verify, verify-proof: the tamper-evident log as
 * C2SP signed checkpoints and RFC 9162 proofs that others check with their
 * own tools.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

/* The signing key lives beside the store unless --key says otherwise. */
static char *
default_key_path(const struct cli *cli)
{
  return xasprintf("%s.key", cli->db);
}

static int
read_small_file(const char *path, size_t max, struct buf *out)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;

  if (f == NULL)
    return ERR_IO;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    buf_append(out, chunk, n);
    if (out->len > max) {
      fclose(f);
      return ERR_NOMEM;
    }
  }
  fclose(f);
  return OK;
}

/* A verifier key given as a file holding its text, or as the text; type
 * says which kind it must be: the log's signing key, or a witness's. */
static int
load_verifier_of(const char *cmd, const char *arg, enum ledger_key_type type,
                 struct ledger_verifier **out)
{
  struct buf text, err;
  int rc;

  buf_init(&text);
  buf_init(&err);
  if (read_small_file(arg, LEDGER_KEY_FILE_MAX, &text) != OK) {
    buf_reset(&text);
    buf_puts(&text, arg);
  }
  while (text.len &&
         (text.data[text.len - 1] == '\n' || text.data[text.len - 1] == '\r'))
    text.data[--text.len] = '\0';
  rc = ledger_verifier_parse(text.data ? text.data : "", text.len, out, &err);
  if (rc != OK)
    fprintf(stderr, "passage %s: %s: not a verifier key: %s\n", cmd, arg,
            err.data ? err.data : "");
  if (rc == OK && ledger_verifier_type(*out) != type) {
    fprintf(stderr, "passage %s: %s is a %s key, not a %s key\n", cmd, arg,
            ledger_verifier_type(*out) == LEDGER_KEY_COSIGNATURE
                ? "witness (cosignature)"
                : "log (signing)",
            type == LEDGER_KEY_COSIGNATURE ? "witness (cosignature)"
                                           : "log (signing)");
    ledger_verifier_free(*out);
    *out = NULL;
    rc = ERR_USAGE;
  }
  buf_cleanup(&text);
  buf_cleanup(&err);
  return rc;
}

static int
load_verifier(const char *cmd, const char *arg, struct ledger_verifier **out)
{
  return load_verifier_of(cmd, arg, LEDGER_KEY_ED25519, out);
}

static int
unb64(const char *s, uint8_t out[LEDGER_HASH_SIZE])
{
  return util_base64_decode_exact(s, strlen(s), out, LEDGER_HASH_SIZE);
}

static int
parse_u64(const char *cmd, const char *opt, const char *s, uint64_t *out)
{
  char *end;

  errno = 0;
  if (s[0] < '0' || s[0] > '9') {
    cli_usage_error(cmd, "%s: expected a whole number, got '%s'", opt, s);
    return ERR_USAGE;
  }
  *out = strtoull(s, &end, 10);
  if (errno || *end) {
    cli_usage_error(cmd, "%s: expected a whole number, got '%s'", opt, s);
    return ERR_USAGE;
  }
  return OK;
}

static const char key_help[] =
    "usage: passage [--db PATH] key generate [--key FILE] [--name NAME]\n"
    "       passage [--db PATH] key public [--key FILE] [--cosignature]\n"
    "\n"
    "generate makes an Ed25519 signing key for the log, named after the\n"
    "corridor file's 'log' value (or --name, for a witness's key), in a new\n"
    "file of mode 0600: PATH.key beside the store unless --key names one. It\n"
    "never overwrites a key. Keep it secret and backed up.\n"
    "public prints the verifier key in C2SP signed-note form,\n"
    "<name>+<key hash>+<base64 key>, for parties to check checkpoints with;\n"
    "--cosignature prints the witness form (type 0x04) instead.\n";

int
cmd_key(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
      {"key", required_argument, 0, 'k'},   {"name", required_argument, 0, 'n'},
      {"cosignature", no_argument, 0, 'c'}, {"db", required_argument, 0, 'd'},
      {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
  const char *key = NULL, *name = NULL, *sub = argc > 1 ? argv[1] : NULL;
  int cosig = 0, ch, rc, code = EXIT_OK;
  struct ledger_signer *signer = NULL;
  struct store *st = NULL;
  char *path = NULL;
  struct buf err;

  optind = 2;
  if (sub && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
    fputs(key_help, stdout);
    return EXIT_OK;
  }
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'k':
      key = optarg;
      break;
    case 'n':
      name = optarg;
      break;
    case 'c':
      cosig = 1;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(key_help, stdout);
      return EXIT_OK;
    default:
      return cli_usage_error("key", "%s", cli_bad_option(argv));
    }
  }
  if (sub == NULL || (strcmp(sub, "generate") && strcmp(sub, "public")))
    return cli_usage_error("key", "expected 'generate' or 'public'");
  if (optind < argc)
    return cli_usage_error("key", "unexpected argument '%s'", argv[optind]);
  buf_init(&err);
  path = key ? xstrdup(key) : default_key_path(cli);
  if (strcmp(sub, "generate") == 0) {
    if (name == NULL) {
      if ((st = cli_open_store(cli, 0)) == NULL) {
        code = EXIT_ERROR;
        goto out;
      }
      name = store_corridor(st)->log;
    }
    rc = ledger_signer_generate(name, &signer, &err);
    if (rc == OK)
      rc = ledger_signer_save(signer, path, &err);
    if (rc != OK) {
      fprintf(stderr, "passage key generate: %s\n",
              err.data ? err.data : util_strerror(rc));
      code = EXIT_ERROR;
      goto out;
    }
    {
      char *vkey = ledger_signer_verifier_key(signer, LEDGER_KEY_ED25519);
      printf("wrote %s (keep it secret)\nverifier key: %s\n", path, vkey);
      free(vkey);
    }
  } else {
    char *vkey;
    rc = ledger_signer_load(path, &signer, &err);
    if (rc != OK) {
      fprintf(stderr, "passage key public: %s: %s\n", path,
              err.data ? err.data : util_strerror(rc));
      code = EXIT_ERROR;
      goto out;
    }
    vkey = ledger_signer_verifier_key(signer, cosig ? LEDGER_KEY_COSIGNATURE
                                                    : LEDGER_KEY_ED25519);
    printf("%s\n", vkey);
    free(vkey);
  }
out:
  ledger_signer_free(signer);
  store_close(st);
  free(path);
  buf_cleanup(&err);
  return code;
}

static const char log_help[] =
    "usage: passage [--db PATH] log checkpoint [--key FILE] [--output FILE]\n"
    "       passage [--db PATH] log entries --start A --end B\n"
    "       passage [--db PATH] log cosign --key WITNESS.key --log-key VKEY\n"
    "                 --checkpoint FILE [--state FILE] [--output FILE]\n"
    "\n"
    "checkpoint prints the latest signed tree head as a C2SP tlog-checkpoint\n"
    "note: origin (the corridor file's log value), tree size, base64 root\n"
    "hash, a blank line and the log's signature. Publish it with each report.\n"
    "entries writes entries A..B-1, each entry's canonical bytes on a line:\n"
    "hash each line as SHA-256(0x00 || line) to get the RFC 9162 leaf.\n"
    "cosign is for a witness: it checks the log's signature on the\n"
    "checkpoint and, when --state holds the last checkpoint this witness\n"
    "signed, the consistency of the two from the store; then it adds its\n"
    "C2SP cosignature and records the checkpoint in --state.\n";

static int
load_checkpoint_note(const char *cmd, const char *path,
                     const struct ledger_verifier *v, struct buf *text,
                     struct ledger_checkpoint *cp)
{
  struct ledger_note *note = NULL;
  struct buf err;
  const char *body;
  size_t len;
  int rc;

  buf_init(&err);
  buf_reset(text);
  rc = read_small_file(path, LEDGER_NOTE_MAX, text);
  if (rc != OK) {
    fprintf(stderr, "passage %s: cannot read %s\n", cmd, path);
    goto out;
  }
  rc = ledger_note_parse(text->data ? text->data : "", text->len, &note, &err);
  if (rc == OK && v)
    rc = ledger_note_verify(note, v, NULL, &err);
  if (rc == ERR_NOTFOUND) {
    buf_reset(&err);
    buf_printf(&err, "it carries no signature by %s", ledger_verifier_name(v));
    rc = ERR_VERIFY;
  }
  if (rc == OK) {
    body = ledger_note_text(note, &len);
    rc = ledger_checkpoint_parse(body, len, cp, &err);
  }
  if (rc != OK)
    fprintf(stderr, "passage %s: %s: %s\n", cmd, path,
            err.data ? err.data : util_strerror(rc));
out:
  ledger_note_free(note);
  buf_cleanup(&err);
  return rc;
}

/* The signed checkpoint of the store's current tree. */
static int
make_checkpoint(struct store *st, const char *keypath, char **note)
{
  struct ledger_signer *signer = NULL;
  struct ledger_source src;
  uint8_t root[LEDGER_HASH_SIZE];
  struct buf err;
  int rc;

  buf_init(&err);
  rc = ledger_signer_load(keypath, &signer, &err);
  if (rc != OK) {
    fprintf(stderr,
            "passage log checkpoint: %s: %s (make one with 'passage key "
            "generate')\n",
            keypath, err.data ? err.data : util_strerror(rc));
    goto out;
  }
  store_ledger_source(st, &src);
  rc = ledger_root(&src, store_size(st), root);
  if (rc == OK)
    rc = ledger_checkpoint_format(store_corridor(st)->log, store_size(st), root,
                                  signer, note, &err);
  if (rc != OK)
    fprintf(stderr, "passage log checkpoint: %s\n",
            err.data ? err.data : util_strerror(rc));
out:
  ledger_signer_free(signer);
  buf_cleanup(&err);
  return rc;
}

static int
print_entry(void *ctx, const struct store_entry *e)
{
  FILE *f = ctx;

  fwrite(e->bytes, 1, e->len, f);
  fputc('\n', f);
  return OK;
}

/* Writes text to path (or stdout) atomically. */
static int
write_out(const char *path, const char *text)
{
  struct cli_output o;

  if (cli_output_open(&o, path) != OK)
    return ERR_IO;
  fputs(text, o.f);
  return cli_output_close(&o, 1);
}

static int
log_cosign(struct cli *cli, const char *key, const char *logkey,
           const char *checkpoint, const char *state, const char *output)
{
  struct ledger_signer *witness = NULL;
  struct ledger_verifier *lv = NULL;
  struct ledger_checkpoint now, last;
  struct buf text, old, err;
  struct store *st = NULL;
  char *cosigned = NULL;
  int rc;

  memset(&now, 0, sizeof now);
  memset(&last, 0, sizeof last);
  buf_init(&text);
  buf_init(&old);
  buf_init(&err);
  if (!key || !logkey || !checkpoint) {
    rc = cli_usage_error("log cosign",
                         "needs --key, --log-key and --checkpoint");
    return rc;
  }
  if ((rc = ledger_signer_load(key, &witness, &err)) != OK) {
    fprintf(stderr, "passage log cosign: %s: %s\n", key, err.data);
    goto out;
  }
  if ((rc = load_verifier("log cosign", logkey, &lv)) != OK)
    goto out;
  if ((rc = load_checkpoint_note("log cosign", checkpoint, lv, &text, &now)) !=
      OK)
    goto out;
  if (state && access(state, F_OK) == 0) {
    if ((rc = load_checkpoint_note("log cosign", state, lv, &old, &last)) != OK)
      goto out;
    if (strcmp(last.origin, now.origin) != 0 || last.size > now.size) {
      fprintf(stderr,
              "passage log cosign: %s (%s, size %llu) does not extend the "
              "last checkpoint signed (%s, size %llu)\n",
              checkpoint, now.origin, (unsigned long long)now.size, last.origin,
              (unsigned long long)last.size);
      rc = ERR_VERIFY;
      goto out;
    }
    if ((st = cli_open_store(cli, 0)) == NULL) {
      rc = ERR_IO;
      goto out;
    }
    {
      struct ledger_source src;
      uint8_t *hashes = NULL;
      size_t n = 0;
      store_ledger_source(st, &src);
      rc = ledger_prove_consistency(&src, last.size, now.size, &hashes, &n);
      if (rc == OK)
        rc = ledger_verify_consistency(last.size, now.size, last.root, now.root,
                                       hashes, n);
      free(hashes);
      if (rc != OK) {
        fprintf(stderr,
                "passage log cosign: the log is not consistent with the "
                "checkpoint last signed (size %llu): refusing to cosign\n",
                (unsigned long long)last.size);
        rc = ERR_VERIFY;
        goto out;
      }
    }
  }
  rc = ledger_cosign_note(text.data, text.len, witness, (uint64_t)time(NULL),
                          &cosigned, &err);
  if (rc != OK) {
    fprintf(stderr, "passage log cosign: %s\n", err.data);
    goto out;
  }
  if ((rc = write_out(output, cosigned)) != OK)
    goto out;
  if (state)
    rc = write_out(state, text.data);
out:
  ledger_checkpoint_cleanup(&now);
  ledger_checkpoint_cleanup(&last);
  ledger_signer_free(witness);
  ledger_verifier_free(lv);
  store_close(st);
  free(cosigned);
  buf_cleanup(&text);
  buf_cleanup(&old);
  buf_cleanup(&err);
  return rc;
}

int
cmd_log(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
      {"key", required_argument, 0, 'k'},
      {"log-key", required_argument, 0, 'l'},
      {"checkpoint", required_argument, 0, 'c'},
      {"state", required_argument, 0, 's'},
      {"output", required_argument, 0, 'o'},
      {"start", required_argument, 0, 'a'},
      {"end", required_argument, 0, 'b'},
      {"db", required_argument, 0, 'd'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  const char *sub = argc > 1 ? argv[1] : NULL;
  const char *key = NULL, *logkey = NULL, *cp = NULL, *state = NULL,
             *output = NULL;
  uint64_t start = 0, end = 0;
  int has_start = 0, has_end = 0, ch, rc = OK;
  struct store *st = NULL;
  char *path = NULL, *note = NULL;

  if (sub && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
    fputs(log_help, stdout);
    return EXIT_OK;
  }
  optind = 2;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'k':
      key = optarg;
      break;
    case 'l':
      logkey = optarg;
      break;
    case 'c':
      cp = optarg;
      break;
    case 's':
      state = optarg;
      break;
    case 'o':
      output = optarg;
      break;
    case 'a':
      if (parse_u64("log", "--start", optarg, &start) != OK)
        return EXIT_USAGE;
      has_start = 1;
      break;
    case 'b':
      if (parse_u64("log", "--end", optarg, &end) != OK)
        return EXIT_USAGE;
      has_end = 1;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(log_help, stdout);
      return EXIT_OK;
    default:
      return cli_usage_error("log", "%s", cli_bad_option(argv));
    }
  }
  if (sub == NULL)
    return cli_usage_error("log", "expected checkpoint, entries or cosign");
  if (strcmp(sub, "cosign") == 0)
    return cli_exit_code(log_cosign(cli, key, logkey, cp, state, output));
  if (strcmp(sub, "checkpoint") && strcmp(sub, "entries"))
    return cli_usage_error("log", "unknown subcommand '%s'", sub);
  if ((st = cli_open_store(cli, 0)) == NULL)
    return EXIT_ERROR;
  if (strcmp(sub, "checkpoint") == 0) {
    path = key ? xstrdup(key) : default_key_path(cli);
    rc = make_checkpoint(st, path, &note);
    if (rc == OK)
      rc = write_out(output, note);
  } else {
    if (!has_start || !has_end || start > end || end > store_size(st)) {
      store_close(st);
      return cli_usage_error("log",
                             "entries needs --start A --end B with A <= B <= "
                             "%llu (the log's size)",
                             (unsigned long long)store_size(st));
    }
    rc = store_each_entry(st, -1, start, end, print_entry, stdout);
  }
  free(path);
  free(note);
  store_close(st);
  return cli_exit_code(rc);
}

static const char proof_help[] =
    "usage: passage [--db PATH] proof inclusion (--index N | --id RECORD\n"
    "                 [--kind KIND]) [--size S] [--format json]\n"
    "       passage [--db PATH] proof consistency --old A --new B "
    "[--format json]\n"
    "\n"
    "inclusion prints the RFC 9162 inclusion proof of entry N (or of the\n"
    "record with that id) in the tree of size S (default: the current one):\n"
    "  {\"leaf_index\": N, \"tree_size\": S, \"hashes\": [base64, ...]}\n"
    "consistency prints the proof that the tree of size A is a prefix of the\n"
    "tree of size B: {\"old_size\": A, \"new_size\": B, \"hashes\": [...]}.\n"
    "Check them with 'passage verify-proof' or any RFC 9162 verifier.\n";

static void
print_hashes(struct buf *b, const uint8_t *hashes, size_t n)
{
  buf_puts(b, "\"hashes\": [");
  for (size_t i = 0; i < n; i++) {
    buf_puts(b, i ? ", \"" : "\"");
    util_base64_encode(b, hashes + i * LEDGER_HASH_SIZE, LEDGER_HASH_SIZE);
    buf_putc(b, '"');
  }
  buf_puts(b, "]}\n");
}

int
cmd_proof(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {{"index", required_argument, 0, 'i'},
                                       {"id", required_argument, 0, 'r'},
                                       {"kind", required_argument, 0, 'k'},
                                       {"size", required_argument, 0, 's'},
                                       {"old", required_argument, 0, 'o'},
                                       {"new", required_argument, 0, 'n'},
                                       {"format", required_argument, 0, 'f'},
                                       {"db", required_argument, 0, 'd'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *sub = argc > 1 ? argv[1] : NULL, *id = NULL, *kind = NULL;
  uint64_t index = 0, size = 0, old = 0, new_size = 0;
  int has_index = 0, has_size = 0, has_old = 0, has_new = 0, ch, rc;
  uint8_t *hashes = NULL;
  struct ledger_source src;
  struct store *st = NULL;
  size_t n = 0;
  struct buf out;

  if (sub && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
    fputs(proof_help, stdout);
    return EXIT_OK;
  }
  optind = 2;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'i':
      if (parse_u64("proof", "--index", optarg, &index) != OK)
        return EXIT_USAGE;
      has_index = 1;
      break;
    case 'r':
      id = optarg;
      break;
    case 'k':
      kind = optarg;
      break;
    case 's':
      if (parse_u64("proof", "--size", optarg, &size) != OK)
        return EXIT_USAGE;
      has_size = 1;
      break;
    case 'o':
      if (parse_u64("proof", "--old", optarg, &old) != OK)
        return EXIT_USAGE;
      has_old = 1;
      break;
    case 'n':
      if (parse_u64("proof", "--new", optarg, &new_size) != OK)
        return EXIT_USAGE;
      has_new = 1;
      break;
    case 'f':
      if (strcmp(optarg, "json") != 0)
        return cli_usage_error("proof", "--format: only json is offered");
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(proof_help, stdout);
      return EXIT_OK;
    default:
      return cli_usage_error("proof", "%s", cli_bad_option(argv));
    }
  }
  if (sub == NULL || (strcmp(sub, "inclusion") && strcmp(sub, "consistency")))
    return cli_usage_error("proof", "expected inclusion or consistency");
  if (kind && record_kind_by_name(kind) < 0)
    return cli_usage_error("proof", "--kind: unknown kind '%s'", kind);
  if (strcmp(sub, "inclusion") == 0 && has_index == (id != NULL))
    return cli_usage_error("proof", "inclusion needs --index N or --id RECORD");
  if (strcmp(sub, "consistency") == 0 && (!has_old || !has_new))
    return cli_usage_error("proof", "consistency needs --old A and --new B");
  if ((st = cli_open_store(cli, 0)) == NULL)
    return EXIT_ERROR;
  store_ledger_source(st, &src);
  buf_init(&out);
  if (strcmp(sub, "inclusion") == 0) {
    if (!has_size)
      size = store_size(st);
    if (id) {
      int found = store_find_entry(st, kind ? record_kind_by_name(kind) : -1,
                                   id, &index);
      if (found == OK && index >= size)
        found = ERR_NOTFOUND;
      if (found != OK) {
        fprintf(stderr, "passage proof: %s\n",
                found == ERR_CONFLICT
                    ? "several records have that id: add --kind"
                : found == ERR_NOTFOUND ? "no record with that id in the tree"
                                        : store_errmsg(st));
        store_close(st);
        buf_cleanup(&out);
        return found == ERR_CONFLICT ? EXIT_USAGE : EXIT_ERROR;
      }
    }
    if (size > store_size(st) || index >= size) {
      store_close(st);
      buf_cleanup(&out);
      return cli_usage_error("proof",
                             "need index < size <= %llu (the log's size)",
                             (unsigned long long)store_size(st));
    }
    rc = ledger_prove_inclusion(&src, index, size, &hashes, &n);
    buf_printf(&out, "{\"leaf_index\": %llu, \"tree_size\": %llu, ",
               (unsigned long long)index, (unsigned long long)size);
  } else {
    if (old > new_size || new_size > store_size(st)) {
      store_close(st);
      buf_cleanup(&out);
      return cli_usage_error("proof",
                             "need old <= new <= %llu (the log's size)",
                             (unsigned long long)store_size(st));
    }
    rc = ledger_prove_consistency(&src, old, new_size, &hashes, &n);
    buf_printf(&out, "{\"old_size\": %llu, \"new_size\": %llu, ",
               (unsigned long long)old, (unsigned long long)new_size);
  }
  if (rc == OK) {
    print_hashes(&out, hashes, n);
    fputs(out.data, stdout);
  } else {
    fprintf(stderr, "passage proof: %s (run 'passage verify')\n",
            util_strerror(rc));
  }
  free(hashes);
  buf_cleanup(&out);
  store_close(st);
  return cli_exit_code(rc);
}

static const char verify_help[] =
    "usage: passage [--db PATH] verify [--checkpoint FILE]... [--key VKEY]\n"
    "                 [--witness VKEY]...\n"
    "\n"
    "Checks the whole store: every entry's leaf hash recomputed from its\n"
    "bytes, entries numbered without gaps, every stored tree node, the query\n"
    "tables, corrections and daily rollups derived again; then each\n"
    "checkpoint given: signed by the log's key (--key, a verifier key or a\n"
    "file holding one; default: the key beside the store), of this log, and\n"
    "its root that of the store's tree at its size. --witness requires each\n"
    "checkpoint to carry a valid cosignature by that witness.\n"
    "Exit 0 when all holds, 4 naming the first bad entry otherwise.\n";

static void
verify_progress(void *ctx, uint64_t done)
{
  if (*(int *)ctx)
    fprintf(stderr, "\rverified %llu entries", (unsigned long long)done);
}

int
cmd_verify(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
      {"checkpoint", required_argument, 0, 'c'},
      {"key", required_argument, 0, 'k'},
      {"witness", required_argument, 0, 'w'},
      {"db", required_argument, 0, 'd'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  char **cps = xcalloc((size_t)argc, sizeof(char *));
  char **witnesses = xcalloc((size_t)argc, sizeof(char *));
  size_t ncps = 0, nwit = 0;
  const char *key = NULL;
  struct ledger_verifier *lv = NULL;
  struct store *st = NULL;
  struct buf text;
  uint64_t bad;
  int ch, rc = OK, tty = isatty(2), code = EXIT_OK;

  buf_init(&text);
  optind = 1;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'c':
      cps[ncps++] = optarg;
      break;
    case 'k':
      key = optarg;
      break;
    case 'w':
      witnesses[nwit++] = optarg;
      break;
    case 'd':
      cli->db = optarg;
      break;
    case 'h':
      fputs(verify_help, stdout);
      goto out;
    default:
      code = cli_usage_error("verify", "%s", cli_bad_option(argv));
      goto out;
    }
  }
  if ((st = cli_open_store(cli, 0)) == NULL) {
    code = EXIT_ERROR;
    goto out;
  }
  rc = store_audit(st, &bad, verify_progress, &tty);
  if (tty)
    fputc('\n', stderr);
  if (rc != OK) {
    fprintf(stderr, "passage verify: FAILED: %s\n", store_errmsg(st));
    code = EXIT_VERIFY;
    goto out;
  }
  if (ncps && key == NULL) {
    struct ledger_signer *signer = NULL;
    char *path = default_key_path(cli);
    struct buf err;
    buf_init(&err);
    if (ledger_signer_load(path, &signer, &err) == OK) {
      uint8_t pub[LEDGER_PUBKEY_SIZE];
      ledger_signer_public_key(signer, pub);
      ledger_verifier_new(ledger_signer_name(signer), LEDGER_KEY_ED25519, pub,
                          &lv, &err);
    } else {
      fprintf(stderr, "passage verify: give the log's verifier key with "
                      "--key to check checkpoints\n");
      code = EXIT_USAGE;
    }
    ledger_signer_free(signer);
    buf_cleanup(&err);
    free(path);
    if (code != EXIT_OK)
      goto out;
  } else if (ncps && load_verifier("verify", key, &lv) != OK) {
    code = EXIT_USAGE;
    goto out;
  }
  for (size_t i = 0; i < ncps && code == EXIT_OK; i++) {
    struct ledger_checkpoint cp;
    struct ledger_source src;
    uint8_t root[LEDGER_HASH_SIZE];
    memset(&cp, 0, sizeof cp);
    if (load_checkpoint_note("verify", cps[i], lv, &text, &cp) != OK) {
      code = EXIT_VERIFY;
      break;
    }
    store_ledger_source(st, &src);
    if (strcmp(cp.origin, store_corridor(st)->log) != 0) {
      fprintf(stderr,
              "passage verify: FAILED: %s is a checkpoint of '%s', "
              "not of this log ('%s')\n",
              cps[i], cp.origin, store_corridor(st)->log);
      code = EXIT_VERIFY;
    } else if (cp.size > store_size(st)) {
      fprintf(stderr,
              "passage verify: FAILED: %s has %llu entries, the store only "
              "%llu: entries were lost\n",
              cps[i], (unsigned long long)cp.size,
              (unsigned long long)store_size(st));
      code = EXIT_VERIFY;
    } else if (ledger_root(&src, cp.size, root) != OK ||
               memcmp(root, cp.root, LEDGER_HASH_SIZE) != 0) {
      fprintf(stderr,
              "passage verify: FAILED: the store's first %llu entries do not "
              "have the root that %s signed: the log was rewritten\n",
              (unsigned long long)cp.size, cps[i]);
      code = EXIT_VERIFY;
    }
    for (size_t w = 0; w < nwit && code == EXIT_OK; w++) {
      struct ledger_verifier *wv = NULL;
      struct ledger_note *note = NULL;
      struct buf err;
      uint64_t t;
      buf_init(&err);
      if (load_verifier_of("verify", witnesses[w], LEDGER_KEY_COSIGNATURE,
                           &wv) != OK) {
        code = EXIT_USAGE;
      } else if (ledger_note_parse(text.data, text.len, &note, &err) != OK ||
                 ledger_note_verify(note, wv, &t, &err) != OK) {
        fprintf(stderr,
                "passage verify: FAILED: %s carries no valid cosignature by "
                "%s%s%s\n",
                cps[i], ledger_verifier_name(wv), err.len ? ": " : "",
                err.data ? err.data : "");
        code = EXIT_VERIFY;
      }
      ledger_note_free(note);
      ledger_verifier_free(wv);
      buf_cleanup(&err);
    }
    ledger_checkpoint_cleanup(&cp);
  }
  if (code == EXIT_OK)
    printf("ok: %llu entries, tree and tables verified; %zu checkpoint%s "
           "consistent\n",
           (unsigned long long)store_size(st), ncps, ncps == 1 ? "" : "s");
out:
  ledger_verifier_free(lv);
  store_close(st);
  buf_cleanup(&text);
  free(cps);
  free(witnesses);
  return code;
}

static const char verify_proof_help[] =
    "usage: passage verify-proof --checkpoint FILE [--checkpoint NEWER]\n"
    "                 --key VKEY --proof FILE [--entry FILE]\n"
    "\n"
    "Checks a proof against signed checkpoints with no store at all, so it\n"
    "can be given to parties alone. An inclusion proof needs the entry (its\n"
    "canonical bytes, as 'passage log entries' prints them) and one\n"
    "checkpoint of the proof's tree size; a consistency proof needs the two\n"
    "checkpoints of its old and new sizes. The checkpoints must be signed by\n"
    "VKEY (a verifier key, or a file holding one).\n";

/* Reads the few members of a proof file with jansson. */
static int
read_proof(const char *path, json_t **out)
{
  json_error_t e;

  *out = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
  if (*out == NULL || !json_is_object(*out)) {
    fprintf(stderr, "passage verify-proof: %s:%d: not a proof: %s\n", path,
            e.line, *out ? "expected an object" : e.text);
    json_decref(*out);
    *out = NULL;
    return ERR_INVALID;
  }
  return OK;
}

static int
proof_hashes(json_t *proof, uint8_t **hashes, size_t *n)
{
  json_t *arr = json_object_get(proof, "hashes"), *h;
  size_t i;

  *hashes = NULL;
  *n = 0;
  if (!json_is_array(arr) || json_array_size(arr) > 128)
    return ERR_INVALID;
  *hashes = xcalloc(json_array_size(arr) + 1, LEDGER_HASH_SIZE);
  json_array_foreach(arr, i, h)
  {
    if (!json_is_string(h) ||
        unb64(json_string_value(h), *hashes + i * LEDGER_HASH_SIZE) != OK)
      return ERR_INVALID;
  }
  *n = json_array_size(arr);
  return OK;
}

static int
get_u64(json_t *o, const char *name, uint64_t *v)
{
  json_t *j = json_object_get(o, name);

  if (!json_is_integer(j) || json_integer_value(j) < 0)
    return ERR_INVALID;
  *v = (uint64_t)json_integer_value(j);
  return OK;
}

int
cmd_verify_proof(struct cli *cli, int argc, char **argv)
{
  static const struct option opts[] = {
      {"checkpoint", required_argument, 0, 'c'},
      {"key", required_argument, 0, 'k'},
      {"proof", required_argument, 0, 'p'},
      {"entry", required_argument, 0, 'e'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  const char *cpf[2] = {NULL, NULL}, *key = NULL, *prooff = NULL, *entry = NULL;
  struct ledger_checkpoint cp[2];
  struct ledger_verifier *lv = NULL;
  uint8_t *hashes = NULL;
  json_t *proof = NULL;
  struct buf text;
  size_t n = 0, ncp = 0;
  int ch, rc, code = EXIT_OK;

  (void)cli;
  memset(cp, 0, sizeof cp);
  buf_init(&text);
  optind = 1;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'c':
      if (ncp == 2)
        return cli_usage_error("verify-proof", "at most two --checkpoint");
      cpf[ncp++] = optarg;
      break;
    case 'k':
      key = optarg;
      break;
    case 'p':
      prooff = optarg;
      break;
    case 'e':
      entry = optarg;
      break;
    case 'h':
      fputs(verify_proof_help, stdout);
      return EXIT_OK;
    default:
      return cli_usage_error("verify-proof", "%s", cli_bad_option(argv));
    }
  }
  if (!ncp || !key || !prooff)
    return cli_usage_error("verify-proof",
                           "needs --checkpoint, --key and --proof");
  if (load_verifier("verify-proof", key, &lv) != OK)
    return EXIT_USAGE;
  for (size_t i = 0; i < ncp; i++)
    if (load_checkpoint_note("verify-proof", cpf[i], lv, &text, &cp[i]) != OK) {
      code = EXIT_VERIFY;
      goto out;
    }
  if (read_proof(prooff, &proof) != OK ||
      proof_hashes(proof, &hashes, &n) != OK) {
    if (proof)
      fprintf(stderr,
              "passage verify-proof: %s: expected \"hashes\": an "
              "array of base64 SHA-256 hashes\n",
              prooff);
    code = EXIT_INVALID;
    goto out;
  }
  if (json_object_get(proof, "leaf_index")) {
    uint64_t index, size;
    uint8_t leaf[LEDGER_HASH_SIZE];
    struct buf bytes;
    if (get_u64(proof, "leaf_index", &index) != OK ||
        get_u64(proof, "tree_size", &size) != OK || entry == NULL) {
      fprintf(stderr, "passage verify-proof: an inclusion proof needs "
                      "leaf_index, tree_size and --entry\n");
      code = EXIT_USAGE;
      goto out;
    }
    buf_init(&bytes);
    rc = read_small_file(entry, 1u << 24, &bytes);
    /* The entry file holds the bytes as 'log entries' prints them. */
    while (bytes.len && bytes.data[bytes.len - 1] == '\n')
      bytes.data[--bytes.len] = '\0';
    ledger_leaf_hash(bytes.data ? bytes.data : "", bytes.len, leaf);
    buf_cleanup(&bytes);
    if (rc != OK) {
      fprintf(stderr, "passage verify-proof: cannot read %s\n", entry);
      code = EXIT_ERROR;
      goto out;
    }
    if (cp[ncp - 1].size != size) {
      fprintf(stderr,
              "passage verify-proof: FAILED: the proof is for a tree of %llu "
              "entries, the checkpoint has %llu\n",
              (unsigned long long)size, (unsigned long long)cp[ncp - 1].size);
      code = EXIT_VERIFY;
      goto out;
    }
    rc =
        ledger_verify_inclusion(leaf, index, size, hashes, n, cp[ncp - 1].root);
    if (rc != OK) {
      fprintf(stderr,
              "passage verify-proof: FAILED: the entry is not leaf "
              "%llu of the checkpoint's tree\n",
              (unsigned long long)index);
      code = EXIT_VERIFY;
      goto out;
    }
    printf("ok: the entry is leaf %llu of the signed tree of %llu entries\n",
           (unsigned long long)index, (unsigned long long)size);
  } else {
    uint64_t old, new_size;
    if (get_u64(proof, "old_size", &old) != OK ||
        get_u64(proof, "new_size", &new_size) != OK || ncp != 2) {
      fprintf(stderr, "passage verify-proof: a consistency proof needs "
                      "old_size, new_size and two --checkpoint\n");
      code = EXIT_USAGE;
      goto out;
    }
    if (cp[0].size > cp[1].size) {
      struct ledger_checkpoint t = cp[0];
      cp[0] = cp[1];
      cp[1] = t;
    }
    if (cp[0].size != old || cp[1].size != new_size ||
        strcmp(cp[0].origin, cp[1].origin) != 0) {
      fprintf(stderr,
              "passage verify-proof: FAILED: the checkpoints (sizes "
              "%llu, %llu) are not the proof's (%llu, %llu) or are "
              "of different logs\n",
              (unsigned long long)cp[0].size, (unsigned long long)cp[1].size,
              (unsigned long long)old, (unsigned long long)new_size);
      code = EXIT_VERIFY;
      goto out;
    }
    rc = ledger_verify_consistency(old, new_size, cp[0].root, cp[1].root,
                                   hashes, n);
    if (rc != OK) {
      fprintf(stderr, "passage verify-proof: FAILED: the newer tree does not "
                      "extend the older one\n");
      code = EXIT_VERIFY;
      goto out;
    }
    printf("ok: the tree of %llu entries extends the tree of %llu\n",
           (unsigned long long)new_size, (unsigned long long)old);
  }
out:
  for (size_t i = 0; i < 2; i++)
    ledger_checkpoint_cleanup(&cp[i]);
  ledger_verifier_free(lv);
  free(hashes);
  json_decref(proof);
  buf_cleanup(&text);
  return code;
}
