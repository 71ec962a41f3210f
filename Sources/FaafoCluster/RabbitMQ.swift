import Foundation

/// Debian's RabbitMQ broker, driven through `rabbitmqctl`: this machine's by default, or
/// a node elsewhere (a test host's) that `command` reaches. Each cluster uses a virtual
/// host of its own, so that nothing else on the broker (other runs, tests, processes left
/// by an interrupted run) takes its tasks.
public struct RabbitMQ: Sendable {
    /// The broker's AMQP address without a virtual host.
    public let baseURL: String
    /// The user of `baseURL`, who is given each virtual host.
    public let user: String
    /// What runs rabbitmqctl: the executable and the arguments before rabbitmqctl's own.
    let rabbitmqctl: (executable: URL, arguments: [String])
    let rabbitmqServer: URL

    public init(baseURL: String = "amqp://guest:guest@127.0.0.1:5672/", sbin: String = "/usr/sbin") {
        self.init(
            baseURL: baseURL, user: "guest",
            rabbitmqctl: (URL(fileURLWithPath: sbin).appending(path: "rabbitmqctl"), []),
            rabbitmqServer: URL(fileURLWithPath: sbin).appending(path: "rabbitmq-server"))
    }

    /// A broker whose rabbitmqctl is `rabbitmqctl` (say `env … ip netns exec HOST
    /// rabbitmqctl`) and whose `user` logs in through `baseURL`; it is never started here.
    public init(baseURL: String, user: String, rabbitmqctl: (executable: URL, arguments: [String])) {
        self.init(baseURL: baseURL, user: user, rabbitmqctl: rabbitmqctl, rabbitmqServer: nil)
    }

    private init(baseURL: String, user: String, rabbitmqctl: (executable: URL, arguments: [String]), rabbitmqServer: URL?) {
        self.baseURL = baseURL.hasSuffix("/") ? baseURL : baseURL + "/"
        self.user = user
        self.rabbitmqctl = rabbitmqctl
        self.rabbitmqServer = rabbitmqServer ?? URL(fileURLWithPath: "/nonexistent/rabbitmq-server")
    }

    public func isRunning() async -> Bool {
        guard FileManager.default.isExecutableFile(atPath: rabbitmqctl.executable.path) else { return false }
        return (try? await ctl(["status"], timeout: .seconds(30)).status) == 0
    }

    /// Returns when the broker answers. Starts it (`rabbitmq-server -detached`, waiting at
    /// most `timeout`) when `start` is true and it does not answer; otherwise throws.
    public func ensureRunning(start: Bool, timeout: Duration = .seconds(120)) async throws {
        if await isRunning() { return }
        guard FileManager.default.isExecutableFile(atPath: rabbitmqServer.path) else {
            throw ClusterError("RabbitMQ is not installed (\(rabbitmqServer.path) is missing): apt-get install rabbitmq-server")
        }
        guard start else {
            throw ClusterError("RabbitMQ is not running: start it with `rabbitmq-server -detached` (scripts/start-rabbitmq)")
        }
        let (status, output) = try await runCommand(rabbitmqServer, ["-detached"], timeout: .seconds(60))
        guard status == 0 else { throw ClusterError("rabbitmq-server -detached failed: \(output.suffix(500))") }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await isRunning() { return }
            try await Task.sleep(for: .seconds(1))
        }
        throw ClusterError("rabbitmq-server did not answer within \(timeout)")
    }

    /// Creates a virtual host open to `user` and returns its AMQP URL.
    public func makeVirtualHost(_ name: String) async throws -> String {
        try await ctl(["add_vhost", name])
        try await ctl(["set_permissions", "-p", name, user, ".*", ".*", ".*"])
        return baseURL + name
    }

    public func deleteVirtualHost(_ name: String) async {
        _ = try? await ctl(["delete_vhost", name])
    }

    /// `deleteVirtualHost` for a context that cannot wait asynchronously (an interrupt).
    public func deleteVirtualHostNow(_ name: String) {
        let process = Process()
        process.executableURL = rabbitmqctl.executable
        process.arguments = rabbitmqctl.arguments + ["-q", "delete_vhost", name]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        process.waitUntilExit()
    }

    /// Restarts the broker application: every connection drops; durable queues and
    /// persistent messages survive.
    public func restart(downtime: Duration = .seconds(1)) async throws {
        try await ctl(["stop_app"])
        try await Task.sleep(for: downtime)
        try await ctl(["start_app"], timeout: .seconds(120))
    }

    /// Runs rabbitmqctl; a non-zero exit is an error that quotes its output.
    @discardableResult
    func ctl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        let result = try await runCommand(rabbitmqctl.executable, rabbitmqctl.arguments + arguments, timeout: timeout)
        guard result.status == 0 || arguments == ["status"] else {
            throw ClusterError("rabbitmqctl \(arguments.joined(separator: " ")) failed: \(result.output.suffix(500))")
        }
        return result
    }
}
