import FaafoCluster
import Foundation

/// Debian's haproxy on a test host, balancing HTTP over servers on other test hosts as a
/// deployment's load balancer in front of its API hosts would: round robin, a server taken
/// out when its health check (`GET` of `checkPath`, every second) fails twice and back in
/// after two passes, and a request whose connection to a server failed (refused, or closed
/// with no answer) sent again to another. Its configuration is written in a folder of the
/// host's; it runs in the foreground (`-db`), its alerts, server state changes and one
/// line a request (`requests`) in `process.log`.
package final class HostBalancer: Sendable {
    package let host: String
    package let port: Int
    package let configFile: URL
    package let process: ServiceProcess
    private let hosts: TestHosts

    package static let executable = "/usr/sbin/haproxy"

    /// `http://ADDRESS:PORT` of the balancer, from the other hosts.
    package var endpoint: String { "http://\(hosts.host(host).address):\(port)" }

    /// haproxy's configuration: a frontend on `address`:`port`, the backend `faafo-api`
    /// with one server a name of `servers` (a test host's name and the address its API
    /// listens on).
    package static func configuration(
        address: String, port: Int, servers: [(name: String, address: String)], serverPort: Int, checkPath: String
    ) -> String {
        """
        global
            maxconn 1024
            log stdout format raw local0

        defaults
            mode http
            log global
            log-format "request %ST %s %rc %HM %HP"
            timeout connect 2s
            timeout client 60s
            timeout server 60s
            # A request whose server refused it or closed without an answer goes to another.
            retries 3
            option redispatch 1
            retry-on conn-failure empty-response

        frontend faafo
            bind \(address):\(port)
            default_backend faafo-api

        backend faafo-api
            balance roundrobin
            option httpchk GET \(checkPath)
            http-check expect status 200
            default-server check inter 1s fall 2 rise 2

        """
            + servers.map { "    server \($0.name) \($0.address):\(serverPort)\n" }.joined()
    }

    /// Starts haproxy on `host` in front of the APIs of `servers` (test host names) on
    /// `serverPort`, and waits (at most 30 s) until a request of `checkPath` through it is
    /// answered 200 from the host itself.
    package init(
        on host: String, of hosts: TestHosts, port: Int = 8080, servers: [String], serverPort: Int,
        checkPath: String = "/readyz"
    ) async throws {
        self.host = host
        self.hosts = hosts
        self.port = port
        let address = hosts.host(host).address
        configFile = hosts.host(host).folder.appending(path: "haproxy/haproxy.cfg")
        try FileManager.default.createDirectory(at: configFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let text = Self.configuration(
            address: address, port: port, servers: servers.map { ($0, hosts.host($0).address) }, serverPort: serverPort,
            checkPath: checkPath)
        try text.write(to: configFile, atomically: true, encoding: .utf8)
        process = try hosts.start(
            on: host, [Self.executable, "-db", "-f", configFile.path], processName: "haproxy on \(host)")
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let (status, _) = try await hosts.run(
                on: host, ["/usr/bin/curl", "-fsS", "-o", "/dev/null", "-m", "2", "http://\(address):\(port)\(checkPath)"])
            if status == 0 { return }
            guard process.isRunning else { throw ClusterError("haproxy on \(host) exited:\n\(process.log.suffix(3000))") }
            try await Task.sleep(for: .milliseconds(250))
        }
        await process.stop(grace: .seconds(5))
        throw ClusterError("haproxy on \(host) did not answer \(checkPath) within 30 s:\n\(process.log.suffix(3000))")
    }

    /// One request haproxy answered: its status, the server that answered (`<NOSRV>` when
    /// none did), and how often haproxy sent it again.
    package struct Request: Hashable, Sendable {
        package let status: Int
        package let server: String
        package let retries: Int
        package let method: String
        package let path: String
    }

    /// The requests answered so far, from the log.
    package var requests: [Request] {
        process.log.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 6, fields[0] == "request", let status = Int(fields[1]), let retries = Int(fields[3]) else {
                return nil
            }
            return Request(
                status: status, server: String(fields[2]), retries: retries, method: String(fields[4]), path: String(fields[5]))
        }
    }

    /// Stops haproxy (SIGTERM, then SIGKILL after 10 s).
    package func stop() async {
        await process.stop(grace: .seconds(10))
    }
}
