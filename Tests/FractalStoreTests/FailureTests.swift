import FaafoTestKit
import FaafoWire
import Foundation
import GRDB
import Testing
@testable import FractalStore
@testable import SQLiteFractalStore

/// Failed fractals: a worker gave the task up. Every backend, then the migration that
/// brought the status to databases made before it.
@Suite(.tags(.postgreSQL, .objectStore)) struct FailureTests {
    static let failedAt = Sample.epoch.addingTimeInterval(60)

    @Test(arguments: StoreBackend.usable)
    func aPendingFractalFailsOnceAndKeepsItsFirstReason(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            let outcome = try await t.store.fail(Sample.uuid(1), reason: "too big", by: "worker-1", at: Self.failedAt)
            guard case .markedFailed(let failed) = outcome else {
                Issue.record("expected .markedFailed, got \(outcome)")
                return
            }
            #expect(failed.status == .failed)
            #expect(failed.failure == "too big")
            #expect(failed.generatedBy == "worker-1")
            #expect(failed.completedAt == StoredValue.date(Self.failedAt))
            #expect(try await t.store.fetch(Sample.uuid(1)) == failed)
            #expect(try await t.store.image(Sample.uuid(1)) == nil)

            let again = try await t.store.fail(Sample.uuid(1), reason: "other", by: "worker-2", at: Self.failedAt)
            #expect(again == .alreadyFailed(failed))
            #expect(try await t.store.fetch(Sample.uuid(1))?.failure == "too big")
        }
    }

    @Test(arguments: StoreBackend.usable)
    func aResultOutranksAFailure(_ backend: StoreBackend) async throws {
        try await withStore(backend) { t in
            _ = try await t.store.insert(Sample.record(1))
            _ = try await t.store.insert(Sample.record(2))
            _ = try await t.store.fail(Sample.uuid(1), reason: "render failed", by: "worker-1", at: Self.failedAt)
            // A failed fractal still takes a valid result...
            let outcome = try await t.store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png(1))
            guard case .completed(let done) = outcome else {
                Issue.record("expected .completed, got \(outcome)")
                return
            }
            #expect(done.status == .completed && done.failure == nil && done.attempts == 1)
            #expect(try await t.store.fetch(Sample.uuid(1)) == done)
            #expect(try await t.store.image(Sample.uuid(1)) == Sample.png(1))
            // ...and a completed one is never failed.
            let late = try await t.store.fail(Sample.uuid(1), reason: "late", by: "worker-2", at: Self.failedAt)
            #expect(late == .alreadyCompleted(done))
            #expect(try await t.store.fail(Sample.uuid(9), reason: "x", by: "w", at: Self.failedAt) == .notFound)
        }
    }

    /// A database made before failed fractals existed keeps every row and image when it
    /// is opened by this version (the table is rebuilt by the migration).
    @Test(arguments: [false, true])
    func aVersionOneDatabaseKeepsEverythingThroughTheMigration(withOutboxRow: Bool) async throws {
        try await withScratchDirectory { scratch in
            let path = scratch.appendingPathComponent("old.db").path
            let old = try DatabasePool(path: path)
            try SQLiteFractalStore.migrator.migrate(old, upTo: "v1")
            try await old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO fractal (\(SQLiteFractalStore.v1Columns))
                        VALUES ('\(Sample.uuid(1))', 64, 48, 100, -1.5, 1.5, -1, 1, NULL, NULL, 7, 'completed',
                                1700000000.5, 1, 1700000010.25, 0.5, 4, 'abc', 'def', 'worker-1', 1);
                        INSERT INTO image (uuid, png) VALUES ('\(Sample.uuid(1))', x'89504E47');
                        INSERT INTO fractal (\(SQLiteFractalStore.v1Columns))
                        VALUES ('\(Sample.uuid(2))', 32, 32, 50, -2, 2, -1, 1, -0.4, 0.6, NULL, 'pending',
                                1700000001.5, \(withOutboxRow ? 0 : 1), NULL, NULL, NULL, NULL, NULL, NULL, 0);
                        """)
            }
            try old.close()

            let store = try SQLiteFractalStore(.file(path: path))
            #expect(try await store.appliedMigrations() == ["v1", "v2: failed fractals", "v3: outbox claims"])
            let completed = try #require(try await store.fetch(Sample.uuid(1)))
            #expect(completed.status == .completed && completed.checksum == "abc" && completed.pixelChecksum == "def")
            #expect(completed.fractal.width == 64 && completed.fractal.seed == 7 && completed.attempts == 1 && completed.failure == nil)
            #expect(try await store.image(Sample.uuid(1)) == Data([0x89, 0x50, 0x4E, 0x47]))
            let pending = try #require(try await store.fetch(Sample.uuid(2)))
            #expect(pending.status == .pending && pending.fractal.cx == -0.4 && pending.published == !withOutboxRow)
            #expect(try await store.unpublished(limit: 10).map(\.uuid) == (withOutboxRow ? [Sample.uuid(2)] : []))
            #expect(try await store.page(1, perPage: 10).records.map(\.uuid) == [Sample.uuid(1), Sample.uuid(2)])
            let failed = try await store.fail(Sample.uuid(2), reason: "gone wrong", by: "w", at: Self.failedAt)
            #expect(try await store.fetch(Sample.uuid(2)) == failed.record)
            #expect(try await store.schemaObjects().contains("index fractal_unpublished"))
            try store.close()
        }
    }
}

extension FailOutcome {
    var record: FractalRecord? {
        switch self {
        case .markedFailed(let r), .alreadyFailed(let r), .alreadyCompleted(let r): r
        case .notFound: nil
        }
    }
}
