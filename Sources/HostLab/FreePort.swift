import FaafoCluster
import NIOCore
import NIOPosix

/// Ports for a test's own servers.
package enum FreePort {
    /// A port nothing listens on now: the one the kernel gives a listener on port 0,
    /// closed again at once.
    package static func next() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw ClusterError("no port for a listener on 127.0.0.1:0") }
        return port
    }
}
