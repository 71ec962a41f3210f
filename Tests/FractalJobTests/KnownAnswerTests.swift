import Foundation
import FractalCore
import FractalJob
import FractalPNG
import GoldenFixtures
import Testing

/// The render contract's three known answers and every golden fixture, at 1, 2 and 7
/// threads. PNG checksums are compared where this platform's libpng and zlib are the ones
/// the answers were made with (Debian 12's); pixel checksums everywhere.
@Suite struct KnownAnswerTests {
    struct KnownAnswer: Sendable, CustomTestStringConvertible {
        let request: FractalRequest
        let pixelChecksum: String
        let checksum: String
        let size: Int
        var testDescription: String { "\(request.width)x\(request.height) seed \(request.seed!)" }
    }

    static let debian12 = PNGLibraries(libpng: "1.6.39", zlib: "1.2.13")

    static let contract: [KnownAnswer] = [
        KnownAnswer(
            request: FractalRequest(width: 2, height: 2, iterations: 1, xa: -1, xb: 1, ya: -1, yb: 1, seed: 1),
            pixelChecksum: "15ec7bf0b50732b49f8228e07d24365338f9e3ab994b00af08e5a3bffe55fd8b",
            checksum: "7aaf0d7cde5c27fc65b11d9afc7ecf7de5f8cb0156f8b5a945a373f53b9c879e", size: 71),
        KnownAnswer(
            request: FractalRequest(width: 64, height: 48, iterations: 255, xa: -2, xb: 2, ya: -1.5, yb: 1.5, seed: 42),
            pixelChecksum: "8a1dff3555806eff53953bb44dc496f6cde9e7a9ce0845f48073b183a3683035",
            checksum: "5d1c0c357d3cfc6aac372f37568ee412371055ba3f933512d59020f039113772", size: 1695),
        KnownAnswer(
            request: FractalRequest(
                width: 101, height: 77, iterations: 362,
                xa: -1.77488588389, xb: 3.08249829401, ya: -1.31213919301, yb: 1.95281690897, seed: 7),
            pixelChecksum: "a20c582cacd18533ff149e125b2946f9df73c5b1529085782411a112b343b8a8",
            checksum: "a39061bc97c86783701a683f33ee6cd094b241e08818f96f46e7782f472528cf", size: 2082),
    ]

    @Test(arguments: contract, [1, 2, 7])
    func matchesTheContractsKnownAnswers(_ answer: KnownAnswer, threads: Int) throws {
        let rendered = try RenderJob.run(try answer.request.validated(), threads: threads)
        #expect(rendered.pixelChecksum == answer.pixelChecksum)
        if PNGLibraries.current == Self.debian12 {
            #expect(rendered.checksum == answer.checksum)
            #expect(rendered.size == answer.size)
        }
    }

    static let golden: GoldenFile = try! GoldenFile.load(from: repositoryRoot.appending(path: "Fixtures/golden.json"))

    @Test(arguments: golden.cases, [1, 2, 7])
    func matchesEveryGoldenFixture(_ golden: GoldenCase, threads: Int) {
        let mismatches = GoldenCheck.check(
            golden, threads: threads, encoderMatches: Self.golden.encoder == .current)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test func theGoldenFileHoldsTheCatalogue() {
        let names = Self.golden.cases.map(\.name)
        #expect(names == GoldenCatalog.standard.map(\.name))
        for (golden, entry) in zip(Self.golden.cases, GoldenCatalog.standard) {
            var request = golden.request
            if entry.request.seed == nil { (request.cx, request.cy) = (entry.request.cx, entry.request.cy) }
            #expect(request == entry.request, "\(golden.name) differs from the catalogue: run `faafo fixtures make`")
        }
    }

    @Test func theChecksumIsTheSHA256OfThePNG() throws {
        let rendered = try RenderJob.run(try Self.contract[1].request.validated(), threads: 2)
        #expect(rendered.png.count == rendered.size)
        #expect(rendered.checksum.count == 64)
        #expect(rendered.checksum.allSatisfy { "0123456789abcdef".contains($0) })
    }
}

/// The repository's top folder, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
