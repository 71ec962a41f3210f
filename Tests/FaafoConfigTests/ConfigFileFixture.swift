import Foundation

/// A config file in a fresh temporary folder, removed by `remove()`.
struct ConfigFileFixture {
    let folder: URL
    let path: String

    init(_ text: String, name: String = "faafo.conf") throws {
        folder = FileManager.default.temporaryDirectory.appending(path: "faafo-config-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appending(path: name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// A path in the folder where no file is.
    var missingPath: String { folder.appending(path: "absent.conf").path }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}
