import Foundation
import Synchronization
import WorkQueue

/// The broker as controllers and workers reach it in a run: the simulation's in-memory
/// queue while it is up; while it restarts, publishing and consuming fail as they do
/// against an unreachable RabbitMQ, and the messages it holds wait (they are persistent).
final class SimulatedBroker: WorkQueue {
    let queue: InMemoryWorkQueue
    private let up = Mutex(true)

    init(queue: InMemoryWorkQueue) {
        self.queue = queue
    }

    var isUp: Bool {
        get { up.withLock { $0 } }
        set { up.withLock { $0 = newValue } }
    }

    func publish(_ body: Data, messageID: String) async throws {
        guard isUp else { throw QueueError(.unavailable, "the broker is restarting; \(messageID) is not confirmed") }
        try await queue.publish(body, messageID: messageID)
    }

    func makeConsumer(prefetch: Int) async throws -> any WorkQueueConsumer {
        guard isUp else { throw QueueError(.unavailable, "the broker is restarting") }
        return try await queue.makeConsumer(prefetch: prefetch)
    }

    func drainDeadLetters(limit: Int) async throws -> [QueueDelivery] {
        try await queue.drainDeadLetters(limit: limit)
    }

    func shutdown() async {}

    /// Down while it restarts, as an AMQP queue reconnecting.
    var isConnected: Bool { isUp && queue.isConnected }
}
