import Crypto
import Foundation
import FractalCore
import FractalJob
import FractalPNG
import Testing

/// PNGRows decodes a whole image, row by row, and says why it cannot: what lets the API
/// check a result's pixel checksum against the pixels its image really shows.
@Suite struct PNGRowsTests {
    static func render(width: Int, height: Int) throws -> RenderedFractal {
        let parameters = try FractalRequest(
            width: width, height: height, iterations: 40, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 3
        ).validated()
        return try RenderJob.run(parameters, threads: 1)
    }

    @Test func theDecodedRowsHashToTheRendersPixelChecksum() throws {
        let rendered = try Self.render(width: 53, height: 17)
        var hash = SHA256()
        var rows = 0
        try PNGRows.forEach(in: rendered.png, width: 53, height: 17) { row in
            #expect(row.count == 53 * 3)
            hash.update(bufferPointer: row)
            rows += 1
        }
        #expect(rows == 17)
        #expect(hash.finalize().map { String(format: "%02x", $0) }.joined() == rendered.pixelChecksum)
    }

    @Test func aFlippedBitOrACutFileIsRefused() throws {
        let png = try Self.render(width: 40, height: 30).png
        var flipped = png
        flipped[png.count - 20] ^= 0x10  // in the image data or its checksums, before IEND
        for (label, bytes) in [("a flipped bit", flipped), ("cut short", png.prefix(png.count - 30)), ("not a PNG", Data("x".utf8))] {
            #expect(throws: PNGRows.Failure.self, "\(label)") { try PNGRows.forEach(in: Data(bytes), width: 40, height: 30) { _ in } }
        }
        do {
            try PNGRows.forEach(in: png, width: 30, height: 40) { _ in Issue.record("decoded a row of the wrong size") }
            Issue.record("decoded an image of another size")
        } catch .size(let width, let height) {
            #expect(width == 40 && height == 30)
        } catch {
            Issue.record("\(error)")
        }
        #expect(PNGHeader.declaredSize(of: png)?.width == 40 && PNGHeader.declaredSize(of: png)?.height == 30)
        #expect(PNGHeader.declaredSize(of: Data("not a png at all, not at all".utf8)) == nil)
    }
}
