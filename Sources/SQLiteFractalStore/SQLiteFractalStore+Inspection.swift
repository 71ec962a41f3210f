import Foundation
import FractalStore
import GRDB

/// What the database holds besides fractals, for tests and diagnostics.
extension SQLiteFractalStore {
    /// The schema's tables and indexes as `"<type> <name>"`, sorted (SQLite's own
    /// `sqlite_*` objects left out).
    func schemaObjects() async throws -> [String] {
        try await reader.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT type || ' ' || name FROM sqlite_master
                    WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'
                    ORDER BY type, name
                    """)
        }
    }

    /// The migrations applied to the database, in order.
    func appliedMigrations() async throws -> [String] {
        try await reader.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// SQLite's `journal_mode` (`wal` for a database file).
    func journalMode() async throws -> String {
        try await reader.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// How many images the `image` table holds.
    func imageRows() async throws -> Int {
        try await reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image") ?? 0 }
    }
}
