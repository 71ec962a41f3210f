import Foundation

/// One consumer of an `InMemoryWorkQueue`.
public final class InMemoryWorkQueueConsumer: WorkQueueConsumer {
    let queue: InMemoryWorkQueue
    /// Unique within its queue; consumers are numbered from 1 in creation order.
    public let id: Int

    init(queue: InMemoryWorkQueue, id: Int) {
        self.queue = queue
        self.id = id
    }

    /// False once closed, directly or by the queue's shutdown.
    public var isOpen: Bool {
        queue.broker.withLock { $0.isOpen(consumer: id) }
    }

    public func next() async throws -> QueueDelivery? {
        let id = self.id
        let broker = queue
        let waiterID = broker.broker.withLock { $0.makeWaiterID() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let waiter = InMemoryBroker.Waiter(id: waiterID, continuation: continuation)
                let result = broker.broker.withLock {
                    $0.next(consumer: id, waiter: waiter, isCancelled: Task.isCancelled)
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiter = broker.broker.withLock { $0.removeWaiter(consumer: id, waiter: waiterID) }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// The next delivery if one is waiting for this consumer now, else nil; never waits.
    public func poll() -> QueueDelivery? {
        queue.broker.withLock { $0.poll(consumer: id) }
    }

    public func ack(_ delivery: QueueDelivery) async throws {
        var wakeups = InMemoryBroker.Wakeups()
        try queue.broker.withLock { broker throws(QueueError) in
            try broker.ack(consumer: id, tag: delivery.deliveryTag, wakeups: &wakeups)
        }
        wakeups.resume()
    }

    public func reject(_ delivery: QueueDelivery, requeue: Bool) async throws {
        var wakeups = InMemoryBroker.Wakeups()
        try queue.broker.withLock { broker throws(QueueError) in
            try broker.reject(consumer: id, tag: delivery.deliveryTag, requeue: requeue, wakeups: &wakeups)
        }
        wakeups.resume()
    }

    public func close() async {
        var wakeups = InMemoryBroker.Wakeups()
        queue.broker.withLock { $0.closeConsumer(id, wakeups: &wakeups) }
        wakeups.resume()
    }
}
