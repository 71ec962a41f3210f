import FaafoCluster
import FaafoTestKit
import Foundation
import Testing

/// A real `faafo-api` (built beside `faafo`) in its own process and scratch folder:
/// in-memory queue, a SQLite file in the folder, listening on a free port of 127.0.0.1.
/// `stop()` ends it with SIGTERM.
final class APIServerProcess: Sendable {
    let scratch: ScratchFolder
    let endpoint: String
    /// An empty config file, so no test reads /etc/faafo/faafo.conf.
    let emptyConfig: String
    let server: ServiceProcess

    /// Starts the API with `arguments` added to the defaults and waits (at most a minute)
    /// until it listens.
    init(_ arguments: [String] = []) async throws {
        scratch = try ScratchFolder()
        emptyConfig = scratch.url.appending(path: "empty.conf").path
        try Data("[DEFAULT]\n".utf8).write(to: URL(fileURLWithPath: emptyConfig))
        let executable = FaafoProcess.executable.deletingLastPathComponent().appending(path: "faafo-api")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw Failure("no faafo-api beside \(FaafoProcess.executable.path): build every product first")
        }
        server = try ServiceProcess(
            executable,
            [
                "--config-file", emptyConfig, "--transport-url", "memory://",
                "--database-url", "sqlite:///" + scratch.url.appending(path: "faafo.db").path,
                "--listen-address", "127.0.0.1", "--bind-port", "0",
            ] + arguments, name: "faafo-api")
        let deadline = Date().addingTimeInterval(60)
        while true {
            if let port = server.listeningPort {
                endpoint = "http://127.0.0.1:\(port)"
                return
            }
            guard server.isRunning, Date() < deadline else {
                server.kill()
                scratch.remove()
                throw Failure("faafo-api did not start listening: \(server.log)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// What the API logged so far.
    var logText: String { server.log }

    func stop() {
        server.signal(SIGTERM)
        server.process.waitUntilExit()
        scratch.remove()
    }
}
