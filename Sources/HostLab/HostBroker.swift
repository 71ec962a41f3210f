import FaafoCluster
import Foundation

/// A RabbitMQ node of a test host's own, as Debian's would run on that host: node
/// `rabbit@<host name>` on port 5672 with its own epmd (the host's namespace has its own
/// loopback and ports), the Erlang cookie of /var/lib/rabbitmq (which `rabbitmqctl` reads as
/// root through Debian's wrapper, so the host's `rabbitmqctl` and `scripts/install.sh -i
/// messaging` reach it unchanged), its data, logs and configuration in a folder of the host's,
/// no plugins. Only the `guest` user exists at first, and it only logs in from the host itself.
package final class HostBroker: Sendable {
    package let host: String
    package let folder: URL
    /// The heartbeat the broker proposes, in seconds: librabbitmq takes the lower of its
    /// own (faafo's 10 s) and this, so that a partition is noticed within a few seconds.
    package let heartbeat: Int
    package let process: ServiceProcess
    private let hosts: TestHosts

    package var nodeName: String { "rabbit@\(host)" }

    /// Starts the node on `host` and waits (at most 120 s) until `rabbitmqctl status` there
    /// answers.
    package init(on host: String, of hosts: TestHosts, heartbeat: Int = 2) async throws {
        self.host = host
        self.hosts = hosts
        self.heartbeat = heartbeat
        folder = hosts.host(host).folder.appending(path: "rabbitmq")
        for sub in ["mnesia", "log"] {
            try FileManager.default.createDirectory(at: folder.appending(path: sub), withIntermediateDirectories: true)
        }
        try "[].\n".write(to: folder.appending(path: "enabled_plugins"), atomically: true, encoding: .utf8)
        try "heartbeat = \(heartbeat)\n".write(to: folder.appending(path: "rabbitmq.conf"), atomically: true, encoding: .utf8)
        try "".write(to: folder.appending(path: "rabbitmq-env.conf"), atomically: true, encoding: .utf8)
        for path in ["", "mnesia", "log"] {
            try FileManager.default.setAttributes(
                [.ownerAccountName: "rabbitmq", .groupOwnerAccountName: "rabbitmq"],
                ofItemAtPath: folder.appending(path: path).path)
        }
        let environment = [
            "HOME": "/var/lib/rabbitmq", "RABBITMQ_MNESIA_BASE": folder.appending(path: "mnesia").path,
            "RABBITMQ_LOG_BASE": folder.appending(path: "log").path, "RABBITMQ_LOGS": "-",
            "RABBITMQ_PID_FILE": folder.appending(path: "rabbitmq.pid").path,
            "RABBITMQ_ENABLED_PLUGINS_FILE": folder.appending(path: "enabled_plugins").path,
            "RABBITMQ_CONFIG_FILE": folder.appending(path: "rabbitmq.conf").path,
            "RABBITMQ_CONF_ENV_FILE": folder.appending(path: "rabbitmq-env.conf").path,
        ]
        // Not Debian's /usr/sbin wrapper, which logs to /var/log/rabbitmq: the server itself, as its user.
        process = try hosts.start(
            on: host,
            [
                "/usr/bin/setpriv", "--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups",
                "/usr/lib/rabbitmq/bin/rabbitmq-server",
            ], environment: environment, processName: "rabbitmq on \(host)")
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if try await ctl(["status"]).status == 0 { return }
            guard process.isRunning else {
                throw ClusterError("RabbitMQ on \(host) exited:\n\(process.log.suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ClusterError("RabbitMQ on \(host) did not answer within 120 s:\n\(process.log.suffix(3000))")
    }

    /// `rabbitmqctl ARGUMENTS` on the broker's host, as root would run it there.
    @discardableResult
    package func ctl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        try await hosts.run(on: host, ["/usr/sbin/rabbitmqctl", "-q"] + arguments, timeout: timeout)
    }

    /// Stops the node (`rabbitmqctl stop`, at most 60 s), then kills it if it is still there;
    /// its epmd goes with the host's removal.
    package func stop() async {
        _ = try? await ctl(["stop"])
        await process.stop(grace: .seconds(10))
    }
}
