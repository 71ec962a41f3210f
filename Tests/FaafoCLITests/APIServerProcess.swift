import Foundation
import Testing

/// A real `faafo-api` (built beside `faafo`) in its own process and scratch folder:
/// in-memory queue, a SQLite file in the folder, listening on a free port of 127.0.0.1.
/// `stop()` ends it with SIGTERM.
final class APIServerProcess: @unchecked Sendable {
    let scratch: ScratchFolder
    let endpoint: String
    /// An empty config file, so no test reads /etc/faafo/faafo.conf.
    let emptyConfig: String
    private let process: Process
    private let log: LogBuffer

    /// Starts the API with `arguments` added to the defaults and waits until it listens.
    init(_ arguments: [String] = []) throws {
        scratch = try ScratchFolder()
        emptyConfig = scratch.url.appending(path: "empty.conf").path
        try Data("[DEFAULT]\n".utf8).write(to: URL(fileURLWithPath: emptyConfig))
        let executable = FaafoProcess.executable.deletingLastPathComponent().appending(path: "faafo-api")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure("no faafo-api beside \(FaafoProcess.executable.path): build every product first")
        }
        process = Process()
        process.executableURL = executable
        process.arguments = [
            "--config-file", emptyConfig, "--transport-url", "memory://",
            "--database-url", "sqlite:///" + scratch.url.appending(path: "faafo.db").path,
            "--listen-address", "127.0.0.1", "--bind-port", "0",
        ] + arguments
        process.currentDirectoryURL = scratch.url
        process.environment = FaafoRun.environment()
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        log = LogBuffer(errors.fileHandleForReading)
        try process.run()

        let deadline = Date().addingTimeInterval(60)
        while true {
            if let port = log.listeningPort() {
                endpoint = "http://127.0.0.1:\(port)"
                return
            }
            guard process.isRunning, Date() < deadline else {
                if process.isRunning { process.terminate() }
                process.waitUntilExit()
                scratch.remove()
                throw Failure("faafo-api did not start listening: \(log.text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// What the API logged so far.
    var logText: String { log.text }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        scratch.remove()
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Drains a pipe on a thread of its own, so the server never blocks on a full pipe.
    final class LogBuffer: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { return }
                    lock.withLock { data.append(chunk) }
                }
            }
        }

        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

        /// The port of the first `listening on HOST:PORT` line.
        func listeningPort() -> Int? {
            for line in text.split(separator: "\n") {
                guard let range = line.range(of: "listening on ") else { continue }
                let address = line[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," }
                if let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                    port > 0
                {
                    return port
                }
            }
            return nil
        }
    }
}

/// Runs `faafo` with a clean environment (no FAAFO_* variables but those given),
/// keeping stdout as bytes for `get -o -`.
enum FaafoRun {
    struct Result {
        let status: Int32
        let stdout: Data
        let stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
        var lines: [String] { text.split(separator: "\n").map(String.init) }
    }

    /// The process environment without FAAFO_* variables, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FAAFO_") }.merging(extra) { $1 }
    }

    static func run(_ arguments: [String], environment extra: [String: String] = [:], in directory: URL? = nil) throws
        -> Result
    {
        let process = Process()
        process.executableURL = FaafoProcess.executable
        process.arguments = arguments
        process.environment = environment(extra)
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read stderr on another thread so neither pipe can fill up and block the child.
        let errors = DataBox()
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) { errors.data = err.fileHandleForReading.readDataToEndOfFile() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        let stderr = String(decoding: errors.data, as: UTF8.self)
        return Result(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}
