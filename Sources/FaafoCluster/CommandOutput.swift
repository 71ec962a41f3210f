import Foundation

/// What a command printed and how it exited, for running a built executable to its end
/// as a user would from a shell.
public struct CommandOutput: Sendable {
    public let status: Int32
    public let stdout: Data
    public let stderr: String

    public var text: String { String(decoding: stdout, as: UTF8.self) }
    public var lines: [String] { text.split(separator: "\n").map(String.init) }

    /// Runs `executable` and waits for it to exit. Both pipes are read at once, so that
    /// neither can fill up and block the child. `environment` nil keeps this process's.
    /// The waiting happens on a thread of its own: a caller on Swift's shared pool (every
    /// test is one) holds none of the pool's few threads while the command runs.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, in directory: URL? = nil
    ) async throws -> CommandOutput {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result { try runBlocking(executable, arguments, environment: environment, in: directory) })
            }.start()
        }
    }

    private static func runBlocking(
        _ executable: URL, _ arguments: [String], environment: [String: String]?, in directory: URL?
    ) throws -> CommandOutput {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = Collected()
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) { errors.data = readToEnd(err.fileHandleForReading) }
        let stdout = readToEnd(out.fileHandleForReading)
        done.wait()
        process.waitUntilExit()
        return CommandOutput(
            status: process.terminationStatus, stdout: stdout, stderr: String(decoding: errors.data, as: UTF8.self))
    }

    /// Bytes one thread writes and another reads after `DispatchGroup.wait`.
    private final class Collected: @unchecked Sendable {
        var data = Data()
    }
}
