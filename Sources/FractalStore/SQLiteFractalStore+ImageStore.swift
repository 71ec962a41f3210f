import Foundation

extension SQLiteFractalStore {
    /// Where the PNG files are kept.
    public enum ImageStore: Hashable, Sendable {
        /// In the database, table `image` (as the original kept them). The default.
        case database
        /// One `<uuid>.png` file per completed fractal in this directory (created if
        /// missing). A file is written and renamed into place before the transaction that
        /// completes its fractal commits, so a crash leaves at most an orphan file, never a
        /// completed fractal without its image.
        case directory(path: String)

        /// Reads the `image_store` option: absent, empty or `database` for the database;
        /// `file:///var/lib/faafo/images` (an absolute path) for a directory. Anything else
        /// throws a `StoreError` naming the value.
        public init(option: String?) throws {
            let value = (option ?? "").trimmingCharacters(in: .whitespaces)
            if value.isEmpty || value.lowercased() == "database" {
                self = .database
                return
            }
            let prefix = "file://"
            guard value.lowercased().hasPrefix(prefix) else {
                throw Self.unsupported(value, "expected database or a file:// URL")
            }
            var path = String(value.dropFirst(prefix.count))
            if path.lowercased().hasPrefix("localhost/") { path.removeFirst("localhost".count) }
            guard path.hasPrefix("/") else {
                throw Self.unsupported(value, "a file URL names an absolute path: file:///path/to/images")
            }
            guard !path.contains("?"), !path.contains("#") else {
                throw Self.unsupported(value, "query options are not supported")
            }
            // Keep the root itself, but drop a trailing slash anywhere else.
            while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
            self = .directory(path: path.removingPercentEncoding ?? path)
        }

        private static func unsupported(_ value: String, _ reason: String) -> StoreError {
            StoreError("image_store '\(masked(value))' is not supported: \(reason)")
        }
    }
}
