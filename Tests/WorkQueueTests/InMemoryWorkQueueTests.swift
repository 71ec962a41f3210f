import Foundation
import Synchronization
import Testing
import WorkQueue

/// What only the in-memory queue promises: counters and exact, repeatable dispatch (the
/// simulator relies on both).
@Suite("InMemoryWorkQueue")
struct InMemoryWorkQueueTests {
    @Test func countersFollowEveryTransition() async throws {
        let queue = InMemoryWorkQueue()
        for index in 1...4 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
        #expect(queue.counts == .init(ready: 4, unacknowledged: 0, deadLetters: 0, consumers: 0))

        let consumer = try queue.makeInMemoryConsumer(prefetch: 2)
        // Prefetched deliveries count as unacknowledged before next() takes them.
        #expect(queue.counts == .init(ready: 2, unacknowledged: 2, deadLetters: 0, consumers: 1))

        let first = try #require(try await consumer.next())
        try await consumer.reject(first, requeue: false)
        #expect(queue.counts == .init(ready: 1, unacknowledged: 2, deadLetters: 1, consumers: 1))

        let second = try #require(try await consumer.next())
        try await consumer.ack(second)
        #expect(queue.readyCount == 0)
        #expect(queue.unackedCount == 2)

        await consumer.close()
        #expect(queue.counts == .init(ready: 2, unacknowledged: 0, deadLetters: 1, consumers: 0))
        #expect(!consumer.isOpen)

        #expect(try await queue.drainDeadLetters(limit: 5).map(text) == ["1"])
        #expect(queue.deadLetterCount == 0)
    }

    /// The same calls in the same order give the same deliveries to the same consumers.
    @Test func dispatchDependsOnlyOnCallOrder() async throws {
        func run() async throws -> [[String]] {
            let queue = InMemoryWorkQueue()
            let consumers = try (0..<3).map { _ in try queue.makeInMemoryConsumer(prefetch: 2) }
            for index in 0..<12 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
            var received: [[String]] = []
            for consumer in consumers {
                var mine: [String] = []
                while queue.readyCount > 0 || mine.count < 2 {
                    guard let delivery = try await consumer.next() else { break }
                    mine.append(text(delivery))
                    try await consumer.ack(delivery)
                    if mine.count >= 4 { break }
                }
                received.append(mine)
            }
            await queue.shutdown()
            return received
        }
        let first = try await run()
        #expect(try await run() == first)
        // Round-robin in registration order while all have capacity: 0→a, 1→b, 2→c, 3→a…
        #expect(first[0].prefix(2) == ["0", "3"])
        #expect(first[1].prefix(2) == ["1", "4"])
        #expect(first[2].prefix(2) == ["2", "5"])
    }

    @Test func consumersAreNumberedInCreationOrder() throws {
        let queue = InMemoryWorkQueue()
        let ids = try (0..<3).map { _ in try queue.makeInMemoryConsumer(prefetch: 1).id }
        #expect(ids == [1, 2, 3])
    }

    /// The simulator drives consumers without waiting: it is told who got a delivery, and polls.
    @Test func tellsAnObserverWhichConsumerToPoll() async throws {
        let queue = InMemoryWorkQueue()
        let told = Mutex<[Int]>([])
        queue.observeDeliveries { id in told.withLock { $0.append(id) } }
        let first = try queue.makeInMemoryConsumer(prefetch: 1)
        let second = try queue.makeInMemoryConsumer(prefetch: 1)
        #expect(first.poll() == nil)
        for index in 0..<3 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
        #expect(told.withLock { $0 } == [first.id, second.id])

        let delivery = try #require(first.poll())
        #expect(text(delivery) == "0")
        #expect(first.poll() == nil)
        try await first.ack(delivery)
        #expect(told.withLock { $0 } == [first.id, second.id, first.id])
        #expect(first.poll().map(text) == "2")
    }
}
