import FaafoCluster
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Test hosts on this machine: one network namespace a host, each with its loopback, an
/// `eth0` with an address of a private /24 of the run's own (10.77.N.0/24), and its own
/// host name (every command runs in a UTS namespace of its own, named after the host).
/// The hosts' links meet on a bridge inside a hub namespace, so nothing changes in the
/// machine's own network: from the machine's namespace these addresses have no route, so
/// every client of the hosts runs on one of them (`run`, `start`).
///
/// Namespaces are named `faafo-th-<pid>-<run>-<host>`: a run removes every namespace,
/// process and folder it made (`remove()`, also on SIGINT/SIGTERM through
/// `ServiceProcess.onInterrupt`), and at start those that a run whose process is gone left.
/// Each namespace gets `/etc/netns/<namespace>/hosts` and `resolv.conf` (which `ip netns
/// exec` puts in place of /etc's), so that host names resolve there and nothing asks a DNS
/// server.
package final class TestHosts: Sendable {
    package struct Host: Sendable, Codable {
        package let name: String
        package let namespace: String
        package let address: String
        /// A folder of the host's own (its configuration, logs, data).
        package let folder: URL
        /// The hub's end of the host's link, inside the hub namespace.
        let link: String
    }

    package static let prefix = "faafo-th-"
    static let netnsConfig = URL(fileURLWithPath: "/etc/netns")
    /// A clean environment for every command on a host, as on a fresh machine.
    static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    package let hosts: [Host]
    /// Holds the bridge.
    package let hub: String
    /// Every host's folder is below it.
    package let folder: URL
    /// Nil for hosts attached to (`init(attachingTo:)`), which another process removes.
    private let interruptCleanup: UUID?

    /// What a process on one of the hosts needs to drive them all (`init(attachingTo:)`).
    package struct Layout: Sendable, Codable {
        package let hosts: [Host]
        package let hub: String
        package let folder: URL
    }

    package var layout: Layout { Layout(hosts: hosts, hub: hub, folder: folder) }

    /// Why hosts cannot be made here (not root, no `ip netns`, no `unshare` or `setpriv`), or nil.
    package static func unavailability() -> String? {
        guard geteuid() == 0 else { return "test hosts need root (network namespaces)" }
        let tools = ["/usr/sbin/ip", "/usr/bin/unshare", "/usr/bin/setpriv", "/usr/bin/env"]
        for tool in tools where !FileManager.default.isExecutableFile(atPath: tool) {
            return "test hosts need \(tool) (iproute2, util-linux)"
        }
        guard (try? Self.shell(["/usr/sbin/ip", "netns", "list"]))?.status == 0 else {
            return "`ip netns list` fails here: no network namespaces"
        }
        return nil
    }

    /// Makes the hosts named (after removing what earlier runs left), linked on one bridge.
    package init(_ names: [String]) async throws {
        precondition(!names.isEmpty && Set(names).count == names.count, "distinct host names")
        Self.removeLeftovers()
        let run = "\(getpid())-" + UUID().uuidString.prefix(6).lowercased()
        let subnet = "10.77.\(Int.random(in: 1...254))"
        let folder = FileManager.default.temporaryDirectory.appending(path: Self.prefix + run)
        let hub = Self.prefix + run + "-hub"
        let hosts = names.enumerated().map { index, name in
            Host(
                name: name, namespace: Self.prefix + run + "-" + name, address: "\(subnet).\(index + 2)",
                folder: folder.appending(path: name), link: "h\(index)")
        }
        (self.folder, self.hub, self.hosts) = (folder, hub, hosts)
        interruptCleanup = ServiceProcess.onInterrupt { _ = Self.tearDown(hosts: hosts, hub: hub, folder: folder) }
        ServiceProcess.stopAllOnInterrupt()
        do {
            try await Self.blocking { try Self.build(hosts: hosts, hub: hub, folder: folder) }
        } catch {
            await remove()
            throw error
        }
    }

    /// The hosts another process made (and removes): a process running on one of them
    /// (`faafo-sim run --cluster --hosts`) drives them with this.
    package init(attachingTo layout: Layout) {
        (hosts, hub, folder) = (layout.hosts, layout.hub, layout.folder)
        interruptCleanup = nil
    }

    package func host(_ name: String) -> Host {
        guard let host = hosts.first(where: { $0.name == name }) else { preconditionFailure("no test host named \(name)") }
        return host
    }

    // MARK: Running on a host

    /// The arguments of env(1) that run `arguments` on host `name`: in its network namespace
    /// and a UTS namespace named after it, with a clean environment plus `environment`.
    package func invocation(on name: String, _ arguments: [String], environment: [String: String] = [:]) -> [String] {
        let host = host(name)
        let variables = ["PATH=\(Self.path)", "HOME=/root", "LANG=C.UTF-8"]
            + environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return ["-i"] + variables + [
            "/usr/sbin/ip", "netns", "exec", host.namespace,
            "/usr/bin/unshare", "--uts", "/bin/sh", "-c", #"hostname "$0" && exec "$@""#, host.name,
        ] + arguments
    }

    /// Runs `arguments` on host `name` to its end (at most `timeout`).
    package func run(
        on name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, output: String) {
        try await runCommand(
            URL(fileURLWithPath: "/usr/bin/env"), invocation(on: name, arguments, environment: environment),
            timeout: timeout)
    }

    /// Starts `arguments` on host `name` as a process of the test's own, its output captured.
    package func start(
        on name: String, _ arguments: [String], environment: [String: String] = [:], processName: String? = nil
    ) throws -> ServiceProcess {
        try ServiceProcess(
            URL(fileURLWithPath: "/usr/bin/env"), invocation(on: name, arguments, environment: environment),
            name: processName ?? "\(name): \(arguments.first ?? "")")
    }

    // MARK: Faults

    /// The host's link goes down at the hub: its packets, and those to it, are dropped
    /// without a word, as in a partition.
    package func cut(_ name: String) async throws {
        try await ip(["-n", hub, "link", "set", host(name).link, "down"])
    }

    package func restore(_ name: String) async throws {
        try await ip(["-n", hub, "link", "set", host(name).link, "up"])
    }

    /// A host crash: every process of the host's namespace SIGKILLed; returns when none is
    /// left (at most 10 s), with how many there were.
    @discardableResult
    package func crash(_ name: String) async throws -> Int {
        let namespace = host(name).namespace
        return try await Self.blocking { try Self.killAll(in: namespace) }
    }

    /// The processes now in the host's namespace.
    package func processes(on name: String) async throws -> [Int32] {
        let namespace = host(name).namespace
        return try await Self.blocking { try Self.pids(in: namespace) }
    }

    // MARK: Removal

    /// Kills every process of every host, removes the namespaces, their /etc/netns files
    /// and the folders. Returns what could not be removed (nothing, normally).
    @discardableResult
    package func remove() async -> [String] {
        guard let interruptCleanup else { return [] }
        let (hosts, hub, folder) = (hosts, hub, folder)
        let left = (try? await Self.blocking { Self.tearDown(hosts: hosts, hub: hub, folder: folder) }) ?? ["teardown"]
        ServiceProcess.cancelInterruptCleanup(interruptCleanup)
        return left
    }

    /// The namespaces of this run that exist now.
    package func namespacesLeft() async throws -> [String] {
        let prefix = hub.dropLast("hub".count)
        return try await Self.blocking { try Self.namespaces().filter { $0.hasPrefix(prefix) } }
    }

    // MARK: - Blocking steps (also for an interrupt, which cannot wait asynchronously)

    private static func build(hosts: [Host], hub: String, folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ipNow(["netns", "add", hub])
        try ipNow(["-n", hub, "link", "set", "lo", "up"])
        try ipNow(["-n", hub, "link", "add", "br0", "type", "bridge"])
        try ipNow(["-n", hub, "link", "set", "br0", "up"])
        let hostsFile = (["127.0.0.1 localhost"] + hosts.map { "\($0.address) \($0.name)" }).joined(separator: "\n") + "\n"
        for host in hosts {
            try FileManager.default.createDirectory(at: host.folder, withIntermediateDirectories: true)
            let config = netnsConfig.appending(path: host.namespace)
            try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
            try hostsFile.write(to: config.appending(path: "hosts"), atomically: true, encoding: .utf8)
            // No DNS server on a test host: its own loopback, where none listens.
            try "nameserver 127.0.0.1\n".write(to: config.appending(path: "resolv.conf"), atomically: true, encoding: .utf8)
            try ipNow(["netns", "add", host.namespace])
            try ipNow(["-n", host.namespace, "link", "set", "lo", "up"])
            // Made in the hub, its peer straight into the host: neither end is ever in the machine's namespace.
            try ipNow(["-n", hub, "link", "add", host.link, "type", "veth", "peer", "name", "eth0", "netns", host.namespace])
            try ipNow(["-n", hub, "link", "set", host.link, "master", "br0", "up"])
            try ipNow(["-n", host.namespace, "addr", "add", host.address + "/24", "dev", "eth0"])
            try ipNow(["-n", host.namespace, "link", "set", "eth0", "up"])
        }
    }

    private static func tearDown(hosts: [Host], hub: String, folder: URL) -> [String] {
        var left: [String] = []
        for namespace in hosts.map(\.namespace) + [hub] {
            if (try? killAll(in: namespace)) == nil { left.append("processes in \(namespace)") }
            if (try? namespaces().contains(namespace)) != false, (try? ipNow(["netns", "delete", namespace])) == nil {
                left.append(namespace)
            }
            try? FileManager.default.removeItem(at: netnsConfig.appending(path: namespace))
        }
        // /etc/netns itself only if nothing else is in it: rmdir(2) leaves a folder that is not empty.
        rmdir(netnsConfig.path)
        try? FileManager.default.removeItem(at: folder)
        return left
    }

    /// What runs whose process is gone left: their namespaces (and processes), /etc/netns
    /// folders and temporary folders.
    private static func removeLeftovers() {
        let orphaned = { (name: String) -> Bool in
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) else {
                return false
            }
            return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
        }
        for namespace in ((try? namespaces()) ?? []).filter(orphaned) {
            _ = try? killAll(in: namespace)
            _ = try? ipNow(["netns", "delete", namespace])
        }
        let folders =
            ((try? FileManager.default.contentsOfDirectory(atPath: netnsConfig.path)) ?? []).filter(orphaned)
            .map { netnsConfig.appending(path: $0) }
            + ((try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? [])
            .filter(orphaned).map { FileManager.default.temporaryDirectory.appending(path: $0) }
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    private static func namespaces() throws -> [String] {
        let listed = try shell(["/usr/sbin/ip", "netns", "list"])
        guard listed.status == 0 else { throw ClusterError("ip netns list failed: \(listed.output)") }
        return listed.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    private static func pids(in namespace: String) throws -> [Int32] {
        let listed = try shell(["/usr/sbin/ip", "netns", "pids", namespace])
        guard listed.status == 0 else { throw ClusterError("ip netns pids \(namespace) failed: \(listed.output)") }
        return listed.output.split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// SIGKILLs every process of the namespace until none is left (at most 10 s, for
    /// processes forked meanwhile); how many there were.
    private static func killAll(in namespace: String) throws -> Int {
        var killed = Set<Int32>()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let running = try pids(in: namespace)
            if running.isEmpty { return killed.count }
            for pid in running {
                kill(pid, SIGKILL)
                killed.insert(pid)
            }
            usleep(50_000)
        }
        throw ClusterError("processes of \(namespace) survived SIGKILL for 10 s: \(try pids(in: namespace))")
    }

    private func ip(_ arguments: [String]) async throws {
        try await Self.blocking { try Self.ipNow(arguments) }
    }

    private static func ipNow(_ arguments: [String]) throws {
        let result = try shell(["/usr/sbin/ip"] + arguments)
        guard result.status == 0 else {
            throw ClusterError("ip \(arguments.joined(separator: " ")) failed: \(result.output)")
        }
    }

    /// Runs a short command to its end (at most 30 s), its output and status.
    static func shell(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = FileManager.default.temporaryDirectory.appending(path: "faafo-hosts-output-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ClusterError("\(arguments.joined(separator: " ")) took longer than 30 s")
        }
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// Runs blocking `body` on a thread of its own, not on Swift's shared pool.
    package static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
