/*
 * `passage log tiles --out DIR`: the log's tile tree as files, for any web
 * server (rsync the folder). A mirror must never show a checkpoint whose
 * tiles are not all there, and never hold two versions of a tile, so:
 * - only what the folder lacks is written, and a file once in place is
 *   never rewritten (full tiles are immutable; so are partial ones, which
 *   have their width in their name);
 * - each file is written under a temporary name in DIR/.passage-tmp, the
 *   whole batch synced with one syncfs (thousands of fsyncs would take
 *   minutes on a first export), then renamed into place and the folders
 *   that changed synced;
 * - only then is the new checkpoint written, synced and renamed over the
 *   old one, and DIR synced.
 * A crash at any moment leaves the old checkpoint with all its tiles, and
 * at most some new complete tiles that the next run keeps.
 */
#include "app/app.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app_int.h"
#include "corridor/corridor.h"
#include "ledger/ledger.h"

/* Files renamed into place per syncfs: bounds the list kept in memory. */
#define BATCH 2048

struct pending {
  char *tmp, *path;
};

struct mirror {
  const char *out;
  char *tmpdir;
  struct pending *p;
  size_t n;
  struct strmap *dirs; /* folders to sync once files are renamed in */
  size_t seq;          /* temporary names */
  size_t written;
  struct app_error *err;
};

static int
fail_errno(struct mirror *m, const char *what, const char *path)
{
  const char *why = strerror(errno);

  /* One whole sentence per verb, so that each translates as a whole. */
  if (strcmp(what, "create") == 0)
    return app__fail(m->err, ERR_IO, APP_ERROR_PROGRAM, NULL,
                     "cannot create %s: %s", path, why);
  if (strcmp(what, "sync") == 0)
    return app__fail(m->err, ERR_IO, APP_ERROR_PROGRAM, NULL,
                     "cannot sync %s: %s", path, why);
  return app__fail(m->err, ERR_IO, APP_ERROR_PROGRAM, NULL,
                   "cannot write %s: %s", path, why);
}

static int
sync_dir(const char *path)
{
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc;

  if (fd < 0)
    return -1;
  rc = fsync(fd);
  close(fd);
  return rc;
}

/* Creates the folders of path below m->out (path's own last part is the
 * file), each new one noted so that its parent is synced. */
static int
make_dirs(struct mirror *m, const char *path)
{
  char *d = xstrdup(path);
  size_t base = strlen(m->out);
  int rc = OK;

  for (char *s = d + base + 1; (s = strchr(s, '/')) != NULL; s++) {
    *s = '\0';
    if (mkdir(d, 0755) == 0) {
      char *slash = strrchr(d, '/');
      *slash = '\0';
      strmap_put(m->dirs, d, "");
      *slash = '/';
    } else if (errno != EEXIST) {
      rc = fail_errno(m, "create", d);
      break;
    }
    *s = '/';
  }
  free(d);
  return rc;
}

static int
write_all(int fd, const void *data, size_t len)
{
  const char *p = data;

  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* Renames the batch into place after one sync of the filesystem, then
 * syncs the folders they went into. */
static int
flush(struct mirror *m)
{
  int fd, rc = OK;

  if (m->n == 0)
    return OK;
  fd = open(m->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || syncfs(fd) != 0)
    rc = fail_errno(m, "sync", m->tmpdir);
  if (fd >= 0)
    close(fd);
  for (size_t i = 0; i < m->n; i++) {
    if (rc == OK && rename(m->p[i].tmp, m->p[i].path) != 0)
      rc = fail_errno(m, "write", m->p[i].path);
    if (rc == OK) {
      char *slash = strrchr(m->p[i].path, '/');
      *slash = '\0';
      strmap_put(m->dirs, m->p[i].path, "");
      *slash = '/';
    } else {
      unlink(m->p[i].tmp);
    }
    free(m->p[i].tmp);
    free(m->p[i].path);
  }
  m->n = 0;
  for (size_t i = 0; rc == OK && i < strmap_count(m->dirs); i++)
    if (sync_dir(strmap_key(m->dirs, i)) != 0)
      rc = fail_errno(m, "sync", strmap_key(m->dirs, i));
  strmap_free(m->dirs);
  m->dirs = strmap_new();
  return rc;
}

/* Writes tile t unless the folder has it. */
static int
put_tile(struct mirror *m, struct store *st, const struct ledger_tile *t)
{
  struct buf rel, bytes;
  char *path = NULL, *tmp = NULL;
  struct stat sb;
  int fd = -1, rc;

  buf_init(&rel);
  buf_init(&bytes);
  ledger_tile_path(t, &rel);
  path = xasprintf("%s/%s", m->out, rel.data);
  if (stat(path, &sb) == 0) {
    rc = OK; /* in place already: immutable */
    goto out;
  }
  if ((rc = app__tile_bytes(st, t, &bytes)) != OK) {
    app__fail(m->err, rc, APP_ERROR_PROGRAM, NULL, "cannot read %s: %s",
              rel.data, store_errmsg(st));
    goto out;
  }
  if ((rc = make_dirs(m, path)) != OK)
    goto out;
  tmp = xasprintf("%s/%zu", m->tmpdir, m->seq++);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all(fd, bytes.data, bytes.len) != 0 || close(fd) != 0) {
    rc = fail_errno(m, "write", tmp);
    if (fd >= 0)
      unlink(tmp);
    goto out;
  }
  m->p = xrealloc(m->p, (m->n + 1) * sizeof *m->p);
  m->p[m->n].tmp = tmp;
  m->p[m->n].path = path;
  m->n++;
  tmp = path = NULL;
  m->written++;
  if (m->n >= BATCH)
    rc = flush(m);
out:
  free(path);
  free(tmp);
  buf_cleanup(&rel);
  buf_cleanup(&bytes);
  return rc;
}

/* Every tile of the tree of `size` leaves at level (entry bundles for
 * LEDGER_TILE_ENTRIES) that the tree of old leaves lacked. */
static int
put_level(struct mirror *m, struct store *st, int level, uint64_t old,
          uint64_t size)
{
  uint64_t full, old_full;
  unsigned partial, old_partial;
  int lv = level == LEDGER_TILE_ENTRIES ? 0 : level;
  int rc = OK;

  ledger_tile_count(size, lv, &full, &partial);
  ledger_tile_count(old, lv, &old_full, &old_partial);
  for (uint64_t i = old_full; i < full && rc == OK; i++) {
    struct ledger_tile t = {level, i, LEDGER_TILE_WIDTH};
    rc = put_tile(m, st, &t);
  }
  if (rc == OK && partial > 0) {
    struct ledger_tile t = {level, full, partial};
    rc = put_tile(m, st, &t);
  }
  return rc;
}

/*
 * The folder's checkpoint, if any: its size in *old, after checking that
 * it is this log's and that the store's tree has its root at its size (a
 * mirror of another history must not be extended with this one).
 */
static int
folder_checkpoint(struct mirror *m, struct store *st, uint64_t size,
                  uint64_t *old)
{
  char *path = xasprintf("%s/checkpoint", m->out);
  struct ledger_note *note = NULL;
  struct ledger_checkpoint cp;
  uint8_t root[LEDGER_HASH_SIZE];
  struct ledger_source src;
  struct buf text, why;
  const char *body;
  size_t blen;
  int rc = OK;

  *old = 0;
  memset(&cp, 0, sizeof cp);
  buf_init(&text);
  buf_init(&why);
  if (access(path, F_OK) != 0 && errno == ENOENT)
    goto out;
  if (app__read_file(path, LEDGER_NOTE_MAX, &text) != OK ||
      ledger_note_parse(text.data ? text.data : "", text.len, &note, &why) !=
          OK) {
    rc = app__fail(m->err, ERR_VERIFY, APP_ERROR_OPERATION, "out",
                   "%s is not a signed checkpoint: refusing to write over "
                   "it",
                   path);
    goto out;
  }
  body = ledger_note_text(note, &blen);
  store_ledger_source(st, &src);
  if (ledger_checkpoint_parse(body, blen, &cp, &why) != OK ||
      strcmp(cp.origin, store_corridor(st)->log) != 0)
    rc = app__fail(m->err, ERR_VERIFY, APP_ERROR_OPERATION, "out",
                   "%s is not a checkpoint of this log ('%s'): refusing to "
                   "mix two logs in one folder",
                   path, store_corridor(st)->log);
  else if (cp.size > size)
    rc = app__fail(m->err, ERR_VERIFY, APP_ERROR_OPERATION, "out",
                   "%s has %llu entries, the tree to publish only %llu: the "
                   "folder was published from a longer log",
                   path, (unsigned long long)cp.size, (unsigned long long)size);
  else if (ledger_root(&src, cp.size, root) != OK ||
           memcmp(root, cp.root, LEDGER_HASH_SIZE) != 0)
    rc = app__fail(m->err, ERR_VERIFY, APP_ERROR_OPERATION, "out",
                   "%s is not a checkpoint of this store's tree (the root "
                   "of its first %llu entries differs): the folder was "
                   "published from another history; nothing written",
                   path, (unsigned long long)cp.size);
  else
    *old = cp.size;
out:
  ledger_checkpoint_cleanup(&cp);
  ledger_note_free(note);
  buf_cleanup(&text);
  buf_cleanup(&why);
  free(path);
  return rc;
}

/* The checkpoint file, last: temporary file, fsync, rename, folder fsync. */
static int
put_checkpoint(struct mirror *m, const struct buf *note)
{
  char *path = xasprintf("%s/checkpoint", m->out);
  char *tmp = xasprintf("%s/checkpoint", m->tmpdir);
  int fd, rc = OK;

  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write_all(fd, note->data, note->len) != 0 || fsync(fd) != 0)
    rc = fail_errno(m, "write", tmp);
  if (fd >= 0 && close(fd) != 0 && rc == OK)
    rc = fail_errno(m, "write", tmp);
  if (rc == OK && rename(tmp, path) != 0)
    rc = fail_errno(m, "write", path);
  if (rc == OK && sync_dir(m->out) != 0)
    rc = fail_errno(m, "sync", m->out);
  if (rc != OK)
    unlink(tmp);
  free(path);
  free(tmp);
  return rc;
}

/* The checkpoint to publish: the latest kept, or the current tree signed
 * now when entries came after it. */
static int
pick_checkpoint(struct app *app, struct store *st, const char *key,
                struct buf *note, uint64_t *size, size_t *ncosig,
                int *signed_now, struct app_error *err)
{
  char *fresh = NULL;
  int rc;

  rc = app__cosigned(st, note, size, ncosig);
  if (rc == OK && *size == store_size(st))
    return OK;
  if (rc != OK && rc != ERR_NOTFOUND)
    return app__fail(err, rc, APP_ERROR_PROGRAM, NULL, "%s", store_errmsg(st));
  buf_reset(note);
  *ncosig = 0;
  if ((rc = app__sign_tree(app, key, &fresh, err)) != OK)
    return rc;
  buf_puts(note, fresh);
  free(fresh);
  *size = store_size(st);
  *signed_now = 1;
  return OK;
}

/* Removes what a run killed midway left in the temporary folder. */
static void
clear_tmpdir(const char *dir)
{
  DIR *d = opendir(dir);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') {
      char *p = xasprintf("%s/%s", dir, e->d_name);
      unlink(p);
      free(p);
    }
  closedir(d);
}

int
app_log_tiles(struct app *app, const struct app_tiles_query *q,
              struct app_tiles_result *out, struct app_error *err)
{
  struct mirror m = {0};
  struct store *st;
  struct buf note;
  uint64_t size = 0, old = 0;
  size_t ncosig = 0;
  int rc;

  memset(out, 0, sizeof *out);
  if (q->out == NULL || *q->out == '\0')
    return app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "out",
                     "tiles needs --out DIR, the folder to publish");
  if ((rc = app__store(app, 0, &st, err)) != OK)
    return rc;
  buf_init(&note);
  m.out = q->out;
  m.err = err;
  m.dirs = strmap_new();
  m.tmpdir = xasprintf("%s/.passage-tmp", q->out);
  if (mkdir(q->out, 0755) != 0 && errno != EEXIST) {
    rc = fail_errno(&m, "create", q->out);
    goto out;
  }
  rc = pick_checkpoint(app, st, q->key, &note, &size, &ncosig, &out->signed_now,
                       err);
  if (rc == OK)
    rc = folder_checkpoint(&m, st, size, &old);
  if (rc != OK)
    goto out;
  /* What a crash left half-made is thrown away; finished files stay. */
  if (mkdir(m.tmpdir, 0755) != 0 && errno != EEXIST) {
    rc = fail_errno(&m, "create", m.tmpdir);
    goto out;
  }
  clear_tmpdir(m.tmpdir);
  rc = put_level(&m, st, LEDGER_TILE_ENTRIES, old, size);
  for (int level = 0; rc == OK && level <= 7 && (size >> (8 * level)) > 0;
       level++)
    rc = put_level(&m, st, level, old, size);
  if (rc == OK)
    rc = flush(&m);
  /* Always: the same tree may have gained cosignatures. */
  if (rc == OK)
    rc = put_checkpoint(&m, &note);
  if (rc == OK) {
    out->size = size;
    out->old_size = old;
    out->written = m.written;
    out->cosignatures = ncosig;
  }
out:
  for (size_t i = 0; i < m.n; i++) {
    unlink(m.p[i].tmp);
    free(m.p[i].tmp);
    free(m.p[i].path);
  }
  free(m.p);
  if (m.tmpdir)
    rmdir(m.tmpdir);
  free(m.tmpdir);
  strmap_free(m.dirs);
  buf_cleanup(&note);
  return rc;
}
