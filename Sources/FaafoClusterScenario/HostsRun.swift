import FaafoCluster
import FaafoTestSupport
import Foundation

/// `faafo-sim run SCENARIO --cluster --hosts`: the scenario on test hosts of this machine
/// (network namespaces, `TestHosts`) rather than on its loopback. `controller` runs a
/// RabbitMQ node of its own and faafo-api, `host-1` … `host-N` the workers (worker i on
/// host i mod N, the scenario's `cluster.hosts`), and `client` this run itself: the hosts'
/// addresses have no route from the machine's own namespace, so the process that creates
/// the tasks and judges them runs on a host too.
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
    public static func run(workerHosts: Int, executable: URL, arguments: [String]) async throws -> Int32 {
        let names = ["controller", "client"] + (1...max(1, workerHosts)).map { "host-\($0)" }
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

        /// The API on `controller`, the workers on `host-1` … `host-N`.
        func placement(workerHosts: Int) -> ClusterPlacement {
            let hosts = hosts
            return ClusterPlacement(
                apiHost: "controller", apiAddress: hosts.host("controller").address,
                workerHosts: (1...max(1, workerHosts)).map { "host-\($0)" },
                command: { host, arguments, environment in
                    (URL(fileURLWithPath: "/usr/bin/env"), hosts.invocation(on: host, arguments, environment: environment))
                },
                crash: { host in try await hosts.crash(host) },
                link: { host, up in try await up ? hosts.restore(host) : hosts.cut(host) })
        }

        /// A RabbitMQ node on `controller`, with a user of the run's own (guest only logs
        /// in from the broker's own host).
        func startBroker() async throws -> Broker {
            let node = try await HostBroker(on: "controller", of: hosts, heartbeat: HostsRun.brokerHeartbeat)
            let password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
            do {
                for arguments in [["add_user", "faafo", password], ["set_user_tags", "faafo", "administrator"]] {
                    let (status, output) = try await node.ctl(arguments)
                    guard status == 0 else { throw ClusterError("rabbitmqctl \(arguments[0]) on controller: \(output)") }
                }
            } catch {
                await node.stop()
                throw error
            }
            let rabbitMQ = RabbitMQ(
                baseURL: "amqp://faafo:\(password)@\(hosts.host("controller").address):5672/", user: "faafo",
                rabbitmqctl: (
                    URL(fileURLWithPath: "/usr/bin/env"), hosts.invocation(on: "controller", ["/usr/sbin/rabbitmqctl", "-q"])
                ))
            return Broker(node: node, rabbitMQ: rabbitMQ)
        }
    }

    /// The controller's RabbitMQ node and how a cluster reaches it.
    struct Broker: Sendable {
        let node: HostBroker
        let rabbitMQ: RabbitMQ

        func stop() async { await node.stop() }
    }
}
