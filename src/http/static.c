/*
 * Static files: the dashboard (/), the entry page (/entry) and their
 * assets, served from one folder and never from outside it. A path that
 * holds "..", a percent-encoded dot, slash or backslash, a backslash, a
 * NUL or a hidden name is refused before the file system sees it, and the
 * file found must still lie inside the folder once links are resolved.
 */
#include "http/http_int.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PASSAGE_SOURCE_DIR
#define PASSAGE_SOURCE_DIR "."
#endif
#ifndef PASSAGE_DATA_DIR
#define PASSAGE_DATA_DIR "/usr/local/share/passage"
#endif

static int
is_dir(const char *p)
{
  struct stat sb;

  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

char *
http_web_dir(const char *dir)
{
  const char *tries[] = {dir, PASSAGE_SOURCE_DIR "/web/dist",
                         PASSAGE_DATA_DIR "/web"};
  char real[PATH_MAX];

  for (size_t i = dir ? 0 : 1; i < sizeof tries / sizeof tries[0]; i++) {
    if (is_dir(tries[i]) && realpath(tries[i], real))
      return xstrdup(real);
    if (dir)
      return NULL; /* the folder asked for, or none */
  }
  return NULL;
}

static const struct {
  const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
};

static const char *
type_of(const char *path)
{
  const char *dot = strrchr(path, '.');

  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (strcasecmp(dot, types[i].ext) == 0)
      return types[i].type;
  return "application/octet-stream";
}

int
http_path_escapes(const char *raw, const char *path)
{
  const char *q = strchr(raw, '?');
  size_t n = q ? (size_t)(q - raw) : strlen(raw);

  for (size_t i = 0; i < n; i++) {
    if (raw[i] == '\\')
      return 1;
    if (raw[i] == '%' && i + 2 < n) {
      char a = (char)tolower((unsigned char)raw[i + 1]);
      char b = (char)tolower((unsigned char)raw[i + 2]);
      if ((a == '2' && (b == 'e' || b == 'f')) || (a == '5' && b == 'c') ||
          (a == '0' && b == '0'))
        return 1;
    }
  }
  if (strchr(path, '\\'))
    return 1;
  /* No segment may be empty past the first, "..", or hidden. */
  for (const char *p = path; *p; p++)
    if (p[0] == '/' && p[1] == '.')
      return 1;
  return strstr(path, "//") != NULL;
}

static enum MHD_Result
placeholder(struct request *r)
{
  static const char page[] =
      "<!doctype html><meta charset=utf-8><title>Passage</title><p>Passage "
      "serves its API under /api/v1; the dashboard is not built (run "
      "'make build' with node present).\n";

  return http_reply(r, 200, "text/html; charset=utf-8", xstrdup(page),
                    sizeof page - 1);
}

enum MHD_Result
http_static(struct request *r)
{
  const char *web = r->srv->web, *rel;
  char joined[PATH_MAX], real[PATH_MAX];
  struct MHD_Response *resp;
  struct stat sb;
  size_t wl;
  int fd;

  if (http_path_escapes(r->raw, r->path))
    return http_error(r, HTTP_E_BAD_REQUEST, "path",
                      "a path may not hold '..', hidden names, encoded dots, "
                      "slashes or backslashes");
  rel = strcmp(r->path, "/") == 0 || strcmp(r->path, "/index.html") == 0
            ? "index.html"
        : strcmp(r->path, "/entry") == 0 ? "entry.html"
                                         : r->path + 1;
  if (web == NULL)
    return strcmp(rel, "index.html") == 0
               ? placeholder(r)
               : http_error(r, HTTP_E_NOT_FOUND, "path", "no such file");
  wl = strlen(web);
  if ((size_t)snprintf(joined, sizeof joined, "%s/%s", web, rel) >=
          sizeof joined ||
      realpath(joined, real) == NULL || strncmp(real, web, wl) != 0 ||
      real[wl] != '/' || (fd = open(real, O_RDONLY | O_CLOEXEC)) < 0)
    return strcmp(rel, "index.html") == 0
               ? placeholder(r)
               : http_error(r, HTTP_E_NOT_FOUND, "path", "no such file");
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(fd);
    return http_error(r, HTTP_E_NOT_FOUND, "path", "no such file");
  }
  resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
  if (resp == NULL) {
    close(fd);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type_of(real));
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  /* Hashed assets never change under their name; the pages and the
   * service worker must be checked each time, or a new version strands. */
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                          strncmp(r->path, "/assets/", 8) == 0
                              ? "public, max-age=31536000, immutable"
                              : "no-cache");
  return http_queue(r, 200, resp, (size_t)sb.st_size);
}
