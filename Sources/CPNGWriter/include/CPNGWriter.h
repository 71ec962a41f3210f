#ifndef CPNGWRITER_H
#define CPNGWRITER_H

#include <stddef.h>
#include <stdint.h>

/// An in-memory PNG encoder for 8-bit RGB images over libpng.
///
/// libpng reports errors with longjmp, which must not cross Swift frames; every entry
/// point here sets its own jump target, so a libpng error becomes a return value and a
/// message instead. A writer that has failed once refuses further work.
typedef struct CPNGWriter CPNGWriter;

/// libpng's filter mask for "Up" on every row.
#define CPNG_FILTER_UP 0x20

/// Creates a writer and writes the PNG header. `filters` is a libpng filter mask.
/// Returns NULL when memory runs out or libpng refuses the header; `error` (if not NULL,
/// `error_size` bytes) then holds the reason.
CPNGWriter *cpng_writer_create(uint32_t width, uint32_t height, int compression_level, int filters,
                               char *error, size_t error_size);

/// Encodes `count` rows of `width * 3` bytes; row k starts at `rows + k * stride`.
/// Returns 0, or -1 after an error (see cpng_writer_error).
int cpng_writer_write_rows(CPNGWriter *writer, const uint8_t *rows, uint32_t count, size_t stride);

/// Writes the end of the image. Returns 0, or -1 after an error or when rows are missing.
int cpng_writer_finish(CPNGWriter *writer);

/// Hands the encoded bytes to the caller, who releases them with free(). Call once, after
/// a successful finish; the writer keeps no pointer to them.
uint8_t *cpng_writer_take_output(CPNGWriter *writer, size_t *length);

/// The last error's message, or an empty string.
const char *cpng_writer_error(const CPNGWriter *writer);

/// Releases the writer and, unless taken, its output.
void cpng_writer_destroy(CPNGWriter *writer);

/// Reads a PNG file's header from memory with libpng: the signature, the IHDR chunk (its
/// CRC included) and every chunk up to the first IDAT. Returns 0 and fills the four out
/// values, or -1 with the reason in `error` (`error_size` bytes). The pixels are not decoded.
int cpng_read_header(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, int *bit_depth,
                     int *color_type, char *error, size_t error_size);

/// Called with each decoded row of `row_bytes` bytes, top row first.
typedef void (*cpng_row_handler)(void *context, const uint8_t *row, size_t row_bytes);

/// Decodes a whole non-interlaced PNG file from memory with libpng, handing each row to
/// `handler` as 8-bit RGB (a palette or a lower bit depth expanded, grey made RGB, 16-bit
/// samples cut to 8; an alpha channel is refused), then reads the chunks after the image
/// data, so that every CRC and the zlib stream's checksum are checked. Memory stays at
/// one row whatever the image's size. Returns 0, or -1 with the reason in `error`.
/// Call it only on a file whose header was read, and whose size was checked, already.
///
/// `width` and `height` say what size the image must be: the header's is written back to
/// them, and a file of another size returns -2 before any pixel is decoded.
int cpng_read_rows(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, cpng_row_handler handler,
                   void *context, char *error, size_t error_size);

/// Versions of the libraries this process runs with (not the headers it was built with).
const char *cpng_libpng_version(void);
const char *cpng_zlib_version(void);

#endif
