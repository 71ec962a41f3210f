import Foundation

/// A `database_url` naming PostgreSQL, in its parts: SQLAlchemy's and libpq's URL form
/// `postgresql://user:password@host:5432/database?sslmode=disable` (also `postgres://` and
/// `postgresql+psycopg2://`). User and password may be percent-encoded.
public struct PostgresURL: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// libpq's `sslmode`: `disable`, `prefer` (the default) or `require`.
    public var sslMode: String

    /// The modes accepted; libpq's `allow` is read as `prefer`, its `verify-ca` and
    /// `verify-full` as `require` (which verifies certificates here).
    static let sslModes: [String: String] = [
        "disable": "disable", "allow": "prefer", "prefer": "prefer", "require": "require",
        "verify-ca": "require", "verify-full": "require",
    ]

    /// Parses `url` or returns why it is not a PostgreSQL URL (never quoting a password).
    public static func parse(_ url: String) -> Result<PostgresURL, DatabaseURLError> {
        guard let schemeEnd = url.range(of: "://") else { return .failure(DatabaseURLError("not a URL")) }
        let rest = String(url[schemeEnd.upperBound...])
        // URLComponents reads the authority; a scheme of its own keeps '+' out of its way.
        guard let components = URLComponents(string: "postgresql://" + rest) else {
            return .failure(DatabaseURLError(
                "not a PostgreSQL URL: expected postgresql://user:password@host:5432/database"))
        }
        guard let host = components.host, !host.isEmpty else {
            return .failure(DatabaseURLError("a PostgreSQL URL needs a host: postgresql://user:password@host:5432/database"))
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            return .failure(DatabaseURLError("port \(port) is out of range (1 to 65535)"))
        }
        // As libpq: no user in the URL means the name of the user running the program.
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()
        var database = components.path
        while database.hasPrefix("/") { database.removeFirst() }
        guard !database.isEmpty, !database.contains("/") else {
            return .failure(DatabaseURLError(
                "a PostgreSQL URL names one database: postgresql://user:password@host:5432/database"))
        }
        var sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap({ sslModes[$0.lowercased()] }) else {
                    return .failure(DatabaseURLError(
                        "sslmode '\(item.value ?? "")' is not one of disable, allow, prefer, require, verify-ca, verify-full"))
                }
                sslMode = mode
            default:
                return .failure(DatabaseURLError("option '\(item.name)' is not supported (only sslmode)"))
            }
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return .success(PostgresURL(
            host: bareHost, port: port, user: user, password: components.password, database: database,
            sslMode: sslMode))
    }

    /// Never shows the password.
    public var description: String { "postgresql://\(user)@\(host):\(port)/\(database)" }
}
