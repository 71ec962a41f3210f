import Crypto
import Foundation
import FractalCore
import FractalPNG

/// One whole worker task: render the image, encode it as PNG and hash both the pixels
/// and the file. Rows are hashed and encoded as the renderer hands them over, so the
/// full raw image is never held in memory.
public enum RenderJob {
    public static func run(
        _ parameters: FractalParameters, threads: Int = FrameRenderer.defaultThreadCount
    ) throws(PNGError) -> RenderedFractal {
        let started = ContinuousClock.now
        let encoder = try PNGEncoder(width: parameters.width, height: parameters.height)
        var pixelHash = SHA256()
        let statistics = try FrameRenderer(parameters, threads: threads).render { (band) throws(PNGError) in
            pixelHash.update(bufferPointer: UnsafeRawBufferPointer(band.bytes))
            try encoder.write(rows: band.bytes)
        }
        let png = try encoder.finish()
        let checksum = SHA256.hash(data: png)
        let duration = ContinuousClock.now - started
        return RenderedFractal(
            parameters: parameters, png: png,
            checksum: checksum.hexString, pixelChecksum: pixelHash.finalize().hexString,
            duration: duration.seconds, work: statistics.work, encoder: .current)
    }
}

extension Digest {
    /// Lowercase hexadecimal, two digits a byte.
    public var hexString: String {
        withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { out in
                for (index, byte) in bytes.enumerated() {
                    out[2 * index] = hexDigits[Int(byte >> 4)]
                    out[2 * index + 1] = hexDigits[Int(byte & 0x0f)]
                }
                return bytes.count * 2
            }
        }
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

extension Duration {
    /// The duration in seconds, as a double.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
