import CPNGWriter
import Foundation

/// A PNG file's pixels, decoded by libpng one row at a time as 8-bit RGB: what a stored
/// image really shows, whatever its header and checksum claim. Only one row is held at
/// once, so decoding a 9999×9999 image needs 30 KB.
public enum PNGRows {
    /// Hands each row (width × 3 bytes, top row first) to `body`, and checks every CRC and
    /// the compressed stream to the file's end. Throws `PNGError` when the file cannot be
    /// decoded whole: cut short, a flipped bit caught by a CRC or zlib's checksum, an
    /// interlaced or alpha image.
    public static func forEach(in png: Data, _ body: (UnsafeRawBufferPointer) -> Void) throws(PNGError) {
        var message = [CChar](repeating: 0, count: 256)
        let status = withoutActuallyEscaping(body) { body in
            var handler = Handler(body: body)
            return withUnsafeMutablePointer(to: &handler) { context in
                png.withUnsafeBytes { bytes in
                    cpng_read_rows(
                        bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count,
                        { context, row, count in
                            context!.assumingMemoryBound(to: Handler.self).pointee.body(
                                UnsafeRawBufferPointer(start: row, count: count))
                        }, context, &message, message.count)
                }
            }
        }
        guard status == 0 else {
            throw PNGError(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    private struct Handler {
        let body: (UnsafeRawBufferPointer) -> Void
    }
}
