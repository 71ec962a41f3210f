import Foundation

/// A PNG's chunks with their CRCs made right. libpng refuses a chunk whose CRC is wrong,
/// and libFuzzer cannot compute one, so without this almost every mutation would stop at
/// the first CRC check (PNGHeaderTests covers that check). libpng itself is not
/// instrumented, so the fuzzer cannot find its way past it alone.
enum PNGChunks {
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

    /// `png` with the CRC of every whole chunk after the signature recomputed; anything
    /// else (no signature, a chunk cut short) is left as it is.
    static func withCorrectCRCs(_ png: Data) -> Data {
        var bytes = [UInt8](png)
        guard bytes.starts(with: signature) else { return png }
        var offset = signature.count
        while bytes.count - offset >= 12 {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            // Type and data, then the CRC.
            guard length <= bytes.count - offset - 12 else { break }
            let crc = crc32(bytes[offset + 4..<offset + 8 + length])
            for i in 0..<4 { bytes[offset + 8 + length + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * i)) }
            offset += 12 + length
        }
        return Data(bytes)
    }

    /// CRC-32 as PNG (and zlib) computes it.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8)
        }
        return crc ^ 0xffff_ffff
    }

    static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xedb8_8320 ^ (c >> 1) : c >> 1 }
    }
}
