import FaafoCluster
import HostLab
import Foundation
import Synchronization

/// `faafo-sim run SCENARIO --cluster --hosts`: the scenario on test hosts of this machine
/// (network namespaces, `TestHosts`) rather than on its loopback. `controller` runs
/// faafo-api and a RabbitMQ node of its own, or, for a scenario that kills broker nodes,
/// `broker-1` … `broker-M` run a RabbitMQ cluster; for several controllers (or a database
/// restart) `db` runs PostgreSQL, `api-1` … `api-K` the APIs over it and `lb` haproxy in
/// front of them (checking `/readyz`); `host-1` … `host-N` run the workers
/// (worker i on host i mod N, the scenario's `cluster.hosts`), and `client` this run
/// itself: the hosts' addresses have no route from the machine's own namespace, so the
/// process that creates the tasks and judges them runs on a host too.
///
/// The process started by the user makes the hosts (`run(workerHosts:arguments:)`) and
/// starts the same command on `client`, with the hosts' layout in `FAAFO_SIM_HOSTS`; that
/// one finds them (`attached()`), plays the scenario and prints the report; the first then
/// removes every host, process and folder, also on Ctrl-C.
public enum HostsRun {
    static let layoutVariable = "FAAFO_SIM_HOSTS"
    /// The heartbeat the controller's broker proposes, in seconds (the lower of it and
    /// faafo's 10 s wins), so that a partition is noticed within a few seconds.
    public static let brokerHeartbeat = 2

    /// Why test hosts cannot be made here, or nil.
    public static func unavailability() -> String? { TestHosts.unavailability() }

    /// Makes the hosts, runs `executable arguments` on the client host with their layout,
    /// its output this process's, then removes them. Returns its exit status.
    /// `brokerHosts`: 0 for a broker on the controller, else a cluster of that many nodes.
    /// `apiHosts`: 0 for one API on the controller over SQLite, else that many API hosts over
    /// PostgreSQL on `db`, behind `lb` when there are several.
    public static func run(
        workerHosts: Int, brokerHosts: Int, apiHosts: Int, executable: URL, arguments: [String]
    ) async throws -> Int32 {
        let names =
            ["controller", "client"] + (1...max(1, workerHosts)).map { "host-\($0)" }
            + (0..<brokerHosts).map { "broker-\($0 + 1)" }
            + (apiHosts > 0 ? ["db"] + (1...apiHosts).map { "api-\($0)" } : []) + (apiHosts > 1 ? ["lb"] : [])
        let hosts = try await TestHosts(names)
        let status: Int32
        do {
            let layout = hosts.folder.appending(path: "layout.json")
            try JSONEncoder().encode(hosts.layout).write(to: layout)
            let invocation = hosts.invocation(
                on: "client", [executable.path] + arguments, environment: [layoutVariable: layout.path])
            status = try await TestHosts.blocking {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = invocation
                try process.run()
                process.waitUntilExit()
                return process.terminationStatus
            }
        } catch {
            await hosts.remove()
            throw error
        }
        let left = await hosts.remove()
        if !left.isEmpty { throw ClusterError("could not remove \(left.joined(separator: ", "))") }
        return status
    }

    /// The hosts this process was started on by `run(workerHosts:arguments:)`, if it was.
    public static func attached() throws -> Attached? {
        guard let path = ProcessInfo.processInfo.environment[layoutVariable] else { return nil }
        let layout = try JSONDecoder().decode(TestHosts.Layout.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        return Attached(hosts: TestHosts(attachingTo: layout))
    }

    /// The hosts, as the run on `client` drives them.
    public struct Attached: Sendable {
        let hosts: TestHosts

        /// The API hosts: `api-1` … `api-K`, or `controller`.
        var apiHosts: [String] {
            let apis = hosts.hosts.map(\.name).filter { $0.hasPrefix("api-") }
            return apis.isEmpty ? ["controller"] : apis
        }

        /// PostgreSQL on `db` (started by `startPostgres`, the project's scripts/start-postgres,
        /// on the host's address and port 5432, its data in the host's folder), when the
        /// hosts have one: the database URL, and how to stop it for a while and start it again.
        func startDatabase(
            startPostgres: URL
        ) async throws -> (url: String, restart: @Sendable (Duration) async throws -> Void)? {
            guard hosts.hosts.contains(where: { $0.name == "db" }) else { return nil }
            guard FileManager.default.isExecutableFile(atPath: startPostgres.path) else {
                throw ClusterError(
                    "API hosts need PostgreSQL on db, started by scripts/start-postgres: \(startPostgres.path) is not "
                        + "an executable (run faafo-sim from the checkout, or give --postgres-script)")
            }
            let hosts = hosts
            let db = hosts.host("db")
            let environment = [
                "FAAFO_POSTGRES_PORT": "5432", "FAAFO_POSTGRES_DIR": db.folder.appending(path: "postgres").path,
                "FAAFO_POSTGRES_LISTEN_ADDRESS": db.address,
            ]
            @Sendable func script(_ arguments: [String]) async throws -> String {
                let (status, output) = try await hosts.run(
                    on: "db", [startPostgres.path] + arguments, environment: environment,
                    timeout: .seconds(120))
                guard status == 0 else { throw ClusterError("scripts/start-postgres \(arguments) on db: \(output)") }
                return output
            }
            let output = try await script([])
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("export FAAFO_TEST_POSTGRES_URL=") })
            else { throw ClusterError("scripts/start-postgres printed no URL: \(output)") }
            let url = String(line.dropFirst("export FAAFO_TEST_POSTGRES_URL=".count))
            return (url, { downFor in
                _ = try await script(["--stop"])
                try await Task.sleep(for: downFor)
                _ = try await script([])
            })
        }

        /// haproxy on `lb` in front of the API hosts, when the hosts have one.
        func startBalancer() async throws -> HostBalancer? {
            guard hosts.hosts.contains(where: { $0.name == "lb" }) else { return nil }
            return try await HostBalancer(on: "lb", of: hosts, port: 8080, servers: apiHosts, serverPort: 8080)
        }

        /// The APIs on their hosts, the workers on `host-1` … `host-N`; `broker` on its hosts.
        func placement(workerHosts: Int, broker: Broker) -> ClusterPlacement {
            let hosts = hosts
            var placement = ClusterPlacement(
                apiHosts: apiHosts, apiAddresses: apiHosts.map { hosts.host($0).address },
                workerHosts: (1...max(1, workerHosts)).map { "host-\($0)" },
                command: { host, arguments, environment in
                    (URL(fileURLWithPath: "/usr/bin/env"), hosts.invocation(on: host, arguments, environment: environment))
                },
                crash: { host in try await hosts.crash(host) },
                link: { host, up in try await up ? hosts.restore(host) : hosts.cut(host) })
            if hosts.hosts.contains(where: { $0.name == "lb" }) {
                placement.frontEndpoint = "http://\(hosts.host("lb").address):8080"
            }
            if broker.nodeHosts != ["controller"] {
                placement.brokerHosts = broker.nodeHosts
                placement.startBroker = { host in try await broker.start(host) }
            }
            return placement
        }

        /// The hosts of the broker's nodes: `controller`, or `broker-1` … `broker-M`.
        var brokerHosts: [String] {
            let brokers = hosts.hosts.map(\.name).filter { $0.hasPrefix("broker-") }
            return brokers.isEmpty ? ["controller"] : brokers
        }

        /// RabbitMQ on the broker hosts, clustered when there are several (the second and
        /// later join the first), with a user of the run's own (guest only logs in from the
        /// broker's own host), and a transport URL that names every node.
        func startBroker() async throws -> Broker {
            let broker = Broker(hosts: hosts, nodeHosts: brokerHosts)
            do {
                for host in brokerHosts { try await broker.start(host) }
                for host in brokerHosts.dropFirst() {
                    for arguments in [["stop_app"], ["reset"], ["join_cluster", "rabbit@\(brokerHosts[0])"], ["start_app"]] {
                        try await broker.ctl(on: host, arguments)
                    }
                }
                try await broker.ctl(on: brokerHosts[0], ["add_user", "faafo", broker.password])
                try await broker.ctl(on: brokerHosts[0], ["set_user_tags", "faafo", "administrator"])
            } catch {
                await broker.stop()
                throw error
            }
            return broker
        }
    }

    /// The broker's nodes on their hosts, and how a cluster reaches them.
    final class Broker: Sendable {
        let hosts: TestHosts
        let nodeHosts: [String]
        let password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        private let nodes = Mutex<[String: HostBroker]>([:])

        init(hosts: TestHosts, nodeHosts: [String]) {
            self.hosts = hosts
            self.nodeHosts = nodeHosts
        }

        /// The cluster's broker: every node in one transport URL (the first node's
        /// rabbitmqctl makes the virtual hosts, which are the whole cluster's).
        var rabbitMQ: RabbitMQ {
            let brokers = nodeHosts.map { "faafo:\(password)@\(hosts.host($0).address):5672" }.joined(separator: ",")
            return RabbitMQ(
                baseURL: "amqp://\(brokers)/", user: "faafo",
                rabbitmqctl: (
                    URL(fileURLWithPath: "/usr/bin/env"), hosts.invocation(on: nodeHosts[0], ["/usr/sbin/rabbitmqctl", "-q"])
                ))
        }

        /// Starts (or starts again, after its host crashed) the node of `host`; a node
        /// that was in the cluster rejoins it from its data.
        func start(_ host: String) async throws {
            let node = try await HostBroker(on: host, of: hosts, heartbeat: HostsRun.brokerHeartbeat)
            nodes.withLock { $0[host] = node }
        }

        func ctl(on host: String, _ arguments: [String]) async throws {
            guard let node = nodes.withLock({ $0[host] }) else { throw ClusterError("no broker node on \(host)") }
            let (status, output) = try await node.ctl(arguments)
            guard status == 0 else {
                throw ClusterError("rabbitmqctl \(arguments.joined(separator: " ")) on \(host): \(output)")
            }
        }

        func stop() async {
            for node in nodes.withLock({ Array($0.values) }) { await node.stop() }
        }
    }
}
