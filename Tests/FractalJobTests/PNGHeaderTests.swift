import Foundation
import FractalCore
import FractalJob
import FractalPNG
import Testing

/// PNGHeader reads what libpng reads of a file before its pixels, and says why it cannot.
@Suite struct PNGHeaderTests {
    static func png(width: Int, height: Int) throws -> Data {
        let parameters = try FractalRequest(
            width: width, height: height, iterations: 20, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 1
        ).validated()
        return try RenderJob.run(parameters, threads: 1).png
    }

    @Test func readsTheSizeOfAnEncodedImage() throws {
        let header = try PNGHeader(reading: try Self.png(width: 37, height: 23))
        #expect(header.width == 37 && header.height == 23)
        #expect(header.bitDepth == 8 && header.colorType == 2, "8-bit RGB")
    }

    @Test func refusesWhatIsNotAWholePNGHeader() throws {
        let good = try Self.png(width: 16, height: 9)
        var badCRC = good
        badCRC[29] ^= 0xFF  // inside IHDR's CRC (bytes 29...32)
        var wideIHDR = good
        wideIHDR[16] = 0x80  // a width of 2^31 and more: outside what PNG allows
        let cases: [(String, Data)] = [
            ("empty", Data()),
            ("not a PNG", Data("hello, world".utf8)),
            ("signature only", good.prefix(8)),
            ("cut inside IHDR", good.prefix(20)),
            ("IHDR with a wrong CRC", badCRC),
            ("width out of range", wideIHDR),
        ]
        for (label, bytes) in cases {
            do {
                let header = try PNGHeader(reading: bytes)
                Issue.record("\(label): read as \(header)")
            } catch {
                #expect(!error.description.isEmpty, "\(label)")
            }
        }
    }

    /// Fuzz/FuzzPNGCheck's find: a 2×2 header, then a tEXt chunk declaring 2,063,597,582
    /// bytes in a file of a few hundred. libpng allocated the whole declared length (2 GB)
    /// before finding the file too short; now a chunk longer than the file is refused first.
    @Test func aChunkLongerThanTheFileIsRefusedBeforeItIsAllocated() throws {
        let good = try Self.png(width: 2, height: 2)
        let declared: [UInt8] = [0x7b, 0x00, 0x00, 0x0e]  // 2_063_597_582, big-endian
        let bytes = good.prefix(33) + declared + Data("tEXt".utf8) + Data(repeating: 0x41, count: 300)
        #expect(throws: PNGError.self) { try PNGHeader(reading: bytes) }
        do {
            _ = try PNGHeader(reading: bytes)
        } catch {
            #expect(error.description == "a chunk before the image data is longer than the file")
        }
    }
}
