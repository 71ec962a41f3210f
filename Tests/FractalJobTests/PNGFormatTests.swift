import CLibPNG
import Foundation
import FractalCore
import FractalJob
import FractalPNG
import Testing

/// The PNG file itself: the chunks the contract allows, its header, the Up filter on
/// every row, and that it decodes back to exactly the rendered pixels.
@Suite struct PNGFormatTests {
    struct Chunk {
        let type: String
        let data: Data
    }

    static func chunks(of png: Data) throws -> [Chunk] {
        let bytes = [UInt8](png)
        try #require(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        var chunks: [Chunk] = []
        var at = 8
        while at + 12 <= bytes.count {
            let length = bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[at + 4..<at + 8], as: UTF8.self)
            chunks.append(Chunk(type: type, data: Data(bytes[at + 8..<at + 8 + length])))
            at += 12 + length
        }
        #expect(at == bytes.count)
        return chunks
    }

    static func inflate(_ data: Data, expectedSize: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expectedSize)
        var outLength = uLongf(expectedSize)
        let status = data.withUnsafeBytes { input in
            uncompress(&out, &outLength, input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count))
        }
        try #require(status == Z_OK)
        try #require(Int(outLength) == expectedSize)
        return out
    }

    static let parameters = try! FractalRequest(
        width: 203, height: 61, iterations: 300, xa: -2, xb: 2, ya: -1.5, yb: 1.5, cx: -0.8, cy: 0.156
    ).validated()

    @Test(arguments: [1, 2])
    func decodesToTheRenderedPixelsWithTheContractsSettings(threads: Int) throws {
        let p = Self.parameters
        let rendered = try RenderJob.run(p, threads: threads)
        let chunks = try Self.chunks(of: rendered.png)
        let types = chunks.map(\.type)
        #expect(types.first == "IHDR" && types.last == "IEND")
        #expect(Set(types) == ["IHDR", "IDAT", "IEND"], "no ancillary chunk")

        let header = [UInt8](chunks[0].data)
        let width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        let height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == p.width && height == p.height)
        #expect(header[8] == 8, "bit depth")
        #expect(header[9] == 2, "colour type RGB")
        #expect(header[12] == 0, "no interlace")

        let stride = p.width * 3
        let idat = chunks.filter { $0.type == "IDAT" }.reduce(Data()) { $0 + $1.data }
        let filtered = try Self.inflate(idat, expectedSize: (stride + 1) * p.height)
        var pixels = [UInt8](repeating: 0, count: stride * p.height)
        for row in 0..<p.height {
            let line = row * (stride + 1)
            #expect(filtered[line] == 2, "row \(row) uses filter Up")
            for k in 0..<stride {
                let above = row == 0 ? 0 : pixels[(row - 1) * stride + k]
                pixels[row * stride + k] = filtered[line + 1 + k] &+ above
            }
        }
        var expected: [UInt8] = []
        _ = FrameRenderer(p, threads: 1).render { expected += $0.bytes }
        #expect(pixels == expected)
    }

    @Test func encoderRefusesRowsPastTheHeightAndAnEarlyEnd() throws {
        let encoder = try PNGEncoder(width: 4, height: 2)
        let row = [UInt8](repeating: 7, count: 12)
        try row.withUnsafeBufferPointer { try encoder.write(rows: $0) }
        #expect(throws: PNGError.self) { try encoder.finish() }  // one row missing

        let full = try PNGEncoder(width: 4, height: 1)
        let twoRows = [UInt8](repeating: 7, count: 24)
        #expect(throws: PNGError.self) { try twoRows.withUnsafeBufferPointer { try full.write(rows: $0) } }
        let partial = [UInt8](repeating: 7, count: 10)
        #expect(throws: PNGError.self) { try partial.withUnsafeBufferPointer { try full.write(rows: $0) } }
        try row.withUnsafeBufferPointer { try full.write(rows: $0) }
        let png = try full.finish()
        #expect(png.count > 8)
        #expect(throws: PNGError.self) { try full.finish() }
    }

    @Test func encoderRefusesImpossibleDimensions() {
        #expect(throws: PNGError.self) { try PNGEncoder(width: 0, height: 5) }
        #expect(throws: PNGError.self) { try PNGEncoder(width: 5, height: -1) }
    }
}
