/// Where the API keeps PNG files, read from `image_store`.
public enum ImageStore: Hashable, Sendable, CustomStringConvertible {
    /// In the fractal's row, as the original did.
    case database
    /// One file per fractal in a folder: `file:///var/lib/faafo/images`.
    case directory(path: String)
    /// One object per fractal in a container of OpenStack Swift, which every API host
    /// shares: `swift://faafo` (with `swift_auth_url`, `swift_user` and `swift_key`).
    case swift(container: String)

    /// Swift's own limit on a container name, in bytes.
    public static let containerNameLimit = 256

    /// Parses `database`, `file:///absolute/folder` or `swift://CONTAINER`; the failure says
    /// which forms exist.
    public static func parse(_ text: String) -> Result<ImageStore, ImageStoreError> {
        if text.lowercased() == "database" { return .success(.database) }
        if text.lowercased().hasPrefix("swift://") { return parseSwift(String(text.dropFirst("swift://".count))) }
        guard text.lowercased().hasPrefix("file://") else {
            return .failure(ImageStoreError("expected 'database', file:///absolute/folder or swift://CONTAINER"))
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

    /// A container name as Swift takes it: not empty, no `/`, at most 256 bytes.
    private static func parseSwift(_ name: String) -> Result<ImageStore, ImageStoreError> {
        let container = name.removingPercentEncodingIfValid
        guard !container.isEmpty else {
            return .failure(ImageStoreError("a Swift image store names its container: swift://faafo"))
        }
        guard !container.contains("/"), !container.contains("?"), !container.contains("#") else {
            return .failure(ImageStoreError("a Swift container name has no '/', '?' or '#': swift://faafo"))
        }
        guard container.utf8.count <= containerNameLimit else {
            return .failure(
                ImageStoreError("a Swift container name is at most \(containerNameLimit) bytes, this one has \(container.utf8.count)"))
        }
        return .success(.swift(container: container))
    }

    /// As `image_store` spells it.
    public var description: String {
        switch self {
        case .database: return "database"
        case .directory(let path): return "file://" + path
        case .swift(let container): return "swift://" + container
        }
    }
}

/// Why an `image_store` value is not usable.
public struct ImageStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
