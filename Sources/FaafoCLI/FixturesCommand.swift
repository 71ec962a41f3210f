import ArgumentParser
import Foundation
import FractalCore
import FractalPNG
import GoldenFixtures

/// `faafo fixtures`: make and check golden checksum files.
struct FixturesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Make or check golden checksum files (Fixtures/golden.json).",
        subcommands: [Make.self, Check.self]
    )

    struct Make: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the standard cases and write their checksums.")

        @Option(help: "The file to write.") var output = "Fixtures/golden.json"
        @Option(help: "Render threads.") var threads = FrameRenderer.defaultThreadCount

        func run() throws {
            let file = try GoldenCheck.make(GoldenCatalog.standard, threads: threads)
            try file.encoded().write(to: URL(fileURLWithPath: output), options: .atomic)
            print("wrote \(file.cases.count) cases to \(output) (\(PNGLibraries.current))")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render every case of a golden file and compare both checksums.",
            discussion: "Exit status 0 when everything matches, 1 with a list of what did not.")

        @Option(help: "The golden file.") var golden = "Fixtures/golden.json"
        @Option(help: "Render threads.") var threads = FrameRenderer.defaultThreadCount

        func run() throws {
            let file: GoldenFile
            do {
                file = try GoldenFile.load(from: URL(fileURLWithPath: golden))
            } catch {
                throw ValidationError("\(error)")
            }
            let encoderMatches = file.encoder == .current
            let mismatches = GoldenCheck.check(file, threads: threads)
            let scope = encoderMatches
                ? "both checksums"
                : "pixel checksums only (file made with \(file.encoder.map { "\($0)" } ?? "an encoder it does not name"), "
                    + "this is \(PNGLibraries.current))"
            if mismatches.isEmpty {
                print("all \(file.cases.count) cases match: \(scope)")
                return
            }
            print("\(mismatches.count) mismatches in \(file.cases.count) cases (\(scope)):")
            for mismatch in mismatches { print("  \(mismatch)") }
            throw ExitCode.failure
        }
    }
}
