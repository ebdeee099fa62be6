/*
 * The witness's state file: its key's path, and for each log it trusts
 * the origin, the verifier keys and the latest checkpoint it cosigned (the
 * note as it keeps it: the body, the log signatures it verified and its own
 * cosignature). JSON, rewritten whole on each change:
 *
 *   {"passage_witness": 1, "key": "/abs/witness.key",
 *    "logs": [{"origin": "...", "keys": ["name+hash+base64"],
 *              "checkpoint": "<note>" or null}]}
 *
 * On load every kept checkpoint is verified again with the log's keys, so
 * that a state edited by hand cannot move a log back without the log's
 * own signature on the older tree.
 */
#include "util/i18n.h"
#include "witness/witness.h"
#include "witness/witness_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

struct witness_log *
witness__find(struct witness *w, const char *origin, size_t len)
{
  for (size_t i = 0; i < w->nlogs; i++)
    if (strlen(w->logs[i].origin) == len &&
        memcmp(w->logs[i].origin, origin, len) == 0)
      return &w->logs[i];
  return NULL;
}

static void
log_cleanup(struct witness_log *l)
{
  for (size_t i = 0; i < l->nkeys; i++) {
    ledger_verifier_free(l->keys[i]);
    free(l->key_texts[i]);
  }
  free(l->keys);
  free(l->key_texts);
  free(l->origin);
  free(l->note);
  memset(l, 0, sizeof *l);
}

void
witness_free(struct witness *w)
{
  if (w == NULL)
    return;
  for (size_t i = 0; i < w->nlogs; i++)
    log_cleanup(&w->logs[i]);
  free(w->logs);
  free(w->path);
  free(w->key_path);
  ledger_signer_free(w->signer);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

static struct witness *
witness_new(const char *path)
{
  struct witness *w = xcalloc(1, sizeof *w);

  w->path = xstrdup(path);
  pthread_mutex_init(&w->lock, NULL);
  return w;
}

char *
witness_verifier(const struct witness *w)
{
  return ledger_signer_verifier_key(w->signer, LEDGER_KEY_COSIGNATURE);
}

/* Adds a log with its keys (texts of type 0x01 verifier keys). */
static int
add_log(struct witness *w, const char *origin, const char *const *keys,
        size_t nkeys, struct buf *err)
{
  struct witness_log *l;
  int rc = OK;

  if (*origin == '\0' || strchr(origin, '\n') != NULL) {
    buf_printf(err, _("the origin must be one non-empty line"));
    return ERR_INVALID;
  }
  if (nkeys == 0 || nkeys > WITNESS_MAX_KEYS) {
    buf_printf(err, _("a log needs 1 to %d verifier keys"), WITNESS_MAX_KEYS);
    return ERR_INVALID;
  }
  if (w->nlogs >= WITNESS_MAX_LOGS) {
    buf_printf(err, _("a witness trusts at most %d logs"), WITNESS_MAX_LOGS);
    return ERR_INVALID;
  }
  w->logs = xrealloc(w->logs, (w->nlogs + 1) * sizeof *w->logs);
  l = &w->logs[w->nlogs++];
  memset(l, 0, sizeof *l);
  l->origin = xstrdup(origin);
  ledger_origin_hash(origin, l->origin_hash);
  ledger_empty_root(l->root);
  l->keys = xcalloc(nkeys, sizeof *l->keys);
  l->key_texts = xcalloc(nkeys, sizeof *l->key_texts);
  for (size_t i = 0; i < nkeys && rc == OK; i++) {
    struct ledger_verifier *v = NULL;
    rc = ledger_verifier_parse(keys[i], strlen(keys[i]), &v, err);
    if (rc == OK && ledger_verifier_type(v) != LEDGER_KEY_ED25519) {
      buf_printf(err, _("%s is a cosignature key, not a log's signing key"),
                 keys[i]);
      rc = ERR_INVALID;
    }
    if (rc != OK) {
      ledger_verifier_free(v);
      break;
    }
    l->keys[l->nkeys] = v;
    l->key_texts[l->nkeys++] = xstrdup(keys[i]);
  }
  if (rc != OK) {
    log_cleanup(l);
    w->nlogs--;
  }
  return rc;
}

/* The kept checkpoint of l, verified by one of its keys. */
static int
load_checkpoint(struct witness_log *l, const char *note, struct buf *err)
{
  struct ledger_note *n = NULL;
  struct ledger_checkpoint cp;
  const char *text;
  size_t len;
  int rc, verified = 0;

  memset(&cp, 0, sizeof cp);
  rc = ledger_note_parse(note, strlen(note), &n, err);
  for (size_t i = 0; rc == OK && i < l->nkeys && !verified; i++) {
    int r = ledger_note_verify(n, l->keys[i], NULL, err);
    if (r == OK)
      verified = 1;
    else if (r != ERR_NOTFOUND)
      rc = r;
  }
  if (rc == OK && !verified) {
    buf_printf(err, _("the checkpoint of %s carries no signature by its keys"),
               l->origin);
    rc = ERR_INVALID;
  }
  if (rc == OK) {
    text = ledger_note_text(n, &len);
    rc = ledger_checkpoint_parse(text, len, &cp, err);
  }
  if (rc == OK && strcmp(cp.origin, l->origin) != 0) {
    buf_printf(err, _("the checkpoint kept for %s is of %s"), l->origin,
               cp.origin);
    rc = ERR_INVALID;
  }
  if (rc == OK) {
    l->size = cp.size;
    memcpy(l->root, cp.root, LEDGER_HASH_SIZE);
    l->note = xstrdup(note);
  }
  ledger_checkpoint_cleanup(&cp);
  ledger_note_free(n);
  return rc == OK ? OK : ERR_INVALID;
}

static int
load_log(struct witness *w, const json_t *jl, struct buf *err)
{
  const json_t *jo = json_object_get(jl, "origin");
  const json_t *jk = json_object_get(jl, "keys");
  const json_t *jc = json_object_get(jl, "checkpoint");
  const char *keys[WITNESS_MAX_KEYS];
  size_t n = json_array_size(jk);
  int rc;

  if (!json_is_string(jo) || !json_is_array(jk) || n == 0 ||
      n > WITNESS_MAX_KEYS ||
      (jc && !json_is_null(jc) && !json_is_string(jc))) {
    buf_printf(err,
               _("a log needs \"origin\", \"keys\" (1 to %d) and "
                 "\"checkpoint\" (a note or null)"),
               WITNESS_MAX_KEYS);
    return ERR_INVALID;
  }
  for (size_t i = 0; i < n; i++) {
    if (!json_is_string(json_array_get(jk, i))) {
      buf_puts(err, _("a log's keys are verifier key texts"));
      return ERR_INVALID;
    }
    keys[i] = json_string_value(json_array_get(jk, i));
  }
  if (witness__find(w, json_string_value(jo), strlen(json_string_value(jo)))) {
    buf_printf(err, _("the log %s is listed twice"), json_string_value(jo));
    return ERR_INVALID;
  }
  if ((rc = add_log(w, json_string_value(jo), keys, n, err)) != OK)
    return rc;
  if (json_is_string(jc))
    rc = load_checkpoint(&w->logs[w->nlogs - 1], json_string_value(jc), err);
  return rc;
}

/* Reads the state file's JSON into w (no key loaded). */
static int
read_state(struct witness *w, const char *path, struct buf *err)
{
  json_t *root = NULL, *logs;
  json_error_t je;
  struct buf why;
  int rc = OK;

  buf_init(&why);
  root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (root == NULL) {
    if (access(path, F_OK) != 0 && errno == ENOENT) {
      buf_printf(err,
                 _("%s: no such witness state (make one with 'passage "
                   "witness init')"),
                 path);
      return ERR_NOTFOUND;
    }
    buf_printf(err, _("%s:%d: not a witness state: %s"), path, je.line,
               je.text);
    return ERR_INVALID;
  }
  logs = json_object_get(root, "logs");
  if (json_integer_value(json_object_get(root, "passage_witness")) != 1 ||
      !json_is_string(json_object_get(root, "key")) || !json_is_array(logs)) {
    buf_printf(err, _("%s: not a witness state (version 1, \"key\", \"logs\")"),
               path);
    rc = ERR_INVALID;
    goto out;
  }
  w->key_path = xstrdup(json_string_value(json_object_get(root, "key")));
  for (size_t i = 0; i < json_array_size(logs) && rc == OK; i++) {
    rc = load_log(w, json_array_get(logs, i), &why);
    if (rc != OK)
      buf_printf(err, "%s: log %zu: %s", path, i + 1, why.data ? why.data : "");
  }
out:
  json_decref(root);
  buf_cleanup(&why);
  return rc;
}

static int
load_key(struct witness *w, struct buf *err)
{
  struct buf why;
  int rc;

  buf_init(&why);
  rc = ledger_signer_load(w->key_path, &w->signer, &why);
  if (rc != OK)
    buf_printf(err, "%s: %s", w->key_path, why.data ? why.data : "");
  buf_cleanup(&why);
  return rc;
}

int
witness_load(const char *path, struct witness **out, struct buf *err)
{
  struct witness *w = witness_new(path);
  int rc;

  *out = NULL;
  rc = read_state(w, path, err);
  if (rc == OK)
    rc = load_key(w, err);
  if (rc != OK) {
    witness_free(w);
    return rc;
  }
  *out = w;
  return OK;
}

static int
write_all(int fd, const char *p, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Syncs the folder of path, so that a rename into it is durable. */
static int
sync_parent(const char *path)
{
  char *dir = xstrdup(path), *slash = strrchr(dir, '/');
  int fd, rc;

  if (slash == NULL)
    strcpy(dir, ".");
  else if (slash == dir)
    dir[1] = '\0';
  else
    *slash = '\0';
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  rc = fd < 0 ? -1 : fsync(fd);
  if (fd >= 0)
    close(fd);
  free(dir);
  return rc;
}

int
witness__save(const struct witness *w, struct buf *err)
{
  json_t *root = json_object(), *logs = json_array();
  char *text, *tmp = xasprintf("%s.tmp", w->path);
  int fd, rc = OK;

  json_object_set_new(root, "passage_witness", json_integer(1));
  json_object_set_new(root, "key", json_string(w->key_path));
  for (size_t i = 0; i < w->nlogs; i++) {
    const struct witness_log *l = &w->logs[i];
    json_t *jl = json_object(), *keys = json_array();
    for (size_t k = 0; k < l->nkeys; k++)
      json_array_append_new(keys, json_string(l->key_texts[k]));
    json_object_set_new(jl, "origin", json_string(l->origin));
    json_object_set_new(jl, "keys", keys);
    json_object_set_new(jl, "checkpoint",
                        l->note ? json_string(l->note) : json_null());
    json_array_append_new(logs, jl);
  }
  json_object_set_new(root, "logs", logs);
  text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all(fd, text, strlen(text)) != 0 ||
      write_all(fd, "\n", 1) != 0 || fsync(fd) != 0)
    rc = ERR_IO;
  if (fd >= 0 && close(fd) != 0)
    rc = ERR_IO;
  if (rc == OK && rename(tmp, w->path) != 0)
    rc = ERR_IO;
  if (rc == OK && sync_parent(w->path) != 0)
    rc = ERR_IO;
  if (rc != OK) {
    buf_printf(err, _("cannot write %s: %s"), w->path, strerror(errno));
    unlink(tmp);
  }
  free(text);
  free(tmp);
  return rc;
}

/* The same keys, in any order. */
static int
same_keys(const struct witness_log *l, const char *const *keys, size_t n)
{
  if (l->nkeys != n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    int found = 0;
    for (size_t k = 0; k < l->nkeys && !found; k++)
      found = strcmp(l->key_texts[k], keys[i]) == 0;
    if (!found)
      return 0;
  }
  return 1;
}

int
witness_init(const char *path, const char *origin, const char *const *log_keys,
             size_t nlog_keys, const char *key_path, int *added,
             char **verifier, struct buf *err)
{
  struct witness *w = witness_new(path);
  char abs[PATH_MAX];
  struct witness_log *l;
  int rc;

  *added = 0;
  if (verifier)
    *verifier = NULL;
  if (realpath(key_path, abs) == NULL) {
    buf_printf(err, "%s: %s", key_path, strerror(errno));
    rc = ERR_IO;
    goto out;
  }
  rc = read_state(w, path, err);
  if (rc == ERR_NOTFOUND) {
    buf_reset(err);
    w->key_path = xstrdup(abs);
    rc = OK;
  } else if (rc == OK && strcmp(w->key_path, abs) != 0) {
    buf_printf(err,
               _("%s is the state of the witness key %s, not %s: one key "
                 "serves one witness (cosignatures do not name their "
                 "witness), so give each its own state with --state"),
               path, w->key_path, abs);
    rc = ERR_EXISTS;
  }
  if (rc == OK)
    rc = load_key(w, err);
  if (rc != OK)
    goto out;
  l = witness__find(w, origin, strlen(origin));
  if (l && !same_keys(l, log_keys, nlog_keys)) {
    buf_printf(err,
               _("%s trusts the log %s with other keys already: a log's "
                 "keys are not replaced by init"),
               path, origin);
    rc = ERR_EXISTS;
  } else if (l == NULL) {
    rc = add_log(w, origin, log_keys, nlog_keys, err);
    if (rc == OK)
      rc = witness__save(w, err);
    *added = rc == OK;
  }
  if (rc == OK && verifier)
    *verifier = witness_verifier(w);
out:
  witness_free(w);
  return rc;
}
