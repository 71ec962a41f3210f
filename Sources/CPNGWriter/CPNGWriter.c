#include "CPNGWriter.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct CPNGWriter {
    png_structp png;
    png_infop info;
    uint8_t *bytes;
    size_t length, capacity;
    uint32_t width, height, rows_written;
    int failed;
    char error[256];
};

static void cpng_fail(CPNGWriter *w, const char *message) {
    w->failed = 1;
    snprintf(w->error, sizeof w->error, "%s", message);
}

static void cpng_on_error(png_structp png, png_const_charp message) {
    CPNGWriter *w = png_get_error_ptr(png);
    cpng_fail(w, message);
    png_longjmp(png, 1);
}

static void cpng_on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void cpng_on_write(png_structp png, png_bytep data, png_size_t n) {
    CPNGWriter *w = png_get_io_ptr(png);
    if (n > SIZE_MAX - w->length) png_error(png, "PNG output exceeds addressable memory");
    if (w->length + n > w->capacity) {
        size_t capacity = w->capacity ? w->capacity : 65536;
        while (capacity < w->length + n) capacity = capacity > SIZE_MAX / 2 ? SIZE_MAX : capacity * 2;
        uint8_t *grown = realloc(w->bytes, capacity);
        if (!grown) png_error(png, "out of memory for PNG output");
        w->bytes = grown;
        w->capacity = capacity;
    }
    memcpy(w->bytes + w->length, data, n);
    w->length += n;
}

static void cpng_on_flush(png_structp png) { (void)png; }

CPNGWriter *cpng_writer_create(uint32_t width, uint32_t height, int compression_level, int filters,
                               char *error, size_t error_size) {
    CPNGWriter *w = calloc(1, sizeof *w);
    if (!w) {
        if (error && error_size) snprintf(error, error_size, "out of memory for the PNG writer");
        return NULL;
    }
    w->width = width;
    w->height = height;
    w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, w, cpng_on_error, cpng_on_warning);
    if (w->png) w->info = png_create_info_struct(w->png);
    if (!w->png || !w->info) {
        if (error && error_size) snprintf(error, error_size, "libpng could not create its write state");
        cpng_writer_destroy(w);
        return NULL;
    }
    if (setjmp(png_jmpbuf(w->png))) {
        if (error && error_size) snprintf(error, error_size, "%s", w->error);
        cpng_writer_destroy(w);
        return NULL;
    }
    png_set_write_fn(w->png, w, cpng_on_write, cpng_on_flush);
    png_set_IHDR(w->png, w->info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(w->png, compression_level);
    png_set_filter(w->png, PNG_FILTER_TYPE_BASE, filters);
    png_write_info(w->png, w->info);
    return w;
}

int cpng_writer_write_rows(CPNGWriter *w, const uint8_t *rows, uint32_t count, size_t stride) {
    if (w->failed) return -1;
    if (count > w->height - w->rows_written) {
        cpng_fail(w, "more rows than the image height");
        return -1;
    }
    if (setjmp(png_jmpbuf(w->png))) return -1;
    for (uint32_t k = 0; k < count; k++) png_write_row(w->png, rows + (size_t)k * stride);
    w->rows_written += count;
    return 0;
}

int cpng_writer_finish(CPNGWriter *w) {
    if (w->failed) return -1;
    if (w->rows_written != w->height) {
        cpng_fail(w, "image ended before its last row");
        return -1;
    }
    if (setjmp(png_jmpbuf(w->png))) return -1;
    png_write_end(w->png, w->info);
    return 0;
}

uint8_t *cpng_writer_take_output(CPNGWriter *w, size_t *length) {
    uint8_t *bytes = w->bytes;
    *length = w->length;
    w->bytes = NULL;
    w->length = w->capacity = 0;
    return bytes;
}

const char *cpng_writer_error(const CPNGWriter *w) { return w->error; }

void cpng_writer_destroy(CPNGWriter *w) {
    if (!w) return;
    if (w->png) png_destroy_write_struct(&w->png, w->info ? &w->info : NULL);
    free(w->bytes);
    free(w);
}

struct cpng_reader {
    const uint8_t *bytes;
    size_t length, offset;
    char error[256];
};

static void cpng_reader_on_error(png_structp png, png_const_charp message) {
    struct cpng_reader *r = png_get_error_ptr(png);
    snprintf(r->error, sizeof r->error, "%s", message);
    png_longjmp(png, 1);
}

static void cpng_on_read(png_structp png, png_bytep data, png_size_t n) {
    struct cpng_reader *r = png_get_io_ptr(png);
    if (n > r->length - r->offset) png_error(png, "the file ends early");
    memcpy(data, r->bytes + r->offset, n);
    r->offset += n;
}

// Whether every chunk before the first IDAT lies inside the file. libpng allocates a
// chunk's buffer from the length the chunk declares, before it reads the chunk: a
// 300-byte file declaring a 2 GB tEXt chunk made it allocate 2 GB (found by
// Fuzz/FuzzPNGCheck), and its chunk-size limit does not cover text chunks. A file cut
// inside a chunk header is left to libpng, which says so.
static int cpng_chunks_fit(const uint8_t *bytes, size_t length) {
    size_t offset = 8;
    while (length - offset >= 8) {
        const uint8_t *chunk = bytes + offset;
        size_t declared = (size_t)chunk[0] << 24 | (size_t)chunk[1] << 16 | (size_t)chunk[2] << 8 | chunk[3];
        if (memcmp(chunk + 4, "IDAT", 4) == 0) return 1;
        if (declared + 12 > length - offset) return 0;
        offset += declared + 12;
    }
    return 1;
}

// Checks that the bytes can be handed to libpng, and makes a reader over them that reads
// no chunk larger than the file. Returns NULL, with the reason in `error`, when they
// cannot. The caller sets its own jump target (setjmp) before any libpng call that reads.
static png_structp cpng_reader_open(struct cpng_reader *r, png_infop *info, char *error, size_t error_size) {
    if (r->length < 8 || png_sig_cmp(r->bytes, 0, 8) != 0) {
        if (error && error_size) snprintf(error, error_size, "it does not start with the PNG signature");
        return NULL;
    }
    if (!cpng_chunks_fit(r->bytes, r->length)) {
        if (error && error_size) snprintf(error, error_size, "a chunk before the image data is longer than the file");
        return NULL;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, r, cpng_reader_on_error, cpng_on_warning);
    *info = png ? png_create_info_struct(png) : NULL;
    if (!*info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        if (error && error_size) snprintf(error, error_size, "out of memory for the PNG reader");
        return NULL;
    }
    png_set_read_fn(png, r, cpng_on_read);
    // Inflating a compressed chunk (zTXt, iCCP) stops at the file's size rather than at
    // libpng's default of 8 MB: this reader has no use for their text or profile.
    png_set_chunk_malloc_max(png, r->length);
    return png;
}

int cpng_read_header(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, int *bit_depth,
                     int *color_type, char *error, size_t error_size) {
    struct cpng_reader r = {bytes, length, 0, {0}};
    png_infop info = NULL;
    png_structp png = cpng_reader_open(&r, &info, error, error_size);
    if (!png) return -1;
    if (setjmp(png_jmpbuf(png))) {
        if (error && error_size) snprintf(error, error_size, "%s", r.error);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_read_info(png, info);
    *width = png_get_image_width(png, info);
    *height = png_get_image_height(png, info);
    *bit_depth = png_get_bit_depth(png, info);
    *color_type = png_get_color_type(png, info);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

int cpng_read_rows(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, cpng_row_handler handler,
                   void *context, char *error, size_t error_size) {
    struct cpng_reader r = {bytes, length, 0, {0}};
    png_infop info = NULL;
    png_structp png = cpng_reader_open(&r, &info, error, error_size);
    if (!png) return -1;
    // Volatile: changed after setjmp and read after a longjmp back to it.
    uint8_t *volatile row = NULL;
    if (setjmp(png_jmpbuf(png))) {
        if (error && error_size) snprintf(error, error_size, "%s", r.error);
        free(row);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_read_info(png, info);
    uint32_t wanted_width = *width, wanted_height = *height;
    *width = png_get_image_width(png, info);
    *height = png_get_image_height(png, info);
    if (*width != wanted_width || *height != wanted_height) {
        png_destroy_read_struct(&png, &info, NULL);
        return -2;
    }
    int color_type = png_get_color_type(png, info);
    if (png_get_interlace_type(png, info) != PNG_INTERLACE_NONE) png_error(png, "the image is interlaced");
    if (color_type & PNG_COLOR_MASK_ALPHA) png_error(png, "the image has an alpha channel");
    png_set_expand(png);
    png_set_strip_16(png);
    if (!(color_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(png);
    png_read_update_info(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (row_bytes != (size_t)*width * 3) png_error(png, "the image does not decode to RGB");
    row = malloc(row_bytes);
    if (!row) png_error(png, "out of memory for a row");
    for (uint32_t y = 0; y < *height; y++) {
        png_read_row(png, row, NULL);
        handler(context, row, row_bytes);
    }
    png_read_end(png, NULL);
    free(row);
    row = NULL;
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

const char *cpng_libpng_version(void) { return png_get_libpng_ver(NULL); }

const char *cpng_zlib_version(void) { return zlibVersion(); }
