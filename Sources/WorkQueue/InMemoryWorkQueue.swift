import Foundation
import Synchronization

/// A work queue in one process with RabbitMQ's semantics, for tests, a single-process
/// deployment, and the simulator.
///
/// - `publish` returns once the message is queued.
/// - A consumer holds at most `prefetch` unacknowledged deliveries, those it has received
///   but not yet returned from `next()` included.
/// - Ready messages go round-robin to the consumers that have capacity.
/// - `reject(requeue: true)` and a consumer's `close()` put messages back at their original
///   place in the queue, marked redelivered; `reject(requeue: false)` dead-letters them.
///
/// Thread-safe, and deterministic for a given order of calls: the same calls in the same
/// order give the same deliveries to the same consumers.
public final class InMemoryWorkQueue: WorkQueue {
    /// What the queue holds at one moment.
    public struct Counts: Sendable, Hashable, CustomStringConvertible {
        /// Messages waiting for a consumer.
        public var ready: Int
        /// Messages delivered to a consumer and not yet acknowledged or rejected.
        public var unacknowledged: Int
        /// Messages in the dead-letter queue.
        public var deadLetters: Int
        /// Open consumers.
        public var consumers: Int

        public init(ready: Int, unacknowledged: Int, deadLetters: Int, consumers: Int) {
            self.ready = ready
            self.unacknowledged = unacknowledged
            self.deadLetters = deadLetters
            self.consumers = consumers
        }

        public var description: String {
            "ready \(ready), unacked \(unacknowledged), dead \(deadLetters), consumers \(consumers)"
        }
    }

    let broker = Mutex(InMemoryBroker())

    public init() {}

    /// A consistent snapshot of every counter.
    public var counts: Counts {
        broker.withLock { broker in
            Counts(
                ready: broker.ready.count, unacknowledged: broker.unackedCount,
                deadLetters: broker.deadLetters.count, consumers: broker.consumers.count)
        }
    }

    /// Always, until shut down: there is no connection to lose.
    public var isConnected: Bool { broker.withLock { !$0.isShutDown } }

    public var readyCount: Int { counts.ready }
    public var unackedCount: Int { counts.unacknowledged }
    public var deadLetterCount: Int { counts.deadLetters }

    public func publish(_ body: Data, messageID: String) async throws {
        var wakeups = InMemoryBroker.Wakeups()
        try broker.withLock { broker throws(QueueError) in
            try broker.publish(body: body, messageID: messageID, wakeups: &wakeups)
        }
        wakeups.resume()
    }

    public func makeConsumer(prefetch: Int) async throws -> any WorkQueueConsumer {
        try makeInMemoryConsumer(prefetch: prefetch)
    }

    /// `makeConsumer` with the concrete type, and without suspending.
    public func makeInMemoryConsumer(prefetch: Int) throws(QueueError) -> InMemoryWorkQueueConsumer {
        guard (1...Int(UInt16.max)).contains(prefetch) else {
            throw QueueError(.invalidArgument, "prefetch must be 1...65535, not \(prefetch)")
        }
        var wakeups = InMemoryBroker.Wakeups()
        let id = try broker.withLock { broker throws(QueueError) in
            try broker.addConsumer(prefetch: prefetch, wakeups: &wakeups)
        }
        wakeups.resume()
        return InMemoryWorkQueueConsumer(queue: self, id: id)
    }

    /// Tells `observer` (outside the queue's lock, on the thread whose call caused it) the
    /// id of each consumer that is handed a delivery while no `next()` waits for it, so
    /// that a caller driving consumers with `poll()` (the simulator) knows whom to poll.
    public func observeDeliveries(_ observer: @escaping @Sendable (_ consumerID: Int) -> Void) {
        broker.withLock { $0.deliveryObserver = observer }
    }

    public func drainDeadLetters(limit: Int) async throws -> [QueueDelivery] {
        try broker.withLock { broker throws(QueueError) in
            try broker.drainDeadLetters(limit: max(0, limit))
        }
    }

    /// Closes every consumer (their messages go back to the queue and their `next()` returns
    /// nil); later publishes and new consumers throw `.closed`.
    public func shutdown() async {
        var wakeups = InMemoryBroker.Wakeups()
        broker.withLock { $0.shutDown(wakeups: &wakeups) }
        wakeups.resume()
    }
}
