import Foundation
import FractalJob

/// What `faafo render` reports about a fractal, as JSON or as text.
struct RenderReport: Encodable {
    var output: String
    var width: Int
    var height: Int
    var iterations: Int
    var xa: Double
    var xb: Double
    var ya: Double
    var yb: Double
    var cx: Double
    var cy: Double
    var seed: UInt64?
    var checksum: String
    var pixelChecksum: String
    var size: Int
    var duration: Double
    var threads: Int
    var work: Int
    var libpng: String
    var zlib: String

    enum CodingKeys: String, CodingKey {
        case output, width, height, iterations, xa, xb, ya, yb, cx, cy, seed, checksum, size, duration,
            threads, work, libpng, zlib
        case pixelChecksum = "pixel_checksum"
    }

    init(_ r: RenderedFractal, threads: Int, output: String) {
        let p = r.parameters
        self.output = output
        width = p.width
        height = p.height
        iterations = p.iterations
        xa = p.xa
        xb = p.xb
        ya = p.ya
        yb = p.yb
        cx = p.cx
        cy = p.cy
        seed = p.seed
        checksum = r.checksum
        pixelChecksum = r.pixelChecksum
        size = r.size
        duration = (r.duration * 1e6).rounded() / 1e6
        self.threads = threads
        work = r.work
        libpng = r.encoder.libpng
        zlib = r.encoder.zlib
    }

    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var summary: String {
        let rate = duration > 0 ? Double(work) / duration : 0
        return """
            wrote \(output): \(width) x \(height) pixels, \(iterations) iterations
              plane           (\(xa), \(xb)) x (\(ya), \(yb))
              c               (\(cx), \(cy))\(seed.map { " from seed \($0)" } ?? "")
              size            \(size) bytes
              checksum        \(checksum)
              pixel checksum  \(pixelChecksum)
              duration        \(String(format: "%.6f", duration)) seconds on \(threads) thread\(threads == 1 ? "" : "s")
              work            \(work) escape iterations, \(String(format: "%.3g", rate)) a second
              encoder         libpng \(libpng), zlib \(zlib)
            """
    }
}
