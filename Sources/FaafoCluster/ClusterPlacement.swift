import Foundation

/// Where a `LocalCluster`'s processes run when not on this machine's loopback: on hosts
/// (the test hosts of network namespaces that `faafo-sim run --cluster --hosts` makes), API
/// `i` on `apiHosts[i]` at `apiAddresses[i]`, worker `i` on `workerHosts[i % workerHosts.count]`.
/// The cluster's own client must then run on one of those hosts as well: their addresses
/// have no route from this machine's namespace.
public struct ClusterPlacement: Sendable {
    /// Every API's host and address (several APIs over one database, each on a host of its
    /// own), and the port each listens on there.
    public var apiHosts: [String]
    public var apiAddresses: [String]
    public var apiPort = 8080
    public var workerHosts: [String]
    /// The executable and arguments that run `arguments` (an executable's path first) on
    /// `host`, with the environment variables given.
    public var command: @Sendable (_ host: String, _ arguments: [String], _ environment: [String: String]) -> (URL, [String])
    /// SIGKILLs every process of `host` (a host crash).
    public var crash: @Sendable (_ host: String) async throws -> Void
    /// Takes `host`'s link down, or (`up`) back up: a partition.
    public var link: @Sendable (_ host: String, _ up: Bool) async throws -> Void
    /// Where the cluster's client and its workers reach the APIs: a balancer in front of
    /// them all; nil, the first API.
    public var frontEndpoint: String?
    /// Restarts the database server, down for the duration given.
    public var restartDatabase: (@Sendable (Duration) async throws -> Void)?
    /// The hosts of the broker's nodes, when the broker is a cluster of its own hosts.
    public var brokerHosts: [String] = []
    /// Starts the broker node of `host` again (after a crash of its host).
    public var startBroker: @Sendable (_ host: String) async throws -> Void = { _ in }

    public init(
        apiHosts: [String], apiAddresses: [String], workerHosts: [String],
        command: @escaping @Sendable (String, [String], [String: String]) -> (URL, [String]),
        crash: @escaping @Sendable (String) async throws -> Void,
        link: @escaping @Sendable (String, Bool) async throws -> Void
    ) {
        precondition(!workerHosts.isEmpty, "a placement has a worker host at least")
        precondition(!apiHosts.isEmpty && apiHosts.count == apiAddresses.count, "an address for each API host")
        self.apiHosts = apiHosts
        self.apiAddresses = apiAddresses
        self.workerHosts = workerHosts
        self.command = command
        self.crash = crash
        self.link = link
    }

    /// The host of worker `index`.
    public func workerHost(_ index: Int) -> String { workerHosts[index % workerHosts.count] }
}

/// Runs `start` as a supervisor would (systemd's Restart=on-failure): a process that exits
/// at once (its host cut off from the broker, its database still down) is started again a
/// second later, until `deadline`, when the last failure is thrown.
func startSupervised<T>(until deadline: ContinuousClock.Instant, _ start: () async throws -> T) async throws -> T {
    while true {
        do {
            return try await start()
        } catch where ContinuousClock.now + .seconds(1) < deadline {
            try await Task.sleep(for: .seconds(1))
        }
    }
}
