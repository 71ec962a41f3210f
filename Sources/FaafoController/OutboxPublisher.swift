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

    /// How often a pass runs, and how old a task must be for a periodic pass to take it
    /// (a younger one may still be on its way through its create's own publish).
    public static let defaultInterval: Duration = .seconds(2)
    public static let defaultGrace: TimeInterval = 5

    public init(service: FractalService, interval: Duration = defaultInterval, grace: TimeInterval = defaultGrace) {
        self.service = service
        self.interval = interval
        self.grace = grace
    }

    public func run() async throws {
        var firstPass = true
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await service.publishOutbox(
                createdBefore: Self.cutoff(firstPass: firstPass, now: service.environment.now(), grace: grace))
            firstPass = false
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }

    /// The tasks a pass publishes were stored before this: at start, every task stored
    /// before it (no create of this process can be under way yet); later, tasks older
    /// than `grace`, whose own create has had time to publish them.
    public static func cutoff(firstPass: Bool, now: Date, grace: TimeInterval) -> Date {
        firstPass ? now : now.addingTimeInterval(-grace)
    }
}
