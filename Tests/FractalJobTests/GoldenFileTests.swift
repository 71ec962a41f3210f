import Foundation
import FractalPNG
import GoldenFixtures
import Testing

/// How golden files are read: the project's own file byte for byte.
@Suite struct GoldenFileTests {
    static let fixture = repositoryRoot.appending(path: "Fixtures/golden.json")

    @Test func theFixtureFileReadsAndWritesBackByteForByte() throws {
        let file = try GoldenFile.load(from: Self.fixture)
        #expect(file.cases.count > 10)
        #expect(try file.encoded() == Data(contentsOf: Self.fixture))
    }
}
