import Foundation

extension SQLiteFractalStore {
    /// Where the database lives.
    public enum Location: Hashable, Sendable {
        /// A file, opened as a WAL database (created with its schema if missing). A relative
        /// path is relative to the working directory.
        case file(path: String)
        /// A private in-memory database, gone when the store is.
        case memory

        /// `.memory` for the paths SQLite reads as a private in-memory database.
        var normalized: Location {
            if case .file(let path) = self, path.isEmpty || path == ":memory:" { return .memory }
            return self
        }
    }
}
