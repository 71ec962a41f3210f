import FaafoWire
import Foundation
import FractalStore
import Synchronization

/// The controllers' database in a run: a `MemoryFractalStore` that outlives controller
/// restarts, as a database does, and is down while it restarts (`isDown`), and notes for the checker every time a result is
/// stored, and when. The checker trusts these notes, not what workers report.
final class ObservedFractalStore: FractalStore {
    struct Observations {
        /// Each fractal's completions: how many times it went from pending to completed
        /// (more than once means a result was stored twice), and when it first did.
        var completions: [String: Completion] = [:]
        var duplicateResults = 0
        var conflictingResults = 0
        /// The checksums refused as conflicting, by fractal.
        var conflicts: [String: [String]] = [:]
        var completedCount = 0
    }

    struct Completion {
        var count = 0
        let first: Tick
        /// The result the first completion stored: a completed fractal must keep it.
        let result: FractalResult
    }

    let base = MemoryFractalStore()
    let clock: any SimulationClock
    private let notes = Mutex(Observations())
    private let down = Mutex(false)

    init(clock: any SimulationClock) {
        self.clock = clock
    }

    var observations: Observations { notes.withLock { $0 } }

    /// True while the database restarts: every call fails, as against a server that is
    /// down, and nothing stored is lost.
    var isDown: Bool {
        get { down.withLock { $0 } }
        set { down.withLock { $0 = newValue } }
    }

    private func up() throws {
        if isDown { throw StoreError("the database is restarting") }
    }
    var completedCount: Int { notes.withLock { $0.completedCount } }

    /// Whether the fractal was ever completed in this run.
    func wasCompleted(_ uuid: String) -> Bool { notes.withLock { $0.completions[uuid] != nil } }

    func insert(_ record: FractalRecord) async throws -> InsertOutcome {
        try up()
        return try await base.insert(record)
    }
    func fetch(_ uuid: String) async throws -> FractalRecord? {
        try up()
        return try await base.fetch(uuid)
    }
    func page(_ page: Int, perPage: Int) async throws -> (records: [FractalRecord], total: Int) {
        try up()
        return try await base.page(page, perPage: perPage)
    }
    func markPublished(_ uuid: String) async throws {
        try up()
        try await base.markPublished(uuid)
    }
    func unpublished(limit: Int) async throws -> [FractalRecord] {
        try up()
        return try await base.unpublished(limit: limit)
    }
    func unpublishedCount() async throws -> Int {
        try up()
        return try await base.unpublishedCount()
    }
    func claimUnpublished(limit: Int, createdBefore cutoff: Date, now: Date, until: Date) async throws -> [FractalRecord] {
        try up()
        return try await base.claimUnpublished(limit: limit, createdBefore: cutoff, now: now, until: until)
    }
    func releaseClaim(_ uuid: String) async throws {
        try up()
        try await base.releaseClaim(uuid)
    }
    func image(_ uuid: String) async throws -> Data? {
        try up()
        return try await base.image(uuid)
    }
    func delete(_ uuid: String) async throws -> Bool {
        try up()
        return try await base.delete(uuid)
    }
    func fail(_ uuid: String, reason: String, by worker: String, at date: Date) async throws -> FailOutcome {
        try up()
        return try await base.fail(uuid, reason: reason, by: worker, at: date)
    }

    func complete(_ uuid: String, with result: FractalResult, image: Data) async throws -> CompleteOutcome {
        try up()
        let outcome = try await base.complete(uuid, with: result, image: image)
        let tick = clock.now
        notes.withLock { notes in
            switch outcome {
            case .completed:
                notes.completions[uuid, default: Completion(first: tick, result: result)].count += 1
                notes.completedCount += 1
            case .duplicate: notes.duplicateResults += 1
            case .conflict:
                notes.conflictingResults += 1
                notes.conflicts[uuid, default: []].append(result.checksum)
            case .notFound: break
            }
        }
        return outcome
    }
}
