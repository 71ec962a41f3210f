import FaafoCluster
import Foundation
import Testing

/// The built `faafo` executable, run as a user would.
enum FaafoProcess {
    /// The `faafo` binary beside this test bundle in the build folder.
    static let executable: URL = {
        do {
            return try LocalCluster.executablesFolder(containing: ["faafo"]).appending(path: "faafo")
        } catch {
            fatalError("\(error)")
        }
    }()

    /// The process environment without FAAFO_* variables, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FAAFO_") }.merging(extra) { $1 }
    }

    /// Runs `faafo` with a clean environment (no FAAFO_* variables but those given).
    static func run(_ arguments: [String], environment extra: [String: String] = [:], in directory: URL? = nil) async throws
        -> CommandOutput
    {
        try await CommandOutput.run(executable, arguments, environment: environment(extra), in: directory)
    }
}
