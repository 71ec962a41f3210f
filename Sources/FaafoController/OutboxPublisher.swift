import Foundation
import Logging
import ServiceLifecycle

/// Publishes stored tasks whose publish was never confirmed: at start, every task stored
/// before this process began (the API stopped between storing and publishing), then
/// every `interval`, tasks older than `grace` (the queue was down when they came).
public struct OutboxPublisher: Service {
    let service: FractalService
    let interval: Duration
    let grace: TimeInterval

    public init(service: FractalService, interval: Duration = .seconds(2), grace: TimeInterval = 5) {
        self.service = service
        self.interval = interval
        self.grace = grace
    }

    public func run() async throws {
        var cutoff = service.environment.now()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await service.publishOutbox(createdBefore: cutoff)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            cutoff = service.environment.now().addingTimeInterval(-grace)
        }
    }
}
