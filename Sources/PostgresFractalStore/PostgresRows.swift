import FaafoWire
import FractalCore
import FractalStore
import Foundation
import Logging
import PostgresNIO

/// How a `FractalRecord` is written to and read from table `fractal`.
enum PostgresRows {
    /// The columns `record(_:)` reads, in the order `insert(_:)` writes them.
    static let columns = """
        uuid, width, height, iterations, xa, xb, ya, yb, cx, cy, seed, status, created_at, published, \
        completed_at, duration, size, checksum, pixel_checksum, generated_by, attempts, failure
        """

    /// Inserts `r` unless its uuid is taken; the statement returns a row only if it inserted.
    static func insert(_ r: FractalRecord) -> PostgresQuery {
        let f = r.fractal
        return """
        INSERT INTO fractal (\(unescaped: columns)) VALUES (
            \(r.uuid), \(f.width), \(f.height), \(f.iterations), \(f.xa), \(f.xb), \(f.ya), \(f.yb),
            \(f.cx), \(f.cy), \(f.seed.map(StoredValue.int64)), \(r.status.rawValue),
            \(StoredValue.seconds(r.createdAt)), \(r.published), \(r.completedAt.map(StoredValue.seconds)),
            \(r.duration), \(r.size), \(r.checksum), \(r.pixelChecksum), \(r.generatedBy), \(r.attempts), \(r.failure))
        ON CONFLICT (uuid) DO NOTHING RETURNING uuid
        """
    }

    /// The fractal with this uuid, or nil; with `lock`, its row is locked until the
    /// transaction ends (`FOR UPDATE`), so that concurrent changes to it take turns.
    static func fetch(
        _ uuid: String, on connection: PostgresConnection, lock: Bool = false, logger: Logger
    ) async throws -> FractalRecord? {
        let rows = try await connection.query(
            "SELECT \(unescaped: columns) FROM fractal WHERE uuid = \(uuid) \(unescaped: lock ? "FOR UPDATE" : "")",
            logger: logger
        ).collect()
        return try rows.first.map(record)
    }

    /// Reads one row. A value of the wrong type (a row another program wrote, say) throws
    /// rather than traps.
    static func record(_ row: PostgresRow) throws -> FractalRecord {
        let cells = row.makeRandomAccess()
        let uuid = try cells["uuid"].decode(String.self)
        let statusText = try cells["status"].decode(String.self)
        guard let status = FractalStatus(rawValue: statusText) else {
            throw StoreError("fractal \(uuid) has an unknown status '\(statusText)'")
        }
        var r = FractalRecord(
            uuid: uuid,
            fractal: FractalRequest(
                width: try cells["width"].decode(Int.self),
                height: try cells["height"].decode(Int.self),
                iterations: try cells["iterations"].decode(Int.self),
                xa: try cells["xa"].decode(Double.self),
                xb: try cells["xb"].decode(Double.self),
                ya: try cells["ya"].decode(Double.self),
                yb: try cells["yb"].decode(Double.self),
                cx: try cells["cx"].decode(Double?.self),
                cy: try cells["cy"].decode(Double?.self),
                seed: try cells["seed"].decode(Int64?.self).map(StoredValue.seed)),
            createdAt: StoredValue.date(seconds: try cells["created_at"].decode(Double.self)))
        r.status = status
        r.published = try cells["published"].decode(Bool.self)
        r.completedAt = try cells["completed_at"].decode(Double?.self).map { StoredValue.date(seconds: $0) }
        r.duration = try cells["duration"].decode(Double?.self)
        r.size = try cells["size"].decode(Int?.self)
        r.checksum = try cells["checksum"].decode(String?.self)
        r.pixelChecksum = try cells["pixel_checksum"].decode(String?.self)
        r.generatedBy = try cells["generated_by"].decode(String?.self)
        r.attempts = try cells["attempts"].decode(Int.self)
        r.failure = try cells["failure"].decode(String?.self)
        return r
    }

    /// The outbox's order: created_at, then the uuid's bytes (the columns' "C" collation).
    static func outboxOrder(_ a: FractalRecord, _ b: FractalRecord) -> Bool {
        if a.createdAt != b.createdAt { return a.createdAt < b.createdAt }
        return a.uuid.utf8.lexicographicallyPrecedes(b.uuid.utf8)
    }
}
