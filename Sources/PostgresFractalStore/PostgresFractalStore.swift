import FractalStore
import Foundation
import Logging
import PostgresNIO

/// Fractals in a PostgreSQL database that several APIs share, through PostgresNIO's
/// pooled `PostgresClient`.
///
/// Values are kept as the SQLite store keeps them (dates as seconds since 1970 in
/// DOUBLE PRECISION, the seed's bit pattern in a BIGINT, uuids compared byte for byte),
/// so every backend gives the same answers. Images are kept in a BYTEA column of their own
/// table, or (`keepsImages: false`) by the caller in an object store that every API shares
/// (`ObjectImageFractalStore`), and then never in the database. Every change is one transaction; a result takes the fractal's row lock
/// (`SELECT … FOR UPDATE`) first, so concurrent results from any number of connections or
/// APIs complete a fractal exactly once; outbox claims skip rows another publisher is
/// claiming (`FOR UPDATE SKIP LOCKED`).
///
/// Each call is bounded by `operationTimeout`: while the server is down or unreachable a
/// call throws `StoreError` after that long instead of waiting, and once the server is back
/// the pool reconnects by itself. Failures throw `StoreError` (or `CancellationError`).
public final class PostgresFractalStore: FractalStore {
    public let endpoint: PostgresEndpoint
    public let operationTimeout: Duration
    /// Whether images go in the `image` table; if not, `complete` stores none and `image`
    /// is always nil.
    public let keepsImages: Bool
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger

    /// Connects once to check the server, the credentials and the database (each failure a
    /// `StoreError` that names `database_url`), brings the schema up to date (safe when
    /// several APIs start at once), then starts the pool of at most `poolSize` connections.
    public init(
        _ endpoint: PostgresEndpoint, poolSize: Int = 10, operationTimeout: Duration = .seconds(10),
        keepsImages: Bool = true, logger: Logger = Logger(label: "faafo.store.postgres")
    ) async throws {
        precondition(poolSize >= 1, "a pool holds at least one connection")
        self.endpoint = endpoint
        self.operationTimeout = operationTimeout
        self.keepsImages = keepsImages
        self.logger = logger
        try await PostgresSchema.migrate(endpoint, timeout: operationTimeout, logger: logger)

        var configuration = PostgresClient.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.username, password: endpoint.password,
            database: endpoint.database, tls: endpoint.clientTLS)
        configuration.options.maximumConnections = poolSize
        configuration.options.connectTimeout = operationTimeout
        configuration.options.keepAliveBehavior = .init(frequency: .seconds(30))
        // The pool logs every failed connection attempt at INFO, many a second while the
        // server is down; the calls' own StoreErrors say it once per request.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.client = client
        self.runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Stops the pool: its connections close and every later call throws.
    public func close() { runner.cancel() }

    public func shutdown() async throws { close() }

    public func insert(_ record: FractalRecord) async throws -> InsertOutcome {
        let stored = try record.storedForInsert()
        return try await run("cannot insert fractal \(record.uuid)") { client in
            try await client.withConnection { connection in
                // ON CONFLICT keeps a concurrent insert of the same uuid from failing: one
                // wins, the other reads the winner's row.
                let inserted = try await connection.query(PostgresRows.insert(stored), logger: self.logger)
                if try await inserted.collect().isEmpty == false { return .inserted(stored) }
                guard let existing = try await PostgresRows.fetch(stored.uuid, on: connection, logger: self.logger) else {
                    throw StoreError("it was deleted while being inserted; try again")
                }
                return .exists(existing)
            }
        }
    }

    public func fetch(_ uuid: String) async throws -> FractalRecord? {
        try await run("cannot read fractal \(uuid)") { client in
            try await client.withConnection { connection in
                try await PostgresRows.fetch(uuid, on: connection, logger: self.logger)
            }
        }
    }

    public func page(_ page: Int, perPage: Int) async throws -> (records: [FractalRecord], total: Int) {
        let offset = StoredValue.offset(ofPage: page, perPage: perPage)
        return try await run("cannot read page \(page) of fractals (\(perPage) a page)") { client in
            try await client.withConnection { connection in
                // One statement, one snapshot: the total and the page agree.
                let rows = try await connection.query(
                    """
                    SELECT t.total, f.* FROM (SELECT COUNT(*) AS total FROM fractal) t
                    LEFT JOIN LATERAL (
                        SELECT \(unescaped: PostgresRows.columns) FROM fractal
                        WHERE \(offset != nil)
                        ORDER BY created_at, uuid LIMIT \(max(perPage, 0)) OFFSET \(offset ?? 0)
                    ) f ON true
                    """, logger: self.logger
                ).collect()
                var total = 0
                var records: [FractalRecord] = []
                for row in rows {
                    let cells = row.makeRandomAccess()
                    total = try cells["total"].decode(Int.self)
                    if try cells["uuid"].decode(String?.self) != nil { records.append(try PostgresRows.record(row)) }
                }
                return (records, total)
            }
        }
    }

    public func markPublished(_ uuid: String) async throws {
        _ = try await run("cannot mark fractal \(uuid) published") { client in
            try await client.query(
                "UPDATE fractal SET published = true, claimed_until = NULL WHERE uuid = \(uuid) AND NOT published",
                logger: self.logger)
        }
    }

    public func unpublished(limit: Int) async throws -> [FractalRecord] {
        guard limit > 0 else { return [] }
        return try await run("cannot read the unpublished fractals") { client in
            try await client.withConnection { connection in
                try await connection.query(
                    """
                    SELECT \(unescaped: PostgresRows.columns) FROM fractal WHERE NOT published
                    ORDER BY created_at, uuid LIMIT \(limit)
                    """, logger: self.logger
                ).collect().map(PostgresRows.record)
            }
        }
    }

    public func unpublishedCount() async throws -> Int {
        try await run("cannot count the unpublished fractals") { client in
            try await client.withConnection { connection in
                let rows = try await connection.query(
                    "SELECT COUNT(*) AS total FROM fractal WHERE NOT published", logger: self.logger
                ).collect()
                return try rows.first.map { try $0.makeRandomAccess()["total"].decode(Int.self) } ?? 0
            }
        }
    }

    public func claimUnpublished(limit: Int, createdBefore cutoff: Date, now: Date, until: Date) async throws
        -> [FractalRecord]
    {
        guard limit > 0 else { return [] }
        return try await run("cannot claim unpublished fractals") { client in
            try await client.withConnection { connection in
                // The inner SELECT locks the rows it picks and skips those another
                // publisher's claim is locking right now; the lease in claimed_until then
                // keeps them apart until it ends.
                let claimed = try await connection.query(
                    """
                    UPDATE fractal SET claimed_until = \(until.timeIntervalSince1970)
                    WHERE uuid IN (
                        SELECT uuid FROM fractal
                        WHERE NOT published AND created_at < \(cutoff.timeIntervalSince1970)
                            AND (claimed_until IS NULL OR claimed_until <= \(now.timeIntervalSince1970))
                        ORDER BY created_at, uuid LIMIT \(limit)
                        FOR UPDATE SKIP LOCKED)
                    RETURNING \(unescaped: PostgresRows.columns)
                    """, logger: self.logger
                ).collect().map(PostgresRows.record)
                // RETURNING has no order of its own.
                return claimed.sorted(by: PostgresRows.outboxOrder)
            }
        }
    }

    public func releaseClaim(_ uuid: String) async throws {
        _ = try await run("cannot release the claim on fractal \(uuid)") { client in
            try await client.query(
                "UPDATE fractal SET claimed_until = NULL WHERE uuid = \(uuid) AND claimed_until IS NOT NULL",
                logger: self.logger)
        }
    }

    public func complete(_ uuid: String, with result: FractalResult, image: Data) async throws -> CompleteOutcome {
        try await run("cannot store the result of fractal \(uuid)") { client in
            try await self.transaction(client) { connection in
                guard let current = try await PostgresRows.fetch(uuid, on: connection, lock: true, logger: self.logger)
                else { return .notFound }
                switch try current.completing(with: result) {
                case .unchanged(let outcome): return outcome
                case .store(let done):
                    if self.keepsImages {
                        try await connection.query(
                            """
                            INSERT INTO image (uuid, png) VALUES (\(uuid), \(image))
                            ON CONFLICT (uuid) DO UPDATE SET png = EXCLUDED.png
                            """, logger: self.logger)
                    }
                    try await connection.query(
                        """
                        UPDATE fractal SET status = \(done.status.rawValue),
                            completed_at = \(done.completedAt.map(\.timeIntervalSince1970)),
                            duration = \(done.duration), size = \(done.size), checksum = \(done.checksum),
                            pixel_checksum = \(done.pixelChecksum), generated_by = \(done.generatedBy),
                            attempts = \(done.attempts), failure = NULL
                        WHERE uuid = \(uuid)
                        """, logger: self.logger)
                    return .completed(done)
                }
            }
        }
    }

    public func fail(_ uuid: String, reason: String, by worker: String, at date: Date) async throws -> FailOutcome {
        try await run("cannot mark fractal \(uuid) failed") { client in
            try await self.transaction(client) { connection in
                guard let current = try await PostgresRows.fetch(uuid, on: connection, lock: true, logger: self.logger)
                else { return .notFound }
                switch current.failing(reason: reason, by: worker, at: date) {
                case .unchanged(let outcome): return outcome
                case .store(let failed):
                    try await connection.query(
                        """
                        UPDATE fractal SET status = \(failed.status.rawValue), failure = \(failed.failure),
                            generated_by = \(failed.generatedBy),
                            completed_at = \(failed.completedAt.map(\.timeIntervalSince1970))
                        WHERE uuid = \(uuid)
                        """, logger: self.logger)
                    return .markedFailed(failed)
                }
            }
        }
    }

    public func image(_ uuid: String) async throws -> Data? {
        guard keepsImages else { return nil }
        return try await run("cannot read the image of fractal \(uuid)") { client in
            try await client.withConnection { connection in
                let rows = try await connection.query(
                    """
                    SELECT image.png FROM fractal JOIN image ON image.uuid = fractal.uuid
                    WHERE fractal.uuid = \(uuid) AND fractal.status = 'completed'
                    """, logger: self.logger
                ).collect()
                return try rows.first.map { try $0.makeRandomAccess()["png"].decode(Data.self) }
            }
        }
    }

    public func delete(_ uuid: String) async throws -> Bool {
        try await run("cannot delete fractal \(uuid)") { client in
            try await client.withConnection { connection in
                // The image row goes with it (ON DELETE CASCADE).
                let rows = try await connection.query(
                    "DELETE FROM fractal WHERE uuid = \(uuid) RETURNING uuid", logger: self.logger
                ).collect()
                return !rows.isEmpty
            }
        }
    }

    /// Runs `body` in a transaction on one pooled connection: committed if it returns,
    /// rolled back if it throws (its own error rethrown, not wrapped).
    private func transaction<T: Sendable>(
        _ client: PostgresClient, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: self.logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: self.logger)
                return value
            } catch {
                // A connection that cannot roll back is broken: the server rolls back as it drops it.
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    /// Runs `body` within `operationTimeout`, turning any failure but a `StoreError` or a
    /// cancellation into a `StoreError` that says what failed.
    private func run<T: Sendable>(
        _ what: @autoclosure () -> String, _ body: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        do {
            return try await Deadline.run(within: operationTimeout) { [client] in try await body(client) }
        } catch let error as StoreError {
            throw StoreError("\(what()): \(error.message)")
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreError("\(what()): \(PostgresErrors.describe(error))")
        }
    }
}

extension PostgresFractalStore {
    /// The schema versions applied to the database, in order (for tests and diagnostics).
    public func schemaVersions() async throws -> [Int] {
        try await run("cannot read the schema versions") { client in
            try await client.withConnection { connection in
                try await PostgresSchema.appliedVersions(on: connection, logger: self.logger)
            }
        }
    }
}
