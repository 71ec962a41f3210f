import FractalStore
import Logging
import PostgresNIO

/// The schema's history, applied at start-up under an advisory lock so that several APIs
/// starting at once take turns: the first applies what is missing, the others find it
/// done. A migration, once released, is never edited: changes go in a new one, appended.
enum PostgresSchema {
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// `pg_advisory_xact_lock`'s key: "faafo" in ASCII, so other programs' locks do not clash.
    static let lockKey: Int64 = 0x66_61_61_66_6F

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "fractals, images, the outbox and its claims",
            statements: [
                // Dates are seconds since 1970 (as SQLite keeps them, so every backend answers
                // alike); `seed` is the UInt64's bit pattern; uuids compare byte for byte.
                """
                CREATE TABLE fractal (
                    uuid TEXT COLLATE "C" NOT NULL PRIMARY KEY,
                    width BIGINT NOT NULL,
                    height BIGINT NOT NULL,
                    iterations BIGINT NOT NULL,
                    xa DOUBLE PRECISION NOT NULL,
                    xb DOUBLE PRECISION NOT NULL,
                    ya DOUBLE PRECISION NOT NULL,
                    yb DOUBLE PRECISION NOT NULL,
                    cx DOUBLE PRECISION,
                    cy DOUBLE PRECISION,
                    seed BIGINT,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
                    created_at DOUBLE PRECISION NOT NULL,
                    published BOOLEAN NOT NULL DEFAULT false,
                    -- Until when (seconds since 1970) a publisher holds this outbox row.
                    claimed_until DOUBLE PRECISION,
                    completed_at DOUBLE PRECISION,
                    duration DOUBLE PRECISION,
                    size BIGINT,
                    checksum TEXT,
                    pixel_checksum TEXT,
                    generated_by TEXT,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    failure TEXT
                )
                """,
                "CREATE INDEX fractal_by_creation ON fractal (created_at, uuid)",
                // The outbox: only the unpublished rows, in the order they are sent.
                "CREATE INDEX fractal_unpublished ON fractal (created_at, uuid) WHERE NOT published",
                """
                CREATE TABLE image (
                    uuid TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES fractal (uuid) ON DELETE CASCADE,
                    png BYTEA NOT NULL
                )
                """,
            ]),
    ]

    /// Connects once (so that a wrong address, password or database fails here, clearly),
    /// then applies the missing migrations in one transaction.
    static func migrate(_ endpoint: PostgresEndpoint, timeout: Duration, logger: Logger) async throws {
        let connection: PostgresConnection
        do {
            connection = try await Deadline.run(within: timeout) {
                try await PostgresConnection.connect(configuration: try endpoint.connectionConfiguration(), id: 0, logger: logger)
            }
        } catch {
            throw StoreError("cannot connect to \(endpoint): \(PostgresErrors.describe(error))")
        }
        do {
            try await Deadline.run(within: timeout * 6) { try await apply(on: connection, logger: logger) }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw StoreError("cannot set up the schema of \(endpoint): \(PostgresErrors.describe(error))")
        }
    }

    /// The versions applied to the database, in order.
    static func appliedVersions(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("SELECT version FROM faafo_schema ORDER BY version", logger: logger).collect()
            .map { try $0.decode(Int.self) }
    }

    private static func apply(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS faafo_schema (
                    version INTEGER NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let applied = Set(try await appliedVersions(on: connection, logger: logger))
            let known = Set(migrations.map(\.version))
            if let unknown = applied.subtracting(known).min() {
                throw StoreError("it was migrated by a newer version of faafo (schema version \(unknown) is unknown here)")
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO faafo_schema (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
                logger.info("applied schema version \(migration.version): \(migration.name)")
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
