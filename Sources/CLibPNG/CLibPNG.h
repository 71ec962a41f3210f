// Umbrella header for the system libpng (Debian: libpng-dev) and zlib it is built on.
#include <png.h>
#include <zlib.h>
