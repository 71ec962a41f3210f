import Foundation
import Synchronization
import WorkQueue

/// The broker as controllers and workers reach it in a run: the simulation's in-memory
/// queue while it is up; while it restarts, publishing and consuming fail as they do
/// against an unreachable RabbitMQ, and the messages it holds wait (they are persistent).
final class SimulatedBroker: WorkQueue {
    let queue: InMemoryWorkQueue
    let clock: any SimulationClock
    private let up = Mutex(true)
    /// (until when publishes are nacked, how many were)
    private let election = Mutex((until: Tick(0), nacked: 0))

    init(queue: InMemoryWorkQueue, clock: any SimulationClock) {
        self.queue = queue
        self.clock = clock
    }

    /// Nacks every publish until `tick`, as a quorum queue electing a leader does.
    func nackPublishes(until tick: Tick) { election.withLock { $0.until = max($0.until, tick) } }
    var nackedPublishes: Int { election.withLock { $0.nacked } }

    var isUp: Bool {
        get { up.withLock { $0 } }
        set { up.withLock { $0 = newValue } }
    }

    func publish(_ body: Data, messageID: String) async throws {
        guard isUp else { throw QueueError(.unavailable, "the broker is restarting; \(messageID) is not confirmed") }
        let now = clock.now
        let nacked = election.withLock { election in
            guard now < election.until else { return false }
            election.nacked += 1
            return true
        }
        if nacked { throw QueueError(.notConfirmed, "the broker nacked \(messageID): the task queue is electing a leader") }
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
