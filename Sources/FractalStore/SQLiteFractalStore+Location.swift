import Foundation

extension SQLiteFractalStore {
    /// Where the database lives.
    public enum Location: Hashable, Sendable {
        /// A file, opened as a WAL database (created with its schema if missing). A relative
        /// path is relative to the working directory.
        case file(path: String)
        /// A private in-memory database, gone when the store is.
        case memory

        /// Reads the original faafo's `database_url` (SQLAlchemy's form):
        /// `sqlite:////var/lib/faafo/faafo.db` (an absolute path: four slashes),
        /// `sqlite:///faafo.db` (relative to the working directory), and `sqlite://` or
        /// `sqlite:///:memory:` for memory. Anything else throws a `StoreError` naming the
        /// URL (its password masked).
        public init(databaseURL: String) throws {
            let url = databaseURL.trimmingCharacters(in: .whitespaces)
            guard let separator = url.range(of: "://") else {
                throw Self.unsupported(databaseURL, "it is not a URL")
            }
            let scheme = url[..<separator.lowerBound].lowercased()
            guard scheme == "sqlite" else {
                throw Self.unsupported(databaseURL, "only sqlite:// URLs are supported, not \(scheme)://")
            }
            let rest = url[separator.upperBound...]
            if rest.isEmpty {
                self = .memory
                return
            }
            guard rest.hasPrefix("/") else {
                throw Self.unsupported(databaseURL, "an SQLite URL has no host: write sqlite:////absolute/path.db or sqlite:///relative.db")
            }
            let path = String(rest.dropFirst())
            guard !path.contains("?") else {
                throw Self.unsupported(databaseURL, "query options are not supported")
            }
            switch path {
            case "", ":memory:": self = .memory
            default: self = .file(path: path)
            }
        }

        /// `.memory` for the paths SQLite reads as a private in-memory database.
        var normalized: Location {
            if case .file(let path) = self, path.isEmpty || path == ":memory:" { return .memory }
            return self
        }

        private static func unsupported(_ url: String, _ reason: String) -> StoreError {
            StoreError(
                "database_url '\(masked(url))' is not supported: \(reason) "
                    + "(expected sqlite:////absolute/path.db, sqlite:///relative.db or sqlite:// for memory)")
        }
    }
}

/// `scheme://user:secret@host/...` as `scheme://user:***@host/...`, so that an error
/// message naming a URL does not log its password.
func masked(_ url: String) -> String {
    guard let schemeEnd = url.range(of: "://") else { return url }
    let authorityStart = schemeEnd.upperBound
    let authorityEnd = url[authorityStart...].firstIndex(of: "/") ?? url.endIndex
    let authority = url[authorityStart..<authorityEnd]
    guard let at = authority.lastIndex(of: "@"),
          let colon = authority[..<at].firstIndex(of: ":")
    else { return url }
    return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
}
