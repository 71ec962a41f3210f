import Foundation

/// Where a `LocalCluster`'s processes run when not on this machine's loopback: on hosts
/// (the test hosts of network namespaces that `faafo-sim run --cluster --hosts` makes), the
/// API on `apiHost` at `apiAddress`, worker `i` on `workerHosts[i % workerHosts.count]`.
/// The cluster's own client must then run on one of those hosts as well: their addresses
/// have no route from this machine's namespace.
public struct ClusterPlacement: Sendable {
    public var apiHost: String
    public var apiAddress: String
    public var workerHosts: [String]
    /// The executable and arguments that run `arguments` (an executable's path first) on
    /// `host`, with the environment variables given.
    public var command: @Sendable (_ host: String, _ arguments: [String], _ environment: [String: String]) -> (URL, [String])
    /// SIGKILLs every process of `host` (a host crash).
    public var crash: @Sendable (_ host: String) async throws -> Void
    /// Takes `host`'s link down, or (`up`) back up: a partition.
    public var link: @Sendable (_ host: String, _ up: Bool) async throws -> Void
    /// Every API's host and address, the first `apiHost`'s (several APIs over one
    /// database, each on a host of its own), and the port each listens on there.
    public var apiHosts: [String]
    public var apiAddresses: [String]
    public var apiPort = 8080
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
        apiHost: String, apiAddress: String, workerHosts: [String],
        command: @escaping @Sendable (String, [String], [String: String]) -> (URL, [String]),
        crash: @escaping @Sendable (String) async throws -> Void,
        link: @escaping @Sendable (String, Bool) async throws -> Void
    ) {
        precondition(!workerHosts.isEmpty, "a placement has a worker host at least")
        self.apiHost = apiHost
        self.apiAddress = apiAddress
        apiHosts = [apiHost]
        apiAddresses = [apiAddress]
        self.workerHosts = workerHosts
        self.command = command
        self.crash = crash
        self.link = link
    }

    /// The host of worker `index`.
    public func workerHost(_ index: Int) -> String { workerHosts[index % workerHosts.count] }
}
