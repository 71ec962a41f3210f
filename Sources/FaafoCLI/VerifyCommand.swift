import ArgumentParser
import FaafoWire
import Foundation
import FractalPNG
import GoldenFixtures

/// `faafo verify`: the golden fixtures through a running deployment, end to end.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Submit every golden fixture to a running deployment and compare the stored checksums.",
        discussion: """
            Creates one fractal a case of the golden file, waits until each is completed (at most \
            --timeout seconds), then compares c, pixel_checksum and, where the file's libpng and zlib \
            are this machine's, checksum and size. A result with no pixel_checksum (an original faafo \
            worker's) is reported as not made by the render contract. Exit status 0 when all match; \
            otherwise 1, with a table of what did not.
            """)

    @ParentCommand var faafo: Faafo
    @Option(help: "The golden file.") var golden = "Fixtures/golden.json"
    @Option(help: "Seconds to wait for every result.") var timeout: Double = 600
    @Option(help: "Seconds between two looks at the pending fractals.") var interval: Double = 0.5

    func run() async throws {
        let file: GoldenFile
        do {
            file = try GoldenFile.load(from: URL(fileURLWithPath: golden))
        } catch {
            throw UsageFailure("\(error)")
        }
        guard timeout > 0, interval > 0 else { throw UsageFailure("--timeout and --interval must be above 0") }
        let encoderMatches = file.encoder == .current
        try await ClientSession.run(faafo.globals) { session in
            var submitted: [(golden: GoldenCase, uuid: String)] = []
            for golden in file.cases {
                let created = try await session.client.create(CreateFractal(fractal: golden.request))
                session.logger.info("submitted \(golden.name) as \(created.uuid)")
                submitted.append((golden, created.uuid))
            }
            let stored = try await waitForResults(submitted.map(\.uuid), session)

            var table = TextTable(headers: ["case", "field", "expected", "actual"], alignments: [.left, .left, .left, .left])
            for (golden, uuid) in submitted {
                guard let fractal = stored[uuid], fractal.status == .completed else {
                    let actual =
                        stored[uuid]?.status == .failed
                        ? "failed: \(stored[uuid]?.failure ?? "no reason given") (\(uuid))"
                        : "pending after \(timeout) s (\(uuid))"
                    table.addRow([golden.name, "status", "completed", actual])
                    continue
                }
                if fractal.isOutsideRenderContract {
                    let worker = fractal.generatedBy ?? "an unnamed worker"
                    table.addRow([
                        golden.name, "pixel_checksum", golden.pixelChecksum,
                        "none: \(ResultOrigin.outsideContract) (by \(worker), \(uuid))",
                    ])
                    continue
                }
                let mismatches = GoldenCheck.compare(
                    golden, cx: fractal.fractal.cx, cy: fractal.fractal.cy, pixelChecksum: fractal.pixelChecksum ?? "none",
                    checksum: fractal.checksum ?? "none", size: fractal.size ?? 0, encoderMatches: encoderMatches)
                for mismatch in mismatches {
                    table.addRow([mismatch.name, mismatch.field, mismatch.expected, mismatch.actual])
                }
            }
            let scope =
                encoderMatches
                ? "pixel and PNG checksums (\(PNGLibraries.current))"
                : "pixel checksums only: the file's PNGs are from \(file.encoder.map { "\($0)" } ?? "an encoder it does not name"), "
                    + "this machine has \(PNGLibraries.current)"
            if table.rows.isEmpty {
                print("all \(file.cases.count) cases match: \(scope)")
                return
            }
            print("\(table.rows.count) mismatch(es) in \(file.cases.count) cases (\(scope)):")
            print(table.rendered)
            throw ExitCode.failure
        }
    }

    /// Looks at the pending fractals every `interval` until all are completed or `timeout`
    /// has passed; returns the last answer for each.
    func waitForResults(_ uuids: [String], _ session: ClientSession) async throws -> [String: FractalObject] {
        var latest: [String: FractalObject] = [:]
        var pending = uuids
        let deadline = ContinuousClock.now + .seconds(timeout)
        while !pending.isEmpty {
            var still: [String] = []
            for uuid in pending {
                let fractal = try await session.client.get(uuid)
                latest[uuid] = fractal
                if fractal.status == .pending { still.append(uuid) }
            }
            pending = still
            guard !pending.isEmpty, ContinuousClock.now < deadline else { break }
            session.logger.debug("\(pending.count) fractal(s) still pending")
            try await Task.sleep(for: .seconds(interval))
        }
        return latest
    }
}
