import FaafoTestKit
import Foundation
import Testing
@testable import FractalStore
@testable import SQLiteFractalStore

/// Inserts and completes a second on a WAL database file, printed, never asserted. Runs
/// only when asked:
///
///     FAAFO_STORE_BENCH=1 swift test --scratch-path .build-store --skip-build \
///         --filter SQLiteThroughputTests
///
/// `FAAFO_STORE_BENCH_COUNT` sets the number of fractals (default 1000).
@Suite(.tags(.benchmark), .needs(.benchmarkRun("FAAFO_STORE_BENCH")), .serialized)
struct SQLiteThroughputTests {
    static let count = ProcessInfo.processInfo.environment["FAAFO_STORE_BENCH_COUNT"].flatMap(Int.init) ?? 1000

    @Test(arguments: SQLiteFractalStoreTests.Images.allCases, [1, 8])
    func insertsAndCompletesASecond(_ images: SQLiteFractalStoreTests.Images, concurrency: Int) async throws {
        let count = Self.count
        try await withScratchDirectory { scratch in
            let store = try SQLiteFractalStore(
                .file(path: scratch.appendingPathComponent("faafo.db").path), imageStore: images.option(in: scratch))
            let png = Sample.png(1, count: 2048)
            let clock = ContinuousClock()

            let inserting = try await clock.measure {
                try await Self.run(count, concurrency) { n in _ = try await store.insert(Sample.record(n)) }
            }
            let completing = try await clock.measure {
                try await Self.run(count, concurrency) { n in
                    _ = try await store.complete(Sample.uuid(n), with: Sample.result(), image: png)
                }
            }
            #expect(try await store.page(1, perPage: 1).total == count)
            print(
                "FractalStore throughput, SQLite WAL, \(images.testDescription), \(concurrency) task(s), \(count) fractals: "
                    + "\(Self.rate(count, inserting)) inserts/s, \(Self.rate(count, completing)) completes/s (2 KB image)")
        }
    }

    /// Calls `body` for 0..<count from `concurrency` tasks, each taking every
    /// `concurrency`-th number.
    static func run(_ count: Int, _ concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    for n in stride(from: lane, to: count, by: concurrency) { try await body(n) }
                }
            }
            try await group.waitForAll()
        }
    }

    static func rate(_ count: Int, _ duration: Duration) -> Int {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return Int((Double(count) / seconds).rounded())
    }
}
