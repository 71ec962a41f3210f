import Foundation
import Testing

/// A faafo service started as its own process, as an operator would start it, with its
/// log captured. Stopped (SIGKILL) when the test is done, whatever happened.
final class ServiceProcess: @unchecked Sendable {
    let name: String
    let process = Process()
    private let lock = NSLock()
    private var logText = ""

    /// The executables beside the test bundle in the build folder.
    static func executable(_ name: String) -> URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<3 {
            let candidate = folder.appending(path: name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        fatalError("no \(name) executable near \(Bundle.main.bundleURL.path): run `swift build` first")
    }

    init(_ executable: String, _ arguments: [String], name: String, environment: [String: String] = [:]) throws {
        self.name = name
        process.executableURL = Self.executable(executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["FAAFO_CONFIG_FILE"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.logText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    var log: String { lock.withLock { logText } }
    var isRunning: Bool { process.isRunning }

    /// Waits until the log contains `text` (bounded by `timeout`); returns the log line.
    @discardableResult
    func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if !process.isRunning {
                throw ProcessFailure("\(name) exited (\(process.terminationStatus)) before logging '\(text)':\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessFailure("\(name) did not log '\(text)' within \(timeout):\n\(log.suffix(3000))")
    }

    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { Foundation.kill(process.processIdentifier, signal) }
    }

    /// SIGTERM, then SIGKILL if it is still there after `grace`.
    func stop(grace: Duration = .seconds(5)) async {
        kill(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        kill(SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        kill(SIGKILL)
    }
}

struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion (bounded) and returns its status and output.
@discardableResult
func run(_ command: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    if process.isRunning {
        process.terminate()
        throw ProcessFailure("\(command) \(arguments.joined(separator: " ")) took longer than \(timeout)")
    }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return (process.terminationStatus, output)
}
