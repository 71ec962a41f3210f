import CPNGWriter
import Foundation

/// A PNG file's pixels, decoded by libpng one row at a time as 8-bit RGB: what a stored
/// image really shows, whatever its header and checksum claim. Only one row is held at
/// once, so decoding a 9999×9999 image needs 30 KB.
public enum PNGRows {
    /// Why a file's pixels cannot be read.
    public enum Failure: Error, Sendable {
        /// libpng cannot read it: not a PNG, cut short, a flipped bit caught by a CRC or
        /// zlib's checksum, an interlaced or alpha image.
        case undecodable(PNGError)
        /// A PNG of another size than the one expected; no pixel was decoded.
        case size(width: Int, height: Int)
    }

    /// Hands each row (width × 3 bytes, top row first) of a `width` × `height` image to
    /// `body`, and checks every CRC and the compressed stream to the file's end. Throws
    /// `.size` for a PNG of another size (before decoding a pixel, so that a file cannot
    /// make this decode more than was asked for), `.undecodable` when libpng cannot read
    /// it whole.
    public static func forEach(in png: Data, width: Int, height: Int, _ body: (UnsafeRawBufferPointer) -> Void)
        throws(Failure)
    {
        var message = [CChar](repeating: 0, count: 256)
        var (readWidth, readHeight) = (UInt32(clamping: width), UInt32(clamping: height))
        let status = withoutActuallyEscaping(body) { body in
            var handler = Handler(body: body)
            return withUnsafeMutablePointer(to: &handler) { context in
                png.withUnsafeBytes { bytes in
                    cpng_read_rows(
                        bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &readWidth, &readHeight,
                        { context, row, count in
                            context!.assumingMemoryBound(to: Handler.self).pointee.body(
                                UnsafeRawBufferPointer(start: row, count: count))
                        }, context, &message, message.count)
                }
            }
        }
        if status == -2 { throw .size(width: Int(readWidth), height: Int(readHeight)) }
        guard status == 0 else {
            throw .undecodable(
                PNGError(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
    }

    private struct Handler {
        let body: (UnsafeRawBufferPointer) -> Void
    }
}
