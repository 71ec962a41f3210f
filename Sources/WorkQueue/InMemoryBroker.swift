import DequeModule
import Foundation

/// The state of an in-memory queue and the rules that change it, with RabbitMQ's semantics
/// for one classic queue: messages kept in publish order, requeued messages put back at
/// their original position, round-robin dispatch among consumers with prefetch capacity.
///
/// A plain value without locking or I/O; `InMemoryWorkQueue` guards it with a mutex.
/// Continuations to resume are returned in `Wakeups` so that the caller resumes them after
/// releasing the lock. Every choice depends only on the order of calls: consumers are kept
/// in an array in registration order, and nothing iterates a dictionary or a set.
struct InMemoryBroker {
    struct Message {
        /// Publish order; a requeued message goes back to its place in this order.
        let sequence: UInt64
        let body: Data
        let messageID: String?
        var redelivered: Bool
    }

    struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<QueueDelivery?, any Error>
    }

    struct Consumer {
        let id: Int
        let prefetch: Int
        var nextTag: UInt64 = 1
        /// Every unacknowledged delivery, those still in `buffered` included.
        var held: [UInt64: Message] = [:]
        /// Delivered to this consumer (counted against prefetch), not yet returned by `next()`.
        var buffered: Deque<QueueDelivery> = []
        var waiters: Deque<Waiter> = []
    }

    /// Continuations to resume, and observers to tell, once the lock is released.
    struct Wakeups {
        var deliveries: [(CheckedContinuation<QueueDelivery?, any Error>, QueueDelivery?)] = []
        /// Consumers that were handed a delivery with no `next()` waiting for it.
        var buffered: [Int] = []
        var observer: (@Sendable (Int) -> Void)?

        func resume() {
            for (continuation, delivery) in deliveries {
                continuation.resume(returning: delivery)
            }
            if let observer {
                for consumer in buffered { observer(consumer) }
            }
        }
    }

    private(set) var ready: Deque<Message> = []
    private(set) var deadLetters: Deque<Message> = []
    /// Open consumers in registration order; dispatch walks them round-robin from `cursor`.
    private(set) var consumers: [Consumer] = []
    private var cursor = 0
    private var nextSequence: UInt64 = 1
    private var nextConsumerID = 1
    private var nextWaiterID: UInt64 = 1
    private var nextDeadLetterTag: UInt64 = 1
    private(set) var isShutDown = false
    /// Told the id of each consumer handed a delivery that no `next()` waits for.
    var deliveryObserver: (@Sendable (Int) -> Void)?

    var unackedCount: Int { consumers.reduce(0) { $0 + $1.held.count } }

    // MARK: Publishing

    mutating func publish(body: Data, messageID: String?, wakeups: inout Wakeups) throws(QueueError) {
        guard !isShutDown else { throw QueueError(.closed, "the in-memory queue is shut down") }
        ready.append(Message(sequence: nextSequence, body: body, messageID: messageID, redelivered: false))
        nextSequence += 1
        dispatch(&wakeups)
    }

    mutating func drainDeadLetters(limit: Int) throws(QueueError) -> [QueueDelivery] {
        guard !isShutDown else { throw QueueError(.closed, "the in-memory queue is shut down") }
        var drained: [QueueDelivery] = []
        while drained.count < limit, let message = deadLetters.popFirst() {
            // A dead-lettered message is a new message in the dead-letter queue: not redelivered.
            drained.append(
                QueueDelivery(
                    body: message.body, messageID: message.messageID, redelivered: false,
                    deliveryTag: nextDeadLetterTag))
            nextDeadLetterTag += 1
        }
        return drained
    }

    // MARK: Consumers

    mutating func addConsumer(prefetch: Int, wakeups: inout Wakeups) throws(QueueError) -> Int {
        guard !isShutDown else { throw QueueError(.closed, "the in-memory queue is shut down") }
        let id = nextConsumerID
        nextConsumerID += 1
        consumers.append(Consumer(id: id, prefetch: prefetch))
        dispatch(&wakeups)
        return id
    }

    mutating func makeWaiterID() -> UInt64 {
        defer { nextWaiterID += 1 }
        return nextWaiterID
    }

    /// The result of `next()` if it is known now; otherwise registers the waiter and returns nil.
    mutating func next(
        consumer id: Int, waiter: Waiter, isCancelled: Bool
    ) -> Result<QueueDelivery?, any Error>? {
        guard let index = index(of: id) else { return .success(nil) }
        if let delivery = poll(consumer: id) { return .success(delivery) }
        if isCancelled { return .failure(CancellationError()) }
        consumers[index].waiters.append(waiter)
        return nil
    }

    /// The consumer's next buffered delivery, or nil if it has none (or is closed).
    mutating func poll(consumer id: Int) -> QueueDelivery? {
        guard let index = index(of: id) else { return nil }
        while let delivery = consumers[index].buffered.popFirst() {
            // Skip a delivery already settled through a tag the caller guessed.
            if consumers[index].held[delivery.deliveryTag] != nil { return delivery }
        }
        return nil
    }

    mutating func removeWaiter(consumer id: Int, waiter waiterID: UInt64) -> Waiter? {
        guard let index = index(of: id),
            let position = consumers[index].waiters.firstIndex(where: { $0.id == waiterID })
        else { return nil }
        return consumers[index].waiters.remove(at: position)
    }

    mutating func ack(consumer id: Int, tag: UInt64, wakeups: inout Wakeups) throws(QueueError) {
        let index = try openIndex(of: id)
        guard consumers[index].held.removeValue(forKey: tag) != nil else {
            throw QueueError(.unknownDelivery, "delivery \(tag) is not held by consumer \(id)")
        }
        dispatch(&wakeups)
    }

    mutating func reject(
        consumer id: Int, tag: UInt64, requeue: Bool, wakeups: inout Wakeups
    ) throws(QueueError) {
        let index = try openIndex(of: id)
        guard var message = consumers[index].held.removeValue(forKey: tag) else {
            throw QueueError(.unknownDelivery, "delivery \(tag) is not held by consumer \(id)")
        }
        if requeue {
            message.redelivered = true
            putBack([message])
        } else {
            deadLetters.append(message)
        }
        dispatch(&wakeups)
    }

    /// Closes one consumer as RabbitMQ does when its channel dies: every message it holds
    /// goes back to its place in the queue, marked redelivered, and waiting `next()` calls
    /// return nil.
    mutating func closeConsumer(_ id: Int, wakeups: inout Wakeups) {
        guard let index = index(of: id) else { return }
        let consumer = consumers.remove(at: index)
        if index < cursor { cursor -= 1 }
        if cursor >= consumers.count { cursor = 0 }
        for waiter in consumer.waiters {
            wakeups.deliveries.append((waiter.continuation, nil))
        }
        // `held` is a dictionary: put back in publish order, never in dictionary order.
        let returned = consumer.held.values.sorted { $0.sequence < $1.sequence }.map {
            var message = $0
            message.redelivered = true
            return message
        }
        putBack(returned)
        dispatch(&wakeups)
    }

    mutating func shutDown(wakeups: inout Wakeups) {
        guard !isShutDown else { return }
        // Closing the oldest consumer first keeps the outcome independent of anything but call order.
        while let first = consumers.first {
            closeConsumer(first.id, wakeups: &wakeups)
        }
        isShutDown = true
    }

    func isOpen(consumer id: Int) -> Bool { index(of: id) != nil }

    // MARK: Dispatch

    private func index(of id: Int) -> Int? {
        consumers.firstIndex { $0.id == id }
    }

    private func openIndex(of id: Int) throws(QueueError) -> Int {
        guard let index = index(of: id) else {
            throw QueueError(.closed, "consumer \(id) is closed")
        }
        return index
    }

    /// Puts messages, sorted by sequence, back into the ready queue at their original places.
    private mutating func putBack(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        var merged: Deque<Message> = []
        merged.reserveCapacity(ready.count + messages.count)
        var returned = messages[...]
        while let message = ready.popFirst() {
            while let first = returned.first, first.sequence < message.sequence {
                merged.append(first)
                returned = returned.dropFirst()
            }
            merged.append(message)
        }
        merged.append(contentsOf: returned)
        ready = merged
    }

    /// Hands ready messages to consumers with capacity, round-robin from `cursor`.
    private mutating func dispatch(_ wakeups: inout Wakeups) {
        while !ready.isEmpty, let index = nextConsumerWithCapacity() {
            let message = ready.removeFirst()
            let tag = consumers[index].nextTag
            consumers[index].nextTag += 1
            consumers[index].held[tag] = message
            let delivery = QueueDelivery(
                body: message.body, messageID: message.messageID, redelivered: message.redelivered,
                deliveryTag: tag)
            if let waiter = consumers[index].waiters.popFirst() {
                wakeups.deliveries.append((waiter.continuation, delivery))
            } else {
                consumers[index].buffered.append(delivery)
                if let deliveryObserver {
                    wakeups.buffered.append(consumers[index].id)
                    wakeups.observer = deliveryObserver
                }
            }
            cursor = (index + 1) % consumers.count
        }
    }

    private func nextConsumerWithCapacity() -> Int? {
        guard !consumers.isEmpty else { return nil }
        for offset in 0..<consumers.count {
            let index = (cursor + offset) % consumers.count
            if consumers[index].held.count < consumers[index].prefetch { return index }
        }
        return nil
    }
}
