import Crypto
import FaafoTestKit
import Foundation
import Testing

@Suite struct RenderCommandTests {
    /// The fields `faafo render --json` must print.
    struct Report: Decodable {
        let checksum: String
        let pixel_checksum: String
        let size: Int
        let duration: Double
        let cx: Double
        let cy: Double
        let width: Int
        let height: Int
        let iterations: Int
    }

    static let seed42 = [
        "render", "--width", "64", "--height", "48", "--iterations", "255",
        "--xa", "-2", "--xb", "2", "--ya", "-1.5", "--yb", "1.5", "--seed", "42",
    ]

    @Test func jsonReportsTheTaskAndWritesThePNG() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let output = scratch.url.appending(path: "out.png")
        let result = try await FaafoProcess.run(Self.seed42 + ["--output", output.path, "--json", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")

        let lines = result.text.split(separator: "\n")
        #expect(lines.count == 1, "one JSON object on stdout")
        // JSONDecoder, not JSONSerialization: only the former reads doubles back exactly.
        let report = try JSONDecoder().decode(Report.self, from: Data(result.text.utf8))
        #expect(report.pixel_checksum == "8a1dff3555806eff53953bb44dc496f6cde9e7a9ce0845f48073b183a3683035")
        #expect(report.cx == 0.3992652157350287)
        #expect(report.cy == 0.359457104697293)
        #expect(report.width == 64 && report.height == 48 && report.iterations == 255)

        let png = try Data(contentsOf: output)
        #expect(report.size == png.count)
        #expect(report.checksum == SHA256.hash(data: png).map { String(format: "%02x", $0) }.joined())
        #expect(report.duration > 0)
    }

    /// The exact keys of `faafo render --json`: the fractal's beside the result's, `seed`
    /// left out when c was given.
    @Test(arguments: [(["--seed", "42"], true), (["--cx", "-0.8", "--cy", "0.156"], false)])
    func jsonHasTheReportsKeys(_ c: [String], _ hasSeed: Bool) async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let output = scratch.url.appending(path: "out.png")
        let arguments = [
            "render", "--width", "8", "--height", "6", "--iterations", "32",
            "--xa", "-2", "--xb", "2", "--ya", "-1.5", "--yb", "1.5",
        ]
        let result = try await FaafoProcess.run(arguments + c + ["--output", output.path, "--json", "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.text.utf8)) as? [String: Any])
        let keys = [
            "checksum", "cx", "cy", "duration", "height", "iterations", "libpng", "output", "pixel_checksum", "size",
            "threads", "width", "work", "xa", "xb", "ya", "yb", "zlib",
        ]
        #expect(object.keys.sorted() == (keys + (hasSeed ? ["seed"] : [])).sorted())
        #expect(object["output"] as? String == output.path)
        #expect(object["width"] as? Int == 8 && object["threads"] as? Int == 1 && object["work"] is Int)
    }

    @Test func summaryIsReadable() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let output = scratch.url.appending(path: "out.png")
        let result = try await FaafoProcess.run(Self.seed42 + ["--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("wrote \(output.path): 64 x 48 pixels, 255 iterations"))
        #expect(result.text.contains("checksum        5d1c0c357d3cfc6aac372f37568ee412371055ba3f933512d59020f039113772")
            || !result.text.contains("zlib 1.2.13"))
        #expect(result.text.contains("from seed 42"))
    }

    struct BadArguments: Sendable, CustomTestStringConvertible {
        let label: String
        let change: [String: String]
        let remove: [String]
        let mentions: String
        var testDescription: String { label }
        init(_ label: String, _ change: [String: String], remove: [String] = [], mentions: String) {
            self.label = label
            self.change = change
            self.remove = remove
            self.mentions = mentions
        }
    }

    static let badArguments: [BadArguments] = [
        BadArguments("NaN xa", ["--xa": "nan"], mentions: "xa"),
        BadArguments("infinite xb", ["--xb": "inf"], mentions: "xb"),
        BadArguments("negative infinite ya", ["--ya": "-inf"], mentions: "ya"),
        BadArguments("zero width", ["--width": "0"], mentions: "width"),
        BadArguments("one-pixel height", ["--height": "1"], mentions: "height"),
        BadArguments("zero iterations", ["--iterations": "0"], mentions: "iterations"),
        BadArguments("equal x bounds", ["--xa": "1", "--xb": "1"], mentions: "xb"),
        BadArguments("equal y bounds", ["--ya": "0.5", "--yb": "0.5"], mentions: "yb"),
        BadArguments(
            "over the work budget", ["--width": "16384", "--height": "16384", "--iterations": "100000"],
            mentions: "work budget"),
        BadArguments("a budget set lower", ["--work-budget": "1000"], mentions: "work budget"),
        BadArguments("non-number width", ["--width": "wide"], mentions: "--width"),
        BadArguments("fractional iterations", ["--iterations": "2.5"], mentions: "--iterations"),
        BadArguments("non-number yb", ["--yb": "1.5.1"], mentions: "--yb"),
        BadArguments("negative seed", ["--seed": "-3"], mentions: "--seed"),
        BadArguments("no c and no seed", [:], remove: ["--seed"], mentions: "seed"),
        BadArguments("cx without cy", ["--cx": "0.3"], remove: ["--seed"], mentions: "cy"),
        BadArguments("NaN cy", ["--cx": "0.3", "--cy": "nan"], remove: ["--seed"], mentions: "cy"),
        BadArguments("missing width", [:], remove: ["--width"], mentions: "--width"),
        BadArguments("zero threads", ["--threads": "0"], mentions: "--threads"),
    ]

    static func arguments(_ bad: BadArguments, output: String) -> [String] {
        var options: [(String, String)] = stride(from: 1, to: seed42.count, by: 2).map { (seed42[$0], seed42[$0 + 1]) }
        options.removeAll { bad.remove.contains($0.0) }
        for (key, value) in bad.change.sorted(by: { $0.key < $1.key }) {
            if let index = options.firstIndex(where: { $0.0 == key }) {
                options[index].1 = value
            } else {
                options.append((key, value))
            }
        }
        return ["render"] + options.flatMap { ["\($0.0)=\($0.1)"] } + ["--output", output]
    }

    @Test(arguments: badArguments)
    func badParametersExitWithStatus2AndNameTheField(_ bad: BadArguments) async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let output = scratch.url.appending(path: "never.png")
        let result = try await FaafoProcess.run(Self.arguments(bad, output: output.path))
        #expect(result.status == 2, "status \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(bad.mentions), "\(result.stderr)")
        #expect(result.text.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output.path), "no image for bad input")
    }

    @Test func anUnwritableOutputIsAClearFailure() async throws {
        let result = try await FaafoProcess.run(Self.seed42 + ["--output", "/nonexistent-folder/out.png"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write /nonexistent-folder/out.png"), "\(result.stderr)")
    }
}

@Suite struct FixturesCommandTests {
    @Test func checkPassesOnTheShippedGoldenFile() async throws {
        let result = try await FaafoProcess.run(
            ["fixtures", "check", "--golden", repositoryRoot.appending(path: "Fixtures/golden.json").path, "--threads", "2"])
        #expect(result.status == 0, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("cases match"))
    }

    @Test func checkReportsATamperedCase() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let url = repositoryRoot.appending(path: "Fixtures/golden.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var cases = try #require(json["cases"] as? [[String: Any]])
        cases = [cases[1]]
        cases[0]["pixel_checksum"] = String(repeating: "0", count: 64)
        json["cases"] = cases
        let tampered = scratch.url.appending(path: "golden.json")
        try JSONSerialization.data(withJSONObject: json).write(to: tampered)

        let result = try await FaafoProcess.run(["fixtures", "check", "--golden", tampered.path])
        #expect(result.status == 1)
        #expect(result.text.contains("spec-64x48-seed-42: pixel_checksum is 8a1dff35"), "\(result.text)")
    }

    /// A hand-written file needs no comment; a case without a field is refused, naming
    /// the file, the case and the field, once, in plain words.
    @Test func checkReadsAHandWrittenFileAndNamesWhatIsMissing() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let tiny = #""width": 2, "height": 2, "iterations": 1, "xa": -1, "xb": 1, "ya": -1, "yb": 1, "seed": 1"#
        let pixels = "15ec7bf0b50732b49f8228e07d24365338f9e3ab994b00af08e5a3bffe55fd8b"
        let good = scratch.url.appending(path: "mine.json")
        try Data(#"{"cases": [{"name": "tiny", \#(tiny), "pixel_checksum": "\#(pixels)"}]}"#.utf8).write(to: good)
        let checked = try await FaafoProcess.run(["fixtures", "check", "--golden", good.path, "--threads", "1"])
        #expect(checked.status == 0, "\(checked.text)\(checked.stderr)")
        #expect(checked.text.contains("all 1 cases match: pixel checksums only"))

        let bad = scratch.url.appending(path: "bad.json")
        let missing = tiny.replacingOccurrences(of: #""iterations": 1, "#, with: "")
        try Data(#"{"cases": [{"name": "w1", \#(missing), "pixel_checksum": "\#(pixels)"}]}"#.utf8).write(to: bad)
        let refused = try await FaafoProcess.run(["fixtures", "check", "--golden", bad.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("\(bad.path): case 1 ('w1'): 'iterations' is missing"), "\(refused.stderr)")
        #expect(refused.stderr.components(separatedBy: bad.path).count == 2, "the file named once")
    }

    @Test func makeWritesAFileThatChecks() async throws {
        let scratch = try ScratchFolder()
        defer { scratch.remove() }
        let made = try await FaafoProcess.run(["fixtures", "make", "--output", "golden.json"], in: scratch.url)
        #expect(made.status == 0, "\(made.stderr)")
        let original = try Data(contentsOf: repositoryRoot.appending(path: "Fixtures/golden.json"))
        let remade = try Data(contentsOf: scratch.url.appending(path: "golden.json"))
        #expect(remade == original, "Fixtures/golden.json is what `faafo fixtures make` writes")
    }
}

let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
