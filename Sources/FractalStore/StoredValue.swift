import Foundation

/// How values are kept, shared by every backend.
package enum StoredValue {
    /// Seconds since 1970 as a Double: the column value of a date.
    package static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

    /// The date a column value stands for.
    package static func date(seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    /// The date as it reads back from a column: seconds since 1970 rounded to a Double,
    /// so at most a quarter of a microsecond away today and half a microsecond until the
    /// year 2242; storing the result again changes nothing.
    package static func date(_ date: Date) -> Date { self.date(seconds: seconds(date)) }

    /// A finite double as a SQLite REAL column returns it: -0.0 reads back as 0.0
    /// (SQLite stores integral REAL values as integers).
    package static func double(_ value: Double, _ name: String, of uuid: String) throws -> Double {
        guard value.isFinite else {
            throw StoreError("fractal \(uuid): \(name) is \(value); the store keeps finite numbers only")
        }
        return value == 0 ? 0 : value
    }

    /// A seed's bit pattern as a (signed) SQLite integer, and back.
    package static func int64(_ seed: UInt64) -> Int64 { Int64(bitPattern: seed) }
    package static func seed(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) }

    /// How many records come before page `page` (1-based); nil when the page has none:
    /// `page < 1`, `perPage < 1`, or an offset past `Int.max` (past every record).
    package static func offset(ofPage page: Int, perPage: Int) -> Int? {
        guard page >= 1, perPage >= 1 else { return nil }
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? nil : offset
    }
}
