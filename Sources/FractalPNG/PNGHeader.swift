import CPNGWriter
import Foundation

/// What a PNG file's header says, as libpng reads it: the signature, the IHDR chunk (its
/// CRC checked) and the chunks before the first IDAT. The pixels are not decoded, so
/// reading the header of a 9999×9999 image costs as little as a small one's.
public struct PNGHeader: Hashable, Sendable {
    public var width: Int
    public var height: Int
    /// Bits per sample: 8 for the render contract's images (and PIL's RGB ones).
    public var bitDepth: Int
    /// libpng's colour type: 2 for RGB.
    public var colorType: Int

    /// Throws `PNGError` saying why the bytes are not a PNG file libpng can read.
    public init(reading png: Data) throws(PNGError) {
        var width: UInt32 = 0
        var height: UInt32 = 0
        var bitDepth: Int32 = 0
        var colorType: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = png.withUnsafeBytes { bytes in
            cpng_read_header(
                bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &width, &height, &bitDepth, &colorType,
                &message, message.count)
        }
        guard status == 0 else {
            throw PNGError(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.width = Int(width)
        self.height = Int(height)
        self.bitDepth = Int(bitDepth)
        self.colorType = Int(colorType)
    }
}

extension PNGHeader {
    /// The width and height a PNG file's IHDR chunk declares, read from its bytes alone
    /// (no CRC checked, nothing else read): a cheap look for a checker that compares them
    /// with what it expects. Nil when the bytes do not start as a PNG file does.
    public static func declaredSize(of png: Data) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard png.count >= 24, png.prefix(8).elementsEqual(signature),
            png.dropFirst(12).prefix(4).elementsEqual("IHDR".utf8)
        else { return nil }
        func number(at offset: Int) -> Int {
            png.dropFirst(offset).prefix(4).reduce(0) { $0 << 8 | Int($1) }
        }
        return (number(at: 16), number(at: 20))
    }
}
