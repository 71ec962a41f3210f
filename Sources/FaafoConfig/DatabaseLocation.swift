/// Where fractals are stored, read from `database_url` in SQLAlchemy's URL forms.
public enum DatabaseLocation: Hashable, Sendable, CustomStringConvertible {
    /// A SQLite file. `sqlite:///faafo.db` is relative to the working folder,
    /// `sqlite:////var/lib/faafo/faafo.db` absolute; `sqlite://` (no path) is the string
    /// `:memory:`, SQLite's private in-memory database.
    case sqlite(path: String)
    /// A PostgreSQL server: the URL as given (`postgresql://user:password@host:5432/faafo`).
    case postgres(url: String)
    /// The in-process store (`memory://`): gone when the process ends.
    case memory

    /// Parses `url`, or returns why it is not one: the reason names the accepted forms.
    public static func parse(_ url: String) -> Result<DatabaseLocation, DatabaseURLError> {
        guard let schemeEnd = url.range(of: "://") else {
            return .failure(DatabaseURLError("not a URL: expected sqlite:///path, postgresql://… or memory://"))
        }
        let fullScheme = url[..<schemeEnd.lowerBound].lowercased()
        // SQLAlchemy names a driver after a '+': postgresql+psycopg2://.
        let scheme = fullScheme.split(separator: "+", maxSplits: 1).first.map(String.init) ?? fullScheme
        let rest = url[schemeEnd.upperBound...]
        switch scheme {
        case "sqlite":
            if rest.isEmpty { return .success(.sqlite(path: ":memory:")) }
            guard rest.hasPrefix("/") else {
                return .failure(DatabaseURLError(
                    "a SQLite URL has no host: sqlite:///relative.db or sqlite:////absolute/path.db"))
            }
            var path = String(rest.dropFirst())
            if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
            path = path.removingPercentEncodingIfValid
            guard !path.isEmpty else { return .success(.sqlite(path: ":memory:")) }
            return .success(.sqlite(path: path))
        case "postgresql", "postgres":
            guard !rest.isEmpty else { return .failure(DatabaseURLError("a PostgreSQL URL needs a host")) }
            guard scheme == "postgresql" || fullScheme == "postgres" else {
                return .failure(DatabaseURLError("unsupported scheme '\(fullScheme)': use postgresql://"))
            }
            if case .failure(let error) = PostgresURL.parse(url) { return .failure(error) }
            return .success(.postgres(url: url))
        case "memory":
            guard rest.isEmpty || rest == "/" else {
                return .failure(DatabaseURLError("memory:// takes no host or path"))
            }
            return .success(.memory)
        default:
            return .failure(DatabaseURLError(
                "unsupported scheme '\(fullScheme)': use sqlite://, postgresql:// or memory://"))
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "SQLite \(path)"
        case .postgres(let url): return "PostgreSQL \(Redaction.redactingPassword(url))"
        case .memory: return "memory"
        }
    }
}

/// Why a `database_url` is not usable.
public struct DatabaseURLError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension String {
    /// Percent-decoded when the escapes are valid, else unchanged.
    var removingPercentEncodingIfValid: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
                else { return self }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
