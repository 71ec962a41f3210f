import FaafoCluster
import Foundation
import HostLab

#if canImport(Glibc)
    import Glibc
#endif

/// RabbitMQ nodes of a test's own: one node, or several clustered, on loopback and free
/// ports, with an epmd of their own, everything in one temp folder. Optionally each node
/// also has a TLS listener whose certificate a CA made for the test signs
/// (`TestCertificates`). The shared broker on 5672 (and its epmd on 4369) is never touched.
///
/// Use `with(nodes:tls:_:)`, which stops the nodes (SIGKILL) and removes the folder however
/// the body ends. A node starts in about 10 s; clustering adds about 5 s a node.
package final class TestRabbitMQ: @unchecked Sendable {
    package struct Node: Sendable {
        /// `rabbit-<id>-<letter>@<host>`.
        package let name: String
        package let port: Int
        /// The TLS listener's port, when the nodes were started with TLS.
        package let tlsPort: Int?
        let distPort: Int
    }

    package let nodes: [Node]
    /// The CA and certificates of the TLS listeners (nil without TLS).
    package let certificates: TestCertificates?
    package let directory: String
    private let epmdPort: Int
    private var epmd: Process?
    private var servers: [Process?]

    /// `amqp://guest:guest@127.0.0.1:PORT/` of node `index`; with `tls`,
    /// `amqps://guest:guest@localhost:TLSPORT/` (the name the certificate is for).
    package func url(_ index: Int = 0, tls: Bool = false) -> String {
        let node = nodes[index]
        if tls, let port = node.tlsPort { return "amqps://guest:guest@localhost:\(port)/" }
        return "amqp://guest:guest@127.0.0.1:\(node.port)/"
    }

    /// One transport URL naming every node (`amqp://guest:guest@127.0.0.1:P1,guest:guest@127.0.0.1:P2/`).
    package var clusterURL: String {
        "amqp://" + nodes.map { "guest:guest@127.0.0.1:\($0.port)" }.joined(separator: ",") + "/"
    }

    /// Starts `count` nodes (clustered when more than one), runs `body`, then stops them.
    package static func with<T>(
        nodes count: Int = 1, tls: Bool = false, _ body: (TestRabbitMQ) async throws -> T
    ) async throws -> T {
        let rabbit = try await TestRabbitMQ(count: count, tls: tls)
        defer { rabbit.stop() }
        try await rabbit.start()
        return try await body(rabbit)
    }

    private init(count: Int, tls: Bool) async throws {
        precondition((1...26).contains(count), "1 to 26 nodes")
        let id = UUID().uuidString.prefix(6).lowercased()
        directory = NSTemporaryDirectory() + "faafo-rabbitmq-\(id)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        var nodes: [Node] = []
        for index in 0..<count {
            let letter = String(UnicodeScalar(UInt8(97 + index)))
            nodes.append(
                Node(
                    name: "rabbit-\(id)-\(letter)@\(host)", port: try await FreePort.next(),
                    tlsPort: tls ? try await FreePort.next() : nil, distPort: try await FreePort.next()))
        }
        self.nodes = nodes
        epmdPort = try await FreePort.next()
        servers = Array(repeating: nil, count: count)
        certificates = tls ? try await TestCertificates.make(in: directory + "/tls") : nil
    }

    private func start() async throws {
        try write("enabled_plugins", "[].\n")
        try write("rabbitmq-env.conf", "")
        try write(".erlang.cookie", "FAAFOTEST" + UUID().uuidString.replacingOccurrences(of: "-", with: ""))
        for (index, node) in nodes.enumerated() {
            var config = "loopback_users.guest = true\nlog.file.level = warning\n"
            if let tlsPort = node.tlsPort, let certificates {
                config += """
                    listeners.ssl.default = 127.0.0.1:\(tlsPort)
                    ssl_options.cacertfile = \(certificates.caFile)
                    ssl_options.certfile = \(certificates.serverCertFile)
                    ssl_options.keyfile = \(certificates.serverKeyFile)
                    ssl_options.verify = verify_none
                    ssl_options.fail_if_no_peer_cert = false

                    """
            }
            try write("node-\(index).conf", config)
        }
        _ = try await CommandOutput.run(URL(fileURLWithPath: "/bin/chown"), ["-R", "rabbitmq:rabbitmq", directory])
        chmod(directory + "/.erlang.cookie", 0o400)

        let epmd = Process()
        // Started directly (not through runuser), so that its pid is the one to end.
        epmd.executableURL = URL(fileURLWithPath: "/usr/bin/epmd")
        epmd.arguments = ["-address", "127.0.0.1", "-port", "\(epmdPort)"]
        epmd.standardOutput = FileHandle.nullDevice
        epmd.standardError = FileHandle.nullDevice
        try epmd.run()
        self.epmd = epmd

        for index in nodes.indices { try startServer(index) }
        for index in nodes.indices { try await awaitListener(index) }
        for index in nodes.indices.dropFirst() {
            _ = try await rabbitmqctl(index, ["stop_app"])
            _ = try await rabbitmqctl(index, ["join_cluster", nodes[0].name])
            _ = try await rabbitmqctl(index, ["start_app"])
        }
    }

    private func environment(_ index: Int) -> [String] {
        let node = nodes[index]
        return [
            "HOME=\(directory)", "ERL_EPMD_PORT=\(epmdPort)", "RABBITMQ_NODENAME=\(node.name)",
            "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1", "RABBITMQ_NODE_PORT=\(node.port)",
            "RABBITMQ_DIST_PORT=\(node.distPort)", "RABBITMQ_MNESIA_BASE=\(directory)/mnesia",
            "RABBITMQ_LOG_BASE=\(directory)/log", "RABBITMQ_PID_FILE=\(directory)/node-\(index).pid",
            "RABBITMQ_ENABLED_PLUGINS_FILE=\(directory)/enabled_plugins",
            "RABBITMQ_CONF_ENV_FILE=\(directory)/rabbitmq-env.conf",
            "RABBITMQ_CONFIG_FILE=\(directory)/node-\(index).conf",
            "RABBITMQ_ADVANCED_CONFIG_FILE=\(directory)/advanced-\(index).config",
            // The script then execs the VM rather than waiting on it in a shell: runuser, our
            // child, is the VM's parent and reaps it (this machine's init reaps no orphan).
            "RUNNING_UNDER_SYSTEMD=true",
        ]
    }

    private func startServer(_ index: Int) throws {
        let log = directory + "/node-\(index).out"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        server.arguments =
            ["-u", "rabbitmq", "--", "/usr/bin/env"] + environment(index) + ["/usr/lib/rabbitmq/bin/rabbitmq-server"]
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = output
        server.standardError = output
        try server.run()
        try output.close()
        servers[index] = server
    }

    /// Waits (at most 120 s) until node `index` accepts AMQP connections.
    private func awaitListener(_ index: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            guard servers[index]?.isRunning == true else {
                throw TestRabbitMQError("node \(nodes[index].name) exited while starting: \(tail(index))")
            }
            if Self.accepts(port: nodes[index].port) { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestRabbitMQError("node \(nodes[index].name) did not listen on \(nodes[index].port) within 120 s: \(tail(index))")
    }

    private static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Runs `rabbitmqctl` against node `index` (bounded by its own 60 s timeout); its output.
    package func rabbitmqctl(_ index: Int, _ arguments: [String]) async throws -> String {
        let result = try await CommandOutput.run(
            URL(fileURLWithPath: "/usr/sbin/runuser"),
            ["-u", "rabbitmq", "--", "/usr/bin/env"] + environment(index)
                + ["/usr/lib/rabbitmq/bin/rabbitmqctl", "-n", nodes[index].name, "-t", "60", "-q"] + arguments)
        guard result.status == 0 else {
            throw TestRabbitMQError(
                "rabbitmqctl \(arguments.joined(separator: " ")) on \(nodes[index].name) exited with "
                    + "\(result.status): \(result.stderr)\(result.text)")
        }
        return result.text
    }

    /// The pid of node `index`'s Erlang VM (from its pid file), if it runs.
    private func beamPID(_ index: Int) -> pid_t? {
        guard let text = try? String(contentsOfFile: directory + "/node-\(index).pid", encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, Self.isAlive(pid)
        else { return nil }
        return pid
    }

    /// True while `pid` runs: it exists and is no zombie.
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[end...].dropFirst().drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// SIGKILLs node `index` and waits (at most 10 s) until its VM is gone.
    package func kill(_ index: Int) async throws {
        if let pid = beamPID(index) { Glibc.kill(pid, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(10)
        while beamPID(index) != nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard beamPID(index) == nil else { throw TestRabbitMQError("node \(nodes[index].name) survived SIGKILL") }
    }

    /// SIGKILLs every node and the epmd, and removes the folder: for `defer`. Waits at most
    /// 5 s for the processes to go.
    package func stop() {
        let pids = nodes.indices.compactMap(beamPID)
        for pid in pids { Glibc.kill(pid, SIGKILL) }
        for server in servers.compactMap({ $0 }) where server.isRunning { Glibc.kill(server.processIdentifier, SIGKILL) }
        let deadline = ContinuousClock.now + .seconds(5)
        while pids.contains(where: Self.isAlive), ContinuousClock.now < deadline { usleep(50_000) }
        if let epmd, epmd.isRunning {
            Glibc.kill(epmd.processIdentifier, SIGKILL)
            epmd.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: false, encoding: .utf8)
    }

    private func tail(_ index: Int) -> String {
        let text = (try? String(contentsOfFile: directory + "/node-\(index).out", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(15).joined(separator: "\n")
    }
}

package struct TestRabbitMQError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
