import Foundation
import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// What a command printed and how it exited, for running a built executable to its end
/// as a user would from a shell.
public struct CommandOutput: Sendable {
    /// The exit code; 128 + the signal's number for a command a signal ended, as a shell says.
    public let status: Int32
    public let stdout: Data
    public let stderr: String

    public var text: String { String(decoding: stdout, as: UTF8.self) }
    public var lines: [String] { text.split(separator: "\n").map(String.init) }

    /// The most a command may print on each of its outputs: a test's command prints far less.
    static let outputLimit = 256 << 20

    /// Runs `executable` and waits for it to exit (swift-subprocess: both outputs are read
    /// as they come, and no thread waits). `environment` nil keeps this process's; else the
    /// command gets exactly `environment`.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, in directory: URL? = nil
    ) async throws -> CommandOutput {
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: Arguments(arguments),
            environment: environment.map { variables in
                .custom(Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
            } ?? .inherit,
            workingDirectory: directory.map { FilePath($0.path) },
            output: .bytes(limit: outputLimit), error: .bytes(limit: outputLimit))
        let status: Int32 =
            switch result.terminationStatus {
            case .exited(let code): code
            case .signaled(let signal): 128 + signal
            }
        return CommandOutput(
            status: status, stdout: Data(result.standardOutput),
            stderr: String(decoding: result.standardError, as: UTF8.self))
    }
}
