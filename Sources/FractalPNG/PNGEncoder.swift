import CPNGWriter
import Foundation

/// Encodes an 8-bit RGB image as PNG with the render contract's settings: zlib level 1,
/// filter Up on every row, no interlace, no ancillary chunks. Rows go in as they are
/// rendered; the file comes out at `finish()`.
public final class PNGEncoder {
    public static let compressionLevel: Int32 = 1

    public let width: Int
    public let height: Int
    public private(set) var rowsWritten = 0
    private var writer: OpaquePointer?

    /// Starts an image of `width` × `height` pixels (each 1 to 2^31 - 1).
    public init(width: Int, height: Int) throws(PNGError) {
        guard (1...Int(Int32.max)).contains(width), (1...Int(Int32.max)).contains(height) else {
            throw PNGError("PNG dimensions \(width)×\(height) are out of range")
        }
        self.width = width
        self.height = height
        var message = [CChar](repeating: 0, count: 256)
        let created = cpng_writer_create(
            UInt32(width), UInt32(height), Self.compressionLevel, CPNG_FILTER_UP, &message, message.count)
        guard let created else {
            throw PNGError(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        writer = created
    }

    deinit {
        cpng_writer_destroy(writer)
    }

    /// Appends whole rows: `bytes.count` must be a multiple of `width * 3`.
    public func write(rows bytes: UnsafeBufferPointer<UInt8>) throws(PNGError) {
        guard let writer else { throw PNGError("the encoder has already finished") }
        let stride = width * 3
        guard let base = bytes.baseAddress, bytes.count % stride == 0 else {
            throw PNGError("rows must be whole: \(bytes.count) bytes is not a multiple of \(stride)")
        }
        let count = bytes.count / stride
        guard count <= height - rowsWritten else {
            throw PNGError("\(count) rows would pass the image height of \(height)")
        }
        guard cpng_writer_write_rows(writer, base, UInt32(count), stride) == 0 else {
            throw PNGError(String(cString: cpng_writer_error(writer)))
        }
        rowsWritten += count
    }

    /// Ends the image and returns the PNG file's bytes. The encoder is spent afterwards.
    public func finish() throws(PNGError) -> Data {
        guard let writer else { throw PNGError("the encoder has already finished") }
        guard cpng_writer_finish(writer) == 0 else {
            throw PNGError(String(cString: cpng_writer_error(writer)))
        }
        var length = 0
        let bytes = cpng_writer_take_output(writer, &length)
        cpng_writer_destroy(writer)
        self.writer = nil
        guard let bytes else { return Data() }
        return Data(bytesNoCopy: bytes, count: length, deallocator: .free)
    }
}

/// A failure of the PNG encoder (libpng's own message, or a misuse of the encoder).
public struct PNGError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
