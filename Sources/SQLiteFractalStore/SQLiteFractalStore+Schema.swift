import FaafoWire
import Foundation
import FractalCore
import FractalStore
import GRDB

extension SQLiteFractalStore {
    /// The schema's history. A migration, once released, is never edited: changes go in a
    /// new one, appended.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Dates are seconds since 1970 (REAL); `seed` is the UInt64's bit pattern as a
            // signed integer; `published` and `status` are the outbox and the life cycle.
            try db.execute(
                sql: """
                    CREATE TABLE fractal (
                        uuid TEXT NOT NULL PRIMARY KEY,
                        width INTEGER NOT NULL,
                        height INTEGER NOT NULL,
                        iterations INTEGER NOT NULL,
                        xa REAL NOT NULL,
                        xb REAL NOT NULL,
                        ya REAL NOT NULL,
                        yb REAL NOT NULL,
                        cx REAL,
                        cy REAL,
                        seed INTEGER,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'completed')),
                        created_at REAL NOT NULL,
                        published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
                        completed_at REAL,
                        duration REAL,
                        size INTEGER,
                        checksum TEXT,
                        pixel_checksum TEXT,
                        generated_by TEXT,
                        attempts INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX fractal_by_creation ON fractal (created_at, uuid);
                    -- The outbox: only the unpublished rows, in the order they are sent.
                    CREATE INDEX fractal_unpublished ON fractal (created_at, uuid) WHERE published = 0;
                    CREATE TABLE image (
                        uuid TEXT NOT NULL PRIMARY KEY REFERENCES fractal (uuid) ON DELETE CASCADE,
                        png BLOB NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v2: failed fractals") { db in
            // A new status and the failure's reason. SQLite cannot change a CHECK
            // constraint in place, so the table is rebuilt, every row copied. GRDB runs
            // migrations with foreign keys off, so dropping the old table leaves the
            // images (which reference it) alone; it checks them all at the end.
            try db.execute(
                sql: """
                    CREATE TABLE fractal_v2 (
                        uuid TEXT NOT NULL PRIMARY KEY,
                        width INTEGER NOT NULL,
                        height INTEGER NOT NULL,
                        iterations INTEGER NOT NULL,
                        xa REAL NOT NULL,
                        xb REAL NOT NULL,
                        ya REAL NOT NULL,
                        yb REAL NOT NULL,
                        cx REAL,
                        cy REAL,
                        seed INTEGER,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
                        created_at REAL NOT NULL,
                        published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
                        completed_at REAL,
                        duration REAL,
                        size INTEGER,
                        checksum TEXT,
                        pixel_checksum TEXT,
                        generated_by TEXT,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        failure TEXT
                    );
                    INSERT INTO fractal_v2 (\(v1Columns)) SELECT \(v1Columns) FROM fractal;
                    DROP TABLE fractal;
                    ALTER TABLE fractal_v2 RENAME TO fractal;
                    CREATE INDEX fractal_by_creation ON fractal (created_at, uuid);
                    CREATE INDEX fractal_unpublished ON fractal (created_at, uuid) WHERE published = 0;
                    """)
        }
        migrator.registerMigration("v3: outbox claims") { db in
            // Until when (seconds since 1970) a publisher holds an outbox row; NULL: nobody.
            try db.execute(sql: "ALTER TABLE fractal ADD COLUMN claimed_until REAL")
        }
        return migrator
    }

    /// The columns of `fractal` in schema v1.
    static let v1Columns = """
        uuid, width, height, iterations, xa, xb, ya, yb, cx, cy, seed, status, created_at, \
        published, completed_at, duration, size, checksum, pixel_checksum, generated_by, attempts
        """

    /// The columns of `fractal`, in the order `record(_:)` and `arguments(_:)` use.
    static let columns = v1Columns + ", failure"

    static let insertSQL = "INSERT INTO fractal (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    static let selectSQL = "SELECT \(columns) FROM fractal"

    static func arguments(_ r: FractalRecord) -> StatementArguments {
        [
            r.uuid, r.fractal.width, r.fractal.height, r.fractal.iterations, r.fractal.xa, r.fractal.xb,
            r.fractal.ya, r.fractal.yb, r.fractal.cx, r.fractal.cy, r.fractal.seed.map(StoredValue.int64),
            r.status.rawValue, StoredValue.seconds(r.createdAt),
            r.published, r.completedAt.map(StoredValue.seconds), r.duration, r.size, r.checksum,
            r.pixelChecksum, r.generatedBy, r.attempts, r.failure,
        ]
    }

    /// Reads one row of `fractal`. A value of the wrong type (a row another program wrote,
    /// say) throws rather than traps.
    static func record(_ row: Row) throws -> FractalRecord {
        let uuid: String = try row.decode(forColumn: "uuid")
        let statusText: String = try row.decode(forColumn: "status")
        guard let status = FractalStatus(rawValue: statusText) else {
            throw StoreError("fractal \(uuid) has an unknown status '\(statusText)'")
        }
        var r = FractalRecord(
            uuid: uuid,
            fractal: FractalRequest(
                width: try row.decode(forColumn: "width"),
                height: try row.decode(forColumn: "height"),
                iterations: try row.decode(forColumn: "iterations"),
                xa: try row.decode(forColumn: "xa"),
                xb: try row.decode(forColumn: "xb"),
                ya: try row.decode(forColumn: "ya"),
                yb: try row.decode(forColumn: "yb"),
                cx: try row.decode(forColumn: "cx"),
                cy: try row.decode(forColumn: "cy"),
                seed: (try row.decode(Int64?.self, forColumn: "seed")).map(StoredValue.seed)),
            createdAt: StoredValue.date(seconds: try row.decode(forColumn: "created_at")))
        r.status = status
        r.published = try row.decode(forColumn: "published")
        r.completedAt = (try row.decode(Double?.self, forColumn: "completed_at")).map { StoredValue.date(seconds: $0) }
        r.duration = try row.decode(forColumn: "duration")
        r.size = try row.decode(forColumn: "size")
        r.checksum = try row.decode(forColumn: "checksum")
        r.pixelChecksum = try row.decode(forColumn: "pixel_checksum")
        r.generatedBy = try row.decode(forColumn: "generated_by")
        r.attempts = try row.decode(forColumn: "attempts")
        r.failure = try row.decode(forColumn: "failure")
        return r
    }

    static func fetchRecord(_ db: Database, _ uuid: String) throws -> FractalRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "\(selectSQL) WHERE uuid = ?"), arguments: [uuid]).map(record)
    }
}
