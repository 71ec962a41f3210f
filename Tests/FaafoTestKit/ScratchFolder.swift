import Foundation

/// A fresh folder under the system's temporary folder, removed by `remove()`.
public struct ScratchFolder: Sendable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "faafo-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` with a new empty temporary folder, then removes it, whatever `body` did.
public func withScratchDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let scratch = try ScratchFolder()
    defer { scratch.remove() }
    return try await body(scratch.url)
}
