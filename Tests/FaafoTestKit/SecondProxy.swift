import AsyncHTTPClient
import Foundation
import HostLab
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-proxy-server of the test's own, from the shared Swift's proxy config on another
/// port: same rings, servers and memcached, so its tokens and objects are the shared
/// proxy's. The test may kill it at will; the shared proxy is never touched.
package final class SecondProxy: @unchecked Sendable {
    package let port: Int
    package let configPath: String
    package let logPath: String
    package let pidPath: String
    /// Only the test's own task touches it.
    private var process: Process?

    package var authURL: String { "http://127.0.0.1:\(port)/auth/v1.0" }

    package init(copying swift: TestObjectStore) async throws {
        let port = try await FreePort.next()
        self.port = port
        let original = try String(contentsOfFile: swift.directory + "/proxy-server.conf", encoding: .utf8)
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("bind_port") ? "bind_port = \(port)" : String(line)
        }
        // In the test Swift's folder, pid file included: `scripts/start-swift --stop` ends a
        // second proxy that its test could not stop (a crashed or killed test process).
        configPath = swift.directory + "/second-proxy-\(port).conf"
        logPath = swift.directory + "/second-proxy-\(port).log"
        pidPath = swift.directory + "/second-proxy-\(port).pid"
        try lines.joined(separator: "\n").write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts it and waits (at most 120 s: a Python server starts slowly on a loaded
    /// machine) until its healthcheck answers.
    package func start() async throws {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/swift-proxy-server")
        process.arguments = [configPath, "-v"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
        try String(process.processIdentifier).write(toFile: pidPath, atomically: true, encoding: .utf8)
        self.process = process
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestObjectStoreError("the second proxy exited: \(logTail())") }
            let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthcheck")
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestObjectStoreError("the second proxy did not answer on port \(port) within 120 s: \(logTail())")
    }

    /// SIGKILL, then waits (at most 10 s) until the process is gone.
    package func kill() async throws {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { throw TestObjectStoreError("the second proxy survived SIGKILL") }
    }

    /// Kills it if it runs, without waiting, and removes its config and log: for `defer`.
    package func stop() {
        if let process, process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        for file in [configPath, logPath, pidPath] { try? FileManager.default.removeItem(atPath: file) }
    }

    /// The end of its log, for a failure message (the log goes with `stop()`).
    private func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(10).joined(separator: "\n")
    }
}
