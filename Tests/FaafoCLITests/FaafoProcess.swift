import Foundation
import Testing

/// Runs the built `faafo` executable, as a user would, and captures what it printed.
struct FaafoProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `faafo` binary beside this test bundle in the build folder.
    static let executable: URL = {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appending(path: "faafo")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        fatalError("no faafo executable near \(Bundle.main.bundleURL.path): build it with `swift build` first")
    }()

    /// `FaafoRun.run` with stdout as text.
    static func run(_ arguments: [String], in directory: URL? = nil) throws -> Result {
        let result = try FaafoRun.run(arguments, in: directory)
        return Result(status: result.status, stdout: result.text, stderr: result.stderr)
    }
}

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct ScratchFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appending(path: "faafo-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
