import Foundation
import FractalStore
import GRDB

/// Fractals in SQLite, through GRDB: a WAL database file (`DatabasePool`: reads run
/// alongside the one writer) or a private in-memory database (`DatabaseQueue`).
///
/// Images go in the database (table `image`) or in a directory (`ImageStore`). Every
/// change is one write transaction; reads see one consistent snapshot. Failures throw
/// `StoreError` naming what failed (or `CancellationError` if the task was cancelled while
/// waiting for the database).
public final class SQLiteFractalStore: FractalStore {
    public let location: Location
    public let imageStore: ImageStore
    private let writer: any DatabaseWriter
    /// Every write but a file-backed delete goes through it, many to a transaction.
    private let commits: GroupCommit
    /// Set when images are kept as files.
    private let directory: ImageDirectory?

    /// Reads the database (for the extensions that inspect it).
    var reader: any DatabaseReader { writer }

    /// Opens the database, creating the file and bringing its schema up to date as needed.
    /// With `.directory`, creates the image directory if missing. `.file(path: ":memory:")`
    /// (SQLite's own name) and `.file(path: "")` are taken as `.memory`.
    public init(_ location: Location, imageStore: ImageStore = .database) throws {
        let location = location.normalized
        var configuration = Configuration()
        configuration.label = "FractalStore"
        // Another process (a CLI, a second API) may hold the write lock for a moment.
        configuration.busyMode = .timeout(10)
        let writer: any DatabaseWriter
        do {
            switch location {
            case .file(let path): writer = try DatabasePool(path: path, configuration: configuration)
            case .memory: writer = try DatabaseQueue(configuration: configuration)
            }
        } catch {
            throw StoreError("cannot open the SQLite database \(Self.describe(location)): \(Self.describe(error))")
        }
        do {
            try Self.migrator.migrate(writer)
            if try writer.read({ try Self.migrator.hasBeenSuperseded($0) }) {
                throw StoreError("it was migrated by a newer version of faafo (unknown migrations)")
            }
        } catch {
            throw StoreError("cannot set up the schema of the SQLite database \(Self.describe(location)): \(Self.describe(error))")
        }
        switch imageStore {
        case .database, .outside: directory = nil
        case .directory(let path): directory = try ImageDirectory(path: path)
        }
        self.location = location
        self.imageStore = imageStore
        self.writer = writer
        self.commits = GroupCommit(writer: writer)
    }

    /// Closes the database connections; every later call throws. Closing is optional (the
    /// connections close when the store is released) but lets the file be reopened at once.
    public func close() throws {
        do {
            try writer.close()
        } catch {
            throw StoreError("cannot close the SQLite database \(Self.describe(location)): \(Self.describe(error))")
        }
    }

    public func shutdown() async throws { try close() }

    public func insert(_ record: FractalRecord) async throws -> InsertOutcome {
        let stored = try record.storedForInsert()
        return try await run("cannot insert fractal \(record.uuid)") { _ in
            try await commits.write { db in
                if let existing = try Self.fetchRecord(db, stored.uuid) { return .exists(existing) }
                try db.cachedStatement(sql: Self.insertSQL).execute(arguments: Self.arguments(stored))
                return .inserted(stored)
            }
        }
    }

    public func fetch(_ uuid: String) async throws -> FractalRecord? {
        try await run("cannot read fractal \(uuid)") { writer in
            try await writer.read { db in try Self.fetchRecord(db, uuid) }
        }
    }

    public func page(_ page: Int, perPage: Int) async throws -> (records: [FractalRecord], total: Int) {
        let offset = StoredValue.offset(ofPage: page, perPage: perPage)
        return try await run("cannot read page \(page) of fractals (\(perPage) a page)") { writer in
            try await writer.read { db in
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fractal") ?? 0
                guard let offset else { return ([], total) }
                let rows = try Row.fetchAll(
                    db, sql: "\(Self.selectSQL) ORDER BY created_at, uuid LIMIT ? OFFSET ?",
                    arguments: [perPage, offset])
                return (try rows.map(Self.record), total)
            }
        }
    }

    public func markPublished(_ uuid: String) async throws {
        try await run("cannot mark fractal \(uuid) published") { _ in
            try await commits.write { db in
                try db.cachedStatement(
                    sql: "UPDATE fractal SET published = 1, claimed_until = NULL WHERE uuid = ? AND published = 0"
                ).execute(arguments: [uuid])
            }
        }
    }

    public func claimUnpublished(limit: Int, createdBefore cutoff: Date, now: Date, until: Date) async throws
        -> [FractalRecord]
    {
        guard limit > 0 else { return [] }
        return try await run("cannot claim unpublished fractals") { _ in
            try await commits.write { db in
                let records = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            \(Self.selectSQL) WHERE published = 0 AND created_at < ?
                                AND (claimed_until IS NULL OR claimed_until <= ?)
                            ORDER BY created_at, uuid LIMIT ?
                            """),
                    arguments: [StoredValue.seconds(cutoff), StoredValue.seconds(now), limit]
                ).map(Self.record)
                let claim = try db.cachedStatement(sql: "UPDATE fractal SET claimed_until = ? WHERE uuid = ?")
                for record in records {
                    try claim.execute(arguments: [StoredValue.seconds(until), record.uuid])
                }
                return records
            }
        }
    }

    public func releaseClaim(_ uuid: String) async throws {
        try await run("cannot release the claim on fractal \(uuid)") { _ in
            try await commits.write { db in
                try db.cachedStatement(sql: "UPDATE fractal SET claimed_until = NULL WHERE uuid = ? AND claimed_until IS NOT NULL")
                    .execute(arguments: [uuid])
            }
        }
    }

    public func unpublished(limit: Int) async throws -> [FractalRecord] {
        guard limit > 0 else { return [] }
        return try await run("cannot read the unpublished fractals") { writer in
            try await writer.read { db in
                try Row.fetchAll(
                    db, sql: "\(Self.selectSQL) WHERE published = 0 ORDER BY created_at, uuid LIMIT ?",
                    arguments: [limit]
                ).map(Self.record)
            }
        }
    }

    public func unpublishedCount() async throws -> Int {
        try await run("cannot count the unpublished fractals") { writer in
            try await writer.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fractal WHERE published = 0") ?? 0
            }
        }
    }

    public func complete(_ uuid: String, with result: FractalResult, image: Data) async throws -> CompleteOutcome {
        let directory = self.directory
        let keepsImageRows = imageStore == .database
        return try await run("cannot store the result of fractal \(uuid)") { _ in
            try await commits.write { db in
                guard let current = try Self.fetchRecord(db, uuid) else { return .notFound }
                switch try current.completing(with: result) {
                case .unchanged(let outcome): return outcome
                case .store(let done):
                    // The file is in place before the transaction commits: a crash in
                    // between leaves an orphan file, never a completed fractal without one.
                    if let directory {
                        try directory.write(image, for: uuid)
                    } else if keepsImageRows {
                        try db.cachedStatement(sql: "INSERT OR REPLACE INTO image (uuid, png) VALUES (?, ?)")
                            .execute(arguments: [uuid, image])
                    }
                    try db.cachedStatement(
                        sql: """
                            UPDATE fractal SET status = ?, completed_at = ?, duration = ?, size = ?, checksum = ?,
                                pixel_checksum = ?, generated_by = ?, attempts = ?, failure = NULL
                            WHERE uuid = ?
                            """
                    ).execute(
                        arguments: [
                            done.status.rawValue, done.completedAt.map(StoredValue.seconds), done.duration, done.size,
                            done.checksum, done.pixelChecksum, done.generatedBy, done.attempts, uuid,
                        ])
                    return .completed(done)
                }
            }
        }
    }

    public func fail(_ uuid: String, reason: String, by worker: String, at date: Date) async throws -> FailOutcome {
        try await run("cannot mark fractal \(uuid) failed") { _ in
            try await commits.write { db in
                guard let current = try Self.fetchRecord(db, uuid) else { return .notFound }
                switch current.failing(reason: reason, by: worker, at: date) {
                case .unchanged(let outcome): return outcome
                case .store(let failed):
                    try db.cachedStatement(
                        sql: "UPDATE fractal SET status = ?, failure = ?, generated_by = ?, completed_at = ? WHERE uuid = ?"
                    ).execute(
                        arguments: [
                            failed.status.rawValue, failed.failure, failed.generatedBy,
                            failed.completedAt.map(StoredValue.seconds), uuid,
                        ])
                    return .markedFailed(failed)
                }
            }
        }
    }

    public func image(_ uuid: String) async throws -> Data? {
        if imageStore == .outside { return nil }
        return try await run("cannot read the image of fractal \(uuid)") { writer in
            guard let directory else {
                return try await writer.read { db in
                    try Data.fetchOne(
                        db,
                        sql: """
                            SELECT image.png FROM fractal JOIN image ON image.uuid = fractal.uuid
                            WHERE fractal.uuid = ? AND fractal.status = 'completed'
                            """,
                        arguments: [uuid])
                }
            }
            let isCompleted = { try await writer.read { db in try Self.fetchRecord(db, uuid)?.status == .completed } }
            guard try await isCompleted() else { return nil }
            if let png = try directory.read(uuid) { return png }
            // Deleted since it was read as completed, or the file is really gone.
            guard try await isCompleted() else { return nil }
            throw StoreError("fractal \(uuid) is completed but its image file '\(directory.filePath(for: uuid))' is missing")
        }
    }

    public func delete(_ uuid: String) async throws -> Bool {
        let directory = self.directory
        return try await run("cannot delete fractal \(uuid)") { writer in
            guard let directory else {
                return try await commits.write { db in
                    // The image row goes with it (ON DELETE CASCADE).
                    try db.execute(sql: "DELETE FROM fractal WHERE uuid = ?", arguments: [uuid])
                    return db.changesCount > 0
                }
            }
            // The file goes after the commit (a failed commit must not lose the image of a
            // fractal that is still there) but before any other write of this store runs (a
            // new fractal with the same uuid must not lose its new file).
            return try await writer.writeWithoutTransaction { db in
                var deleted = false
                try db.inTransaction {
                    try db.execute(sql: "DELETE FROM fractal WHERE uuid = ?", arguments: [uuid])
                    deleted = db.changesCount > 0
                    return .commit
                }
                // Also clears an orphan file left by a crash. A file that cannot be removed
                // stays an orphan: the fractal is gone either way.
                directory.remove(uuid)
                return deleted
            }
        }
    }

    /// Runs `body`, turning any failure but a `StoreError` or a cancellation into a
    /// `StoreError` that says what failed.
    private func run<T>(
        _ what: @autoclosure () -> String, _ body: (any DatabaseWriter) async throws -> T
    ) async throws -> T {
        do {
            return try await body(writer)
        } catch let error as StoreError {
            throw StoreError("\(what()): \(error.message)")
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreError("\(what()): \(Self.describe(error))")
        }
    }

    private static func describe(_ location: Location) -> String {
        switch location {
        case .file(let path): "'\(path)'"
        case .memory: "in memory"
        }
    }

    /// An error as a sentence: SQLite's own message and result code for a `DatabaseError`
    /// (never the statement's arguments, which can hold a whole image).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as DatabaseError:
            "\(error.message ?? "SQLite error") (SQLite code \(error.extendedResultCode.rawValue))"
        case let error as StoreError:
            error.message
        default:
            String(describing: error)
        }
    }
}
