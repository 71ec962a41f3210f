import Foundation
import FractalPNG
import GoldenFixtures
import Testing

/// How golden files are read: the project's own file byte for byte, hand-written ones
/// with only what a check needs, and bad ones refused in plain words.
@Suite struct GoldenFileTests {
    static let fixture = repositoryRoot.appending(path: "Fixtures/golden.json")

    /// The contract's 2×2 case, c drawn from seed 1.
    static let tiny = #""width":2,"height":2,"iterations":1,"xa":-1,"xb":1,"ya":-1,"yb":1"#
    static let tinyPixels = "15ec7bf0b50732b49f8228e07d24365338f9e3ab994b00af08e5a3bffe55fd8b"

    /// Writes `text` to a file of its own and reads it as a golden file.
    static func load(_ text: String, name: String = "mine.json") throws -> GoldenFile {
        let folder = FileManager.default.temporaryDirectory.appending(path: "golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appending(path: name)
        try Data(text.utf8).write(to: url)
        return try GoldenFile.load(from: url)
    }

    /// The error `text` is refused with, without the file's folder.
    static func refusal(_ text: String) -> String? {
        do {
            _ = try load(text)
            return nil
        } catch {
            let description = "\(error)"
            guard let range = description.range(of: "mine.json") else { return description }
            return String(description[range.lowerBound...])
        }
    }

    @Test func theFixtureFileReadsAndWritesBackByteForByte() throws {
        let file = try GoldenFile.load(from: Self.fixture)
        #expect(file.cases.count > 10)
        #expect(try file.encoded() == Data(contentsOf: Self.fixture))
    }

    @Test func aHandWrittenFileNeedsNoComment() throws {
        let file = try Self.load(
            """
            {"format": 1, "encoder": {"libpng": "1.6.39", "zlib": "1.2.13"},
             "cases": [{"name": "tiny", \(Self.tiny), "seed": 1, "pixel_checksum": "\(Self.tinyPixels)"}]}
            """)
        #expect(file.comment == nil)
        #expect(file.cases.map(\.name) == ["tiny"])
        #expect(GoldenCheck.check(file, threads: 1).isEmpty)
    }

    /// No format, encoder, name, checksum or size: the pixels are still checked, and a
    /// wrong pixel checksum still found.
    @Test func aCaseNeedsOnlyItsParametersAndPixelChecksum() throws {
        let file = try Self.load(#"{"cases": [{\#(Self.tiny), "seed": 1, "pixel_checksum": "\#(Self.tinyPixels)"}]}"#)
        #expect(file.encoder == nil)
        #expect(file.cases.map(\.name) == ["case 1"])
        #expect(GoldenCheck.check(file, threads: 1).isEmpty)

        let wrong = try Self.load(#"{"cases": [{\#(Self.tiny), "seed": 1, "pixel_checksum": "00"}]}"#)
        #expect(GoldenCheck.check(wrong, threads: 1).map(\.field) == ["pixel_checksum"])
    }

    /// A case written with c and no seed is rendered with that c.
    @Test func aCaseMayGiveCInsteadOfASeed() throws {
        let file = try Self.load(
            #"{"cases": [{"name": "c", \#(Self.tiny), "cx": 0.24234510335284187, "cy": 0.11264465352810937, "pixel_checksum": "\#(Self.tinyPixels)"}]}"#
        )
        #expect(file.cases[0].request.seed == nil)
        #expect(GoldenCheck.check(file, threads: 1).isEmpty)
    }

    struct BadFile: Sendable, CustomTestStringConvertible {
        let label: String
        let text: String
        let message: String
        var testDescription: String { label }
    }

    static let good = #"{"name": "ok", \#(tiny), "seed": 1, "pixel_checksum": "\#(tinyPixels)"}"#

    static func cases(_ second: String) -> String { #"{"format": 1, "cases": [\#(good), \#(second)]}"# }

    static let badFiles: [BadFile] = [
        BadFile(
            label: "no iterations",
            text: cases(#"{"name": "w1", "width": 2, "height": 2, "xa": -1, "xb": 1, "ya": -1, "yb": 1, "seed": 1, "pixel_checksum": "ab"}"#),
            message: "mine.json: case 2 ('w1'): 'iterations' is missing"),
        BadFile(
            label: "iterations as text",
            text: cases(#"{"name": "w1", "width": 2, "height": 2, "iterations": "many", "xa": -1, "xb": 1, "ya": -1, "yb": 1, "seed": 1, "pixel_checksum": "ab"}"#),
            message: "mine.json: case 2 ('w1'): 'iterations' must be a whole number"),
        BadFile(
            label: "fractional width",
            text: cases(#"{"name": "w1", "width": 2.5, "height": 2, "iterations": 1, "xa": -1, "xb": 1, "ya": -1, "yb": 1, "seed": 1, "pixel_checksum": "ab"}"#),
            message: "mine.json: case 2 ('w1'): 'width' must be a whole number"),
        BadFile(
            label: "xa as text",
            text: cases(#"{"name": "w1", "width": 2, "height": 2, "iterations": 1, "xa": "left", "xb": 1, "ya": -1, "yb": 1, "seed": 1, "pixel_checksum": "ab"}"#),
            message: "mine.json: case 2 ('w1'): 'xa' must be a number"),
        BadFile(
            label: "neither c nor seed",
            text: cases(#"{"name": "w1", \#(tiny), "pixel_checksum": "ab"}"#),
            message: "mine.json: case 2 ('w1'): 'cx' and 'cy' are missing: give them, or the 'seed' c was drawn from"),
        BadFile(
            label: "cx without cy",
            text: cases(#"{"name": "w1", \#(tiny), "cx": 0.1, "pixel_checksum": "ab"}"#),
            message: "mine.json: case 2 ('w1'): 'cy' is missing: 'cx' and 'cy' go together"),
        BadFile(
            label: "a negative seed",
            text: cases(#"{"name": "w1", \#(tiny), "seed": -1, "pixel_checksum": "ab"}"#),
            message: "mine.json: case 2 ('w1'): 'seed' must be a whole number from 0 to 18446744073709551615"),
        BadFile(
            label: "no pixel checksum",
            text: cases(#"{"name": "w1", \#(tiny), "seed": 1, "checksum": "ab", "size": 3}"#),
            message: "mine.json: case 2 ('w1'): 'pixel_checksum' is missing"),
        BadFile(
            label: "size as text",
            text: cases(#"{"name": "w1", \#(tiny), "seed": 1, "pixel_checksum": "ab", "size": "big"}"#),
            message: "mine.json: case 2 ('w1'): 'size' must be a whole number"),
        BadFile(
            label: "a case without a name",
            text: cases(#"{\#(tiny), "seed": 1}"#),
            message: "mine.json: case 2: 'pixel_checksum' is missing"),
        BadFile(
            label: "a case that is not an object",
            text: cases("7"),
            message: "mine.json: case 2: must be an object of fields"),
        BadFile(
            label: "no cases", text: #"{"format": 1}"#,
            message: "mine.json: 'cases' is missing"),
        BadFile(
            label: "an encoder without zlib", text: #"{"encoder": {"libpng": "1.6.39"}, "cases": []}"#,
            message: "mine.json: 'encoder.zlib' is missing"),
        BadFile(
            label: "another format", text: #"{"format": 2, "cases": []}"#,
            message: "mine.json: format 2 is not the supported format 1"),
        BadFile(
            label: "not JSON", text: #"{"cases": [}"#,
            message: "mine.json: not valid JSON"),
    ]

    @Test(arguments: badFiles)
    func aBadFileIsRefusedNamingTheCaseAndField(_ bad: BadFile) {
        let refusal = Self.refusal(bad.text)
        #expect(refusal?.hasPrefix(bad.message) == true, "\(refusal ?? "read without error")")
    }
}
