/// Where the API keeps PNG files, read from `image_store`.
public enum ImageStore: Hashable, Sendable, CustomStringConvertible {
    /// In the fractal's row, as the original did.
    case database
    /// One file per fractal in a folder: `file:///var/lib/faafo/images`.
    case directory(path: String)

    /// Parses `database` or `file:///absolute/folder`; the failure says which forms exist.
    public static func parse(_ text: String) -> Result<ImageStore, ImageStoreError> {
        if text.lowercased() == "database" { return .success(.database) }
        guard text.lowercased().hasPrefix("file://") else {
            return .failure(ImageStoreError("expected 'database' or file:///absolute/folder"))
        }
        var path = String(text.dropFirst("file://".count))
        if path.lowercased().hasPrefix("localhost/") { path = String(path.dropFirst("localhost".count)) }
        guard path.hasPrefix("/") else {
            return .failure(ImageStoreError("a file URL names an absolute folder: file:///var/lib/faafo/images"))
        }
        guard !path.contains("?"), !path.contains("#") else {
            return .failure(ImageStoreError("query options are not supported: file:///var/lib/faafo/images"))
        }
        path = path.removingPercentEncodingIfValid
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return .success(.directory(path: path))
    }

    /// As `image_store` spells it.
    public var description: String {
        switch self {
        case .database: return "database"
        case .directory(let path): return "file://" + path
        }
    }
}

/// Why an `image_store` value is not usable.
public struct ImageStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
