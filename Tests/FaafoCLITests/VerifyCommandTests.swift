import FaafoCluster
import Foundation
import GoldenFixtures
import Testing

/// `faafo verify` against a real `faafo-api` with two in-process workers.
@Suite struct VerifyCommandTests {
    /// The golden file's light cases, so that the test renders in well under a second.
    static func lightGolden(_ edit: (inout GoldenFile) -> Void = { _ in }) throws -> GoldenFile {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var file = try GoldenFile.load(from: root.appending(path: "Fixtures/golden.json"))
        file.cases = file.cases.filter { $0.fractal.width * $0.fractal.height * $0.fractal.iterations <= 3_000_000 }
        edit(&file)
        return file
    }

    static func verify(_ golden: GoldenFile, against api: APIServerProcess) async throws -> CommandOutput {
        let path = api.scratch.url.appending(path: "golden-\(UUID().uuidString).json")
        try golden.encoded().write(to: path)
        return try await ClientCommandsAgainstAPITests.faafo(api, ["verify", "--golden", path.path, "--timeout", "120"])
    }

    @Test func everyFixtureMatchesThroughADeployment() async throws {
        let api = try await APIServerProcess(["--workers", "2"])
        defer { api.stop() }
        let golden = try Self.lightGolden()
        #expect(golden.cases.count >= 10)
        let result = try await Self.verify(golden, against: api)
        #expect(result.status == 0, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("all \(golden.cases.count) cases match"))
    }

    @Test func aWrongChecksumIsListedAndFails() async throws {
        let api = try await APIServerProcess(["--workers", "2"])
        defer { api.stop() }
        let golden = try Self.lightGolden { file in
            file.cases = Array(file.cases.prefix(3))
            file.cases[1].pixelChecksum = String(repeating: "0", count: 64)
        }
        let result = try await Self.verify(golden, against: api)
        #expect(result.status == 1, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("1 mismatch(es) in 3 cases"))
        let row = try #require(result.lines.first { $0.contains(golden.cases[1].name) })
        #expect(row.contains("pixel_checksum") && row.contains(String(repeating: "0", count: 64)))
    }

    @Test func aFractalNeverRenderedIsReportedAfterTheTimeout() async throws {
        let api = try await APIServerProcess(["--workers", "0"])
        defer { api.stop() }
        let golden = try Self.lightGolden { $0.cases = Array($0.cases.prefix(1)) }
        let path = api.scratch.url.appending(path: "one.json")
        try golden.encoded().write(to: path)
        let result = try await ClientCommandsAgainstAPITests.faafo(
            api, ["verify", "--golden", path.path, "--timeout", "1", "--interval", "0.2"])
        #expect(result.status == 1)
        #expect(result.text.contains("status") && result.text.contains("pending after"))
    }
}
