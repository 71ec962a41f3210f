import FaafoWire
import FaafoTestKit
import Foundation
import GRDB
import Testing
@testable import FractalStore
@testable import SQLiteFractalStore

/// What only the SQLite backend has: a file that outlives the process, its schema, the
/// original's `database_url`, and images kept as files.
@Suite struct SQLiteFractalStoreTests {
    enum Images: CaseIterable, CustomTestStringConvertible {
        case database, directory
        var testDescription: String { self == .database ? "images in the database" : "images in a directory" }

        func option(in scratch: URL) -> SQLiteFractalStore.ImageStore {
            switch self {
            case .database: .database
            case .directory: .directory(path: scratch.appendingPathComponent("images").path)
            }
        }
    }

    // MARK: the file

    @Test(arguments: Images.allCases)
    func everythingSurvivesClosingAndReopeningTheFile(_ images: Images) async throws {
        try await withScratchDirectory { scratch in
            let path = scratch.appendingPathComponent("faafo.db").path
            let first = try SQLiteFractalStore(.file(path: path), imageStore: images.option(in: scratch))
            for n in 1...3 { _ = try await first.insert(Sample.record(n, seed: UInt64.max - UInt64(n))) }
            _ = try await first.complete(Sample.uuid(2), with: Sample.result(), image: Sample.png(2))
            try await first.markPublished(Sample.uuid(1))
            let before = try await first.page(1, perPage: 10)
            try first.close()
            await #expect(throws: StoreError.self) { try await first.fetch(Sample.uuid(1)) }

            let reopened = try SQLiteFractalStore(.file(path: path), imageStore: images.option(in: scratch))
            let after = try await reopened.page(1, perPage: 10)
            #expect(after.records == before.records)
            #expect(after.total == 3)
            #expect(try await reopened.image(Sample.uuid(2)) == Sample.png(2))
            #expect(try await reopened.unpublished(limit: 10).map(\.uuid) == [2, 3].map(Sample.uuid))
            #expect(try await reopened.appliedMigrations() == ["v1", "v2: failed fractals", "v3: outbox claims"])
            try reopened.close()
        }
    }

    @Test func aFreshFileGetsTheWholeSchemaInWALMode() async throws {
        try await withScratchDirectory { scratch in
            let path = scratch.appendingPathComponent("new/../fresh.db").standardizedFileURL.path
            #expect(!FileManager.default.fileExists(atPath: path))
            let store = try SQLiteFractalStore(.file(path: path))
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try await store.appliedMigrations() == ["v1", "v2: failed fractals", "v3: outbox claims"])
            #expect(try await store.journalMode() == "wal")
            let objects = try await store.schemaObjects()
            #expect(
                objects == [
                    "index fractal_by_creation", "index fractal_unpublished",
                    "table fractal", "table grdb_migrations", "table image",
                ])
            let header = try #require(FileManager.default.contents(atPath: path)).prefix(16)
            #expect(header == Data("SQLite format 3\0".utf8))
            // Opening it again migrates nothing twice.
            try store.close()
            let again = try SQLiteFractalStore(.file(path: path))
            #expect(try await again.appliedMigrations() == ["v1", "v2: failed fractals", "v3: outbox claims"])
        }
    }

    @Test func anInMemoryDatabaseHasTheSchemaToo() async throws {
        let store = try SQLiteFractalStore(.file(path: ""))
        #expect(store.location == .memory)
        #expect(try await store.schemaObjects().contains("table fractal"))
        #expect(try await store.insert(Sample.record(1)).record.uuid == Sample.uuid(1))
        // SQLite's own name for it, as a configuration may pass it on.
        #expect(try SQLiteFractalStore(.file(path: ":memory:")).location == .memory)
    }

    @Test func aDatabaseInAMissingDirectoryIsAClearError() async throws {
        try await withScratchDirectory { scratch in
            let path = scratch.appendingPathComponent("missing/faafo.db").path
            let error = #expect(throws: StoreError.self) { try SQLiteFractalStore(.file(path: path)) }
            #expect(error?.message.contains(path) == true, "\(String(describing: error))")
            #expect(error?.message.contains("cannot open the SQLite database") == true)
        }
    }

    @Test func aFileThatIsNotADatabaseIsAClearError() async throws {
        try await withScratchDirectory { scratch in
            let path = scratch.appendingPathComponent("faafo.db").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x42, count: 4096)))
            let error = #expect(throws: StoreError.self) { try SQLiteFractalStore(.file(path: path)) }
            #expect(error?.message.contains(path) == true, "\(String(describing: error))")
        }
    }

    /// Two stores on one file, as two processes would have: writes wait for each other.
    @Test func twoStoresOnOneFileCompleteAFractalExactlyOnce() async throws {
        try await withScratchDirectory { scratch in
            let path = scratch.appendingPathComponent("faafo.db").path
            let a = try SQLiteFractalStore(.file(path: path))
            let b = try SQLiteFractalStore(.file(path: path))
            _ = try await a.insert(Sample.record(1))
            #expect(try await b.insert(Sample.record(1)) == .exists(try await a.fetch(Sample.uuid(1))!))
            let outcomes = try await withThrowingTaskGroup(of: CompleteOutcome.self) { group in
                for worker in 0..<20 {
                    let store = worker.isMultiple(of: 2) ? a : b
                    group.addTask { try await store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png(1)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { if case .completed = $0 { true } else { false } }.count == 1)
            #expect(outcomes.filter { if case .duplicate = $0 { true } else { false } }.count == 19)
            #expect(try await b.fetch(Sample.uuid(1))?.attempts == 1)
            #expect(try await a.image(Sample.uuid(1)) == Sample.png(1))
        }
    }

    // MARK: the columns

    /// A column's value as SQLite holds it, as text that tells the storage class apart.
    static func columns(_ store: SQLiteFractalStore, _ uuid: String) async throws -> [String: String] {
        try await store.reader.read { db in
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM fractal WHERE uuid = ?", arguments: [uuid]))
            var columns: [String: String] = [:]
            for (name, value) in row {
                switch value.storage {
                case .null: columns[name] = "NULL"
                case .int64(let n): columns[name] = "INTEGER \(n)"
                case .double(let d): columns[name] = "REAL \(d)"
                case .string(let s): columns[name] = "TEXT \(s)"
                case .blob(let b): columns[name] = "BLOB \(b.count)"
                }
            }
            return columns
        }
    }

    /// The table's columns and what a record puts in each: the shape an existing
    /// database file (and the original's readers) rely on.
    @Test func aRecordIsStoredInTheSameColumns() async throws {
        let store = try SQLiteFractalStore(.file(path: ""))
        let names = try await store.reader.read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(fractal)").map { "\($0["name"] as String) \($0["type"] as String)" }
        }
        #expect(
            names == [
                "uuid TEXT", "width INTEGER", "height INTEGER", "iterations INTEGER", "xa REAL", "xb REAL", "ya REAL",
                "yb REAL", "cx REAL", "cy REAL", "seed INTEGER", "status TEXT", "created_at REAL", "published INTEGER",
                "completed_at REAL", "duration REAL", "size INTEGER", "checksum TEXT", "pixel_checksum TEXT",
                "generated_by TEXT", "attempts INTEGER", "failure TEXT", "claimed_until REAL",
            ])

        _ = try await store.insert(Sample.record(3, seed: UInt64.max))
        let pending = try await Self.columns(store, Sample.uuid(3))
        #expect(
            pending == [
                "uuid": "TEXT \(Sample.uuid(3))", "width": "INTEGER 259", "height": "INTEGER 303",
                "iterations": "INTEGER 131", "xa": "REAL -1.77488588389", "xb": "REAL 3.08249829401",
                "ya": "REAL -1.31213919301", "yb": "REAL 1.95281690897", "cx": "NULL", "cy": "NULL",
                "seed": "INTEGER -1", "status": "TEXT pending", "created_at": "REAL \(Sample.epoch.addingTimeInterval(3).timeIntervalSince1970)",
                "published": "INTEGER 0", "completed_at": "NULL", "duration": "NULL", "size": "NULL", "checksum": "NULL",
                "pixel_checksum": "NULL", "generated_by": "NULL", "attempts": "INTEGER 0", "failure": "NULL",
                "claimed_until": "NULL",
            ])

        _ = try await store.insert(Sample.record(2))
        _ = try await store.complete(Sample.uuid(2), with: Sample.result(), image: Sample.png(2))
        let completed = try await Self.columns(store, Sample.uuid(2))
        #expect(completed["cx"] == "REAL -0.4" && completed["cy"] == "REAL 0.6" && completed["seed"] == "INTEGER 2")
        #expect(completed["width"] == "INTEGER 258" && completed["status"] == "TEXT completed")
        #expect(completed["checksum"] == "TEXT c0ffee" && completed["size"] == "INTEGER 2048" && completed["attempts"] == "INTEGER 1")
    }

    // MARK: images in a directory

    @Test func theImageDirectoryIsCreatedAndHoldsOnlyFinishedFiles() async throws {
        try await withScratchDirectory { scratch in
            let images = scratch.appendingPathComponent("a/b/images").path
            let store = try SQLiteFractalStore(.memory, imageStore: .directory(path: images))
            for n in 1...3 {
                _ = try await store.insert(Sample.record(n))
                _ = try await store.complete(Sample.uuid(n), with: Sample.result(), image: Sample.png(UInt8(n)))
            }
            // No temporary file is left behind.
            let names = try FileManager.default.contentsOfDirectory(atPath: images).sorted()
            #expect(names == [1, 2, 3].map { "\(Sample.uuid($0)).png" })
        }
    }

    @Test func aUUIDThatIsNoFileNameStaysInsideTheDirectory() async throws {
        try await withScratchDirectory { scratch in
            let images = scratch.appendingPathComponent("images").path
            let store = try SQLiteFractalStore(.memory, imageStore: .directory(path: images))
            let uuid = "../../escape"
            var record = Sample.record(1)
            record.uuid = uuid
            _ = try await store.insert(record)
            _ = try await store.complete(uuid, with: Sample.result(), image: Sample.png(1))
            #expect(try await store.image(uuid) == Sample.png(1))
            #expect(try FileManager.default.contentsOfDirectory(atPath: images) == ["=2e2e2f2e2e2f657363617065.png"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["images"])
            #expect(try await store.delete(uuid))
            #expect(try FileManager.default.contentsOfDirectory(atPath: images).isEmpty)
        }
    }

    /// A crash after the file was renamed into place but before the commit leaves an
    /// orphan file: the fractal stays pending without an image, and the next result or a
    /// delete replaces or removes the file.
    @Test func anOrphanFileFromACrashIsNeverServedAndIsReplaced() async throws {
        try await withScratchDirectory { scratch in
            let images = scratch.appendingPathComponent("images").path
            let store = try SQLiteFractalStore(.file(path: scratch.appendingPathComponent("faafo.db").path), imageStore: .directory(path: images))
            _ = try await store.insert(Sample.record(1))
            _ = try await store.insert(Sample.record(2))
            let orphan1 = "\(images)/\(Sample.uuid(1)).png"
            let orphan2 = "\(images)/\(Sample.uuid(2)).png"
            #expect(FileManager.default.createFile(atPath: orphan1, contents: Sample.png(9)))
            #expect(FileManager.default.createFile(atPath: orphan2, contents: Sample.png(9)))

            #expect(try await store.image(Sample.uuid(1)) == nil)
            _ = try await store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png(1))
            #expect(try await store.image(Sample.uuid(1)) == Sample.png(1))

            #expect(try await store.delete(Sample.uuid(2)))
            #expect(!FileManager.default.fileExists(atPath: orphan2))
        }
    }

    /// When the file cannot be put in place, the result is not stored at all.
    @Test func aResultWhoseFileCannotBeWrittenLeavesTheFractalPending() async throws {
        try await withScratchDirectory { scratch in
            let images = scratch.appendingPathComponent("images").path
            let store = try SQLiteFractalStore(.file(path: scratch.appendingPathComponent("faafo.db").path), imageStore: .directory(path: images))
            let pending = try await store.insert(Sample.record(1)).record
            // A directory where the file should go: the rename fails (even for root).
            let blocker = "\(images)/\(Sample.uuid(1)).png"
            try FileManager.default.createDirectory(atPath: blocker + "/inside", withIntermediateDirectories: true)

            let error = await #expect(throws: StoreError.self) {
                try await store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png(1))
            }
            #expect(error?.message.contains("cannot store the result of fractal \(Sample.uuid(1))") == true)
            #expect(error?.message.contains(blocker) == true, "\(String(describing: error))")
            #expect(try await store.fetch(Sample.uuid(1)) == pending)
            #expect(try await store.image(Sample.uuid(1)) == nil)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: images)
            #expect(leftovers == ["\(Sample.uuid(1)).png"], "no temporary file left: \(leftovers)")

            // Once the way is clear, the same result goes through.
            try FileManager.default.removeItem(atPath: blocker)
            guard case .completed = try await store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png(1))
            else {
                Issue.record("not completed")
                return
            }
            #expect(try await store.image(Sample.uuid(1)) == Sample.png(1))
        }
    }

    @Test func aCompletedFractalWhoseFileVanishedIsAnError() async throws {
        try await withScratchDirectory { scratch in
            let images = scratch.appendingPathComponent("images").path
            let store = try SQLiteFractalStore(.memory, imageStore: .directory(path: images))
            _ = try await store.insert(Sample.record(1))
            _ = try await store.complete(Sample.uuid(1), with: Sample.result(), image: Sample.png(1))
            try FileManager.default.removeItem(atPath: "\(images)/\(Sample.uuid(1)).png")
            let error = await #expect(throws: StoreError.self) { try await store.image(Sample.uuid(1)) }
            #expect(error?.message.contains("is missing") == true, "\(String(describing: error))")
        }
    }
}
