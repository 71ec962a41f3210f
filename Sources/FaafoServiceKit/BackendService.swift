import Logging
import ServiceLifecycle

/// A backend (a store, a queue, a client) as a service of the group that uses it: it
/// holds nothing while the group runs and closes the backend when the group ends, however
/// it ends (a signal, a graceful shutdown, another service failing). A group shuts its
/// services down in the reverse of their order, so a backend listed before the services
/// that use it is closed after them.
public struct BackendService: Service {
    let name: String
    let close: @Sendable () async throws -> Void
    let logger: Logger

    /// `name` says what is closed in the warning logged if closing fails.
    public init(_ name: String, logger: Logger, close: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.close = close
        self.logger = logger
    }

    public func run() async throws {
        // Returns on graceful shutdown, and throws (ignored) when the group is cancelled.
        try? await gracefulShutdown()
        do {
            try await close()
        } catch {
            logger.warning("closing \(name) failed: \(error)")
        }
    }
}
