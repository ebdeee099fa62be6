/*
 * QR codes of a text (the entry page's address carrying a monitor's token,
 * for `passage token create --qr`), with Debian's libqrencode: drawn for a
 * terminal in UTF-8 half blocks, or written as a PNG with libpng.
 */
#include "app/app.h"

#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "app/app_int.h"

/* The light margin a reader needs around the code, in modules
 * (ISO/IEC 18004 asks for 4). */
#define QUIET 4
/* Pixels a module in the PNG. */
#define SCALE 8

/* The symbol of text (error correction M: a phone's camera on a printed
 * or shown code), or NULL with err filled. */
static QRcode *
encode(const char *text, struct app_error *err)
{
  QRcode *q;

  if (text == NULL || *text == '\0') {
    app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "url", "nothing to encode");
    return NULL;
  }
  q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
  if (q == NULL)
    app__fail(err, ERR_USAGE, APP_ERROR_REQUEST, "url",
              "cannot make a QR code of %zu bytes (too long?)", strlen(text));
  return q;
}

/* 1 when module (x, y) of the symbol with its margin is dark. */
static int
dark(const QRcode *q, int x, int y)
{
  x -= QUIET;
  y -= QUIET;
  if (x < 0 || y < 0 || x >= q->width || y >= q->width)
    return 0;
  return q->data[y * q->width + x] & 1;
}

int
app_qr_text(const char *text, struct buf *out, struct app_error *err)
{
  /* Each character is two modules, one above the other. What is drawn
   * (in the terminal's text colour, light on the usual dark background)
   * are the light modules, margin included, so that the code reads dark
   * on light as readers expect; on a light background, invert it or use
   * --qr-png. */
  static const char *const glyph[4] = {
      "\xe2\x96\x88", /* both light: full block */
      "\xe2\x96\x80", /* top light: upper half */
      "\xe2\x96\x84", /* bottom light: lower half */
      " ",            /* both dark */
  };
  QRcode *q = encode(text, err);
  int size;

  if (q == NULL)
    return err->code;
  size = q->width + 2 * QUIET;
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; x++) {
      int top = dark(q, x, y), bottom = y + 1 < size ? dark(q, x, y + 1) : 0;
      buf_puts(out, glyph[top * 2 + bottom]);
    }
    buf_putc(out, '\n');
  }
  QRcode_free(q);
  return OK;
}

/* One row of the PNG: 1 bit a pixel, 0 black. */
static void
png_row(const QRcode *q, int y, int size, png_bytep row)
{
  memset(row, 0xff, (size_t)(size * SCALE + 7) / 8);
  for (int x = 0; x < size; x++)
    if (dark(q, x, y))
      for (int i = 0; i < SCALE; i++) {
        int px = x * SCALE + i;
        row[px / 8] &= (png_byte) ~(0x80 >> (px % 8));
      }
}

static int
write_png(FILE *f, const QRcode *q)
{
  int size = q->width + 2 * QUIET;
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  png_bytep row = xmalloc((size_t)(size * SCALE + 7) / 8);
  volatile int rc = ERR_IO; /* set after setjmp, read after a longjmp */

  if (png == NULL || info == NULL)
    goto out;
  if (setjmp(png_jmpbuf(png)))
    goto out;
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)(size * SCALE),
               (png_uint_32)(size * SCALE), 1, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < size; y++) {
    png_row(q, y, size, row);
    for (int i = 0; i < SCALE; i++)
      png_write_row(png, row);
  }
  png_write_end(png, NULL);
  rc = OK;
out:
  png_destroy_write_struct(&png, &info);
  free(row);
  return rc;
}

int
app_qr_png(const char *text, const char *path, struct app_error *err)
{
  struct app_file o = {0};
  QRcode *q = encode(text, err);
  int rc;

  if (q == NULL)
    return err->code;
  if ((rc = app_file_open(&o, path, err)) != OK)
    goto out;
  if ((rc = write_png(o.f, q)) != OK) {
    app_file_close(&o, 0, err);
    app__fail(err, rc, APP_ERROR_PROGRAM, "qr-png",
              "cannot write %s: libpng failed", path);
    goto out;
  }
  rc = app_file_close(&o, 1, err);
out:
  QRcode_free(q);
  return rc;
}
