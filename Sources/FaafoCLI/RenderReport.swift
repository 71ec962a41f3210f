import Foundation
import FractalCore
import FractalJob

/// What `faafo render` reports about a fractal, as JSON or as text.
struct RenderReport: Encodable {
    var output: String
    /// The task as rendered: c settled, the seed it was drawn from when it was.
    var fractal: FractalRequest
    var checksum: String
    var pixelChecksum: String
    var size: Int
    var duration: Double
    var threads: Int
    var work: Int
    var libpng: String
    var zlib: String

    /// The keys besides the fractal's own, which stand beside them in the same object.
    enum CodingKeys: String, CodingKey {
        case output, checksum, size, duration, threads, work, libpng, zlib
        case pixelChecksum = "pixel_checksum"
    }

    init(_ r: RenderedFractal, threads: Int, output: String) {
        self.output = output
        fractal = r.parameters.request
        checksum = r.checksum
        pixelChecksum = r.pixelChecksum
        size = r.size
        duration = (r.duration * 1e6).rounded() / 1e6
        self.threads = threads
        work = r.work
        libpng = r.encoder.libpng
        zlib = r.encoder.zlib
    }

    func encode(to encoder: any Encoder) throws {
        try fractal.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(output, forKey: .output)
        try c.encode(checksum, forKey: .checksum)
        try c.encode(pixelChecksum, forKey: .pixelChecksum)
        try c.encode(size, forKey: .size)
        try c.encode(duration, forKey: .duration)
        try c.encode(threads, forKey: .threads)
        try c.encode(work, forKey: .work)
        try c.encode(libpng, forKey: .libpng)
        try c.encode(zlib, forKey: .zlib)
    }

    func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var summary: String {
        let rate = duration > 0 ? Double(work) / duration : 0
        let f = fractal
        return """
            wrote \(output): \(f.width) x \(f.height) pixels, \(f.iterations) iterations
              plane           (\(f.xa), \(f.xb)) x (\(f.ya), \(f.yb))
              c               (\(Self.text(f.cx)), \(Self.text(f.cy)))\(f.seed.map { " from seed \($0)" } ?? "")
              size            \(size) bytes
              checksum        \(checksum)
              pixel checksum  \(pixelChecksum)
              duration        \(String(format: "%.6f", duration)) seconds on \(threads) thread\(threads == 1 ? "" : "s")
              work            \(work) escape iterations, \(String(format: "%.3g", rate)) a second
              encoder         libpng \(libpng), zlib \(zlib)
            """
    }

    /// A value of the report's fractal as text; c is always settled in a report.
    private static func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "none" }
}
