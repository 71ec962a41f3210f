import DequeModule
import Foundation
import Logging
import Synchronization
import WorkQueue

/// One consumer of an `AMQPWorkQueue`, with a connection and a thread of its own (see
/// `ConsumerLoop`).
///
/// The broker's delivery tags start again at 1 on every connection, so the tags this
/// consumer hands out are its own, increasing across reconnections, and map to the broker's
/// tag on the connection that delivered them. After a reconnection the old tags are
/// forgotten: settling them throws `.unknownDelivery`, since the broker has already requeued
/// those messages.
///
/// A rejection without requeue dead-letters the message by hand: the consumer publishes a
/// copy to the dead-letter exchange through the queue's confirming publisher and, once the
/// broker has confirmed it, acknowledges the original. The task queue carries no
/// dead-lettering argument (the original faafo's kombu declares it with none, and a queue's
/// arguments must match every declaration), so a plain `basic.reject` would drop it.
public final class AMQPWorkQueueConsumer: WorkQueueConsumer {
    enum Action {
        case ack
        case reject(requeue: Bool)
    }

    struct Settlement {
        let brokerTag: UInt64
        let connection: UInt64
        let action: Action
        let continuation: CheckedContinuation<Void, any Error>
    }

    struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<QueueDelivery?, any Error>
    }

    struct State {
        /// Numbers the current connection; 0 while disconnected.
        var connection: UInt64 = 0
        var nextTag: UInt64 = 1
        /// Our tag → the broker's tag and the connection it belongs to; every unsettled
        /// delivery of the current connection, those still in `buffered` included.
        var held: [UInt64: (brokerTag: UInt64, connection: UInt64)] = [:]
        var buffered: Deque<QueueDelivery> = []
        var waiters: Deque<Waiter> = []
        var nextWaiterID: UInt64 = 1
        var settlements: Deque<Settlement> = []
        var isClosing = false
        var startup: CheckedContinuation<Void, any Error>?
        var hasExited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    public let prefetch: Int
    /// The connection's name on the broker.
    public let name: String
    let endpoints: [AMQPEndpoint]
    let options: AMQPWorkQueue.Options
    /// Publishes the copies of dead-lettered messages.
    let publisher: AMQPPublisher
    let logger: Logger
    let wake: WakeSignal
    let state = Mutex(State())

    init(
        endpoints: [AMQPEndpoint], options: AMQPWorkQueue.Options, publisher: AMQPPublisher, prefetch: Int, name: String,
        logger: Logger
    ) throws(QueueError) {
        self.endpoints = endpoints
        self.options = options
        self.publisher = publisher
        self.prefetch = prefetch
        self.name = name
        var logger = logger
        logger[metadataKey: "amqp.connection"] = "\(name)"
        self.logger = logger
        self.wake = try WakeSignal()
    }

    /// False once `close()` has begun.
    public var isOpen: Bool { state.withLock { !$0.isClosing } }

    /// True while the consumer has a connection to the broker (false while it reconnects).
    public var isConnected: Bool { state.withLock { $0.connection != 0 } }

    /// Numbers the consumer's connections from 1; 0 while disconnected.
    var connectionNumber: UInt64 { state.withLock { $0.connection } }

    /// Starts the thread and waits until it consumes; throws if the first connection fails.
    func start() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { $0.startup = continuation }
            let thread = Thread { [self] in
                ConsumerLoop(consumer: self).run()
            }
            thread.name = "faafo-amqp-consumer"
            thread.start()
        }
    }

    // MARK: WorkQueueConsumer

    public func next() async throws -> QueueDelivery? {
        let waiterID = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let result = state.withLock { state -> Result<QueueDelivery?, any Error>? in
                    while let delivery = state.buffered.popFirst() {
                        // Skip a delivery already settled through a tag the caller guessed.
                        if state.held[delivery.deliveryTag] != nil { return .success(delivery) }
                    }
                    if state.isClosing { return .success(nil) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters.append(Waiter(id: waiterID, continuation: continuation))
                    return nil
                }
                if let result { continuation.resume(with: result) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    public func ack(_ delivery: QueueDelivery) async throws {
        try await settle(delivery, .ack)
    }

    /// With `requeue`, hands the message back to the broker. Without, copies it to the
    /// dead-letter queue and acknowledges it once the broker confirmed the copy; if the copy
    /// cannot be confirmed, the message is requeued instead (never dropped) and this throws
    /// `.notConfirmed`. A connection lost between the copy and the acknowledgement makes
    /// the broker deliver the message again, so a message may be dead-lettered twice.
    public func reject(_ delivery: QueueDelivery, requeue: Bool) async throws {
        if requeue { return try await settle(delivery, .reject(requeue: true)) }
        // A delivery this consumer no longer holds has been requeued already: copy nothing.
        let unknown = state.withLock { state -> QueueError? in
            if state.isClosing { return closedError }
            return state.held[delivery.deliveryTag] == nil ? notHeld(delivery) : nil
        }
        if let unknown { throw unknown }
        do {
            try await publisher.publish(delivery.body, messageID: delivery.messageID, route: .deadLetter)
        } catch {
            try? await settle(delivery, .reject(requeue: true))
            throw QueueError(
                .notConfirmed,
                "cannot copy the message to the dead-letter queue '\(options.names.deadLetterQueue)' (\(error)); "
                    + "it was handed back to the queue instead")
        }
        try await settle(delivery, .ack)
    }

    /// Closes the connection, so that the broker requeues every message this consumer holds,
    /// and waits for the thread to end. Waiting `next()` calls return nil.
    public func close() async {
        state.withLock { $0.isClosing = true }
        wake.signal()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let hasExited = state.withLock { state in
                if !state.hasExited { state.exitWaiters.append(continuation) }
                return state.hasExited
            }
            if hasExited { continuation.resume() }
        }
    }

    /// Returns once the thread has written the ack or reject to the socket.
    private func settle(_ delivery: QueueDelivery, _ action: Action) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let error = state.withLock { state -> QueueError? in
                if state.isClosing { return closedError }
                guard let held = state.held.removeValue(forKey: delivery.deliveryTag) else { return notHeld(delivery) }
                state.settlements.append(
                    Settlement(
                        brokerTag: held.brokerTag, connection: held.connection, action: action,
                        continuation: continuation))
                return nil
            }
            if let error {
                continuation.resume(throwing: error)
            } else {
                wake.signal()
            }
        }
    }

    private var closedError: QueueError { QueueError(.closed, "consumer '\(name)' is closed") }

    private func notHeld(_ delivery: QueueDelivery) -> QueueError {
        QueueError(
            .unknownDelivery,
            "consumer '\(name)' does not hold delivery \(delivery.deliveryTag): already settled, "
                + "or received on a connection since lost (RabbitMQ has requeued it)")
    }

    // MARK: Called by the thread

    var isClosing: Bool { state.withLock { $0.isClosing } }

    var hasSettlements: Bool { state.withLock { !$0.settlements.isEmpty || $0.isClosing } }

    func takeSettlements() -> [Settlement] {
        state.withLock { state in
            defer { state.settlements.removeAll() }
            return Array(state.settlements)
        }
    }

    func connected(_ connection: UInt64) {
        let startup = state.withLock { state in
            state.connection = connection
            defer { state.startup = nil }
            return state.startup
        }
        startup?.resume()
    }

    /// Forgets every delivery of the lost connection; settlements still queued fail. Returns
    /// false if this was the first attempt, which `start()` reports instead of retrying.
    func disconnected(_ failure: AMQPFailure) -> Bool {
        let (settlements, startup) = state.withLock { state in
            state.connection = 0
            state.held.removeAll()
            state.buffered.removeAll()
            defer {
                state.settlements.removeAll()
                state.startup = nil
            }
            return (state.settlements, state.startup)
        }
        for settlement in settlements {
            settlement.continuation.resume(
                throwing: QueueError(
                    .unknownDelivery,
                    "the connection that delivered the message was lost before the "
                        + "acknowledgement was sent (RabbitMQ requeues it): \(failure.message)"))
        }
        startup?.resume(throwing: failure.queueError)
        return startup == nil
    }

    func deliver(_ message: AMQPIncomingMessage, connection: UInt64) {
        let waiter = state.withLock { state -> (Waiter, QueueDelivery)? in
            // After close() began, the broker will requeue it when the connection closes.
            guard !state.isClosing, state.connection == connection else { return nil }
            let tag = state.nextTag
            state.nextTag += 1
            state.held[tag] = (message.deliveryTag, connection)
            let delivery = QueueDelivery(
                body: message.body, messageID: message.messageID, redelivered: message.redelivered,
                deliveryTag: tag)
            if let waiter = state.waiters.popFirst() { return (waiter, delivery) }
            state.buffered.append(delivery)
            return nil
        }
        if let (waiter, delivery) = waiter {
            waiter.continuation.resume(returning: delivery)
        }
    }

    /// The thread is ending: waiting `next()` calls return nil, settlements fail with `.closed`.
    func exited() {
        let (waiters, settlements, exitWaiters, startup) = state.withLock { state in
            state.isClosing = true
            state.hasExited = true
            state.connection = 0
            state.held.removeAll()
            state.buffered.removeAll()
            defer {
                state.waiters.removeAll()
                state.settlements.removeAll()
                state.exitWaiters.removeAll()
                state.startup = nil
            }
            return (state.waiters, state.settlements, state.exitWaiters, state.startup)
        }
        for waiter in waiters { waiter.continuation.resume(returning: nil) }
        let closed = closedError
        for settlement in settlements { settlement.continuation.resume(throwing: closed) }
        startup?.resume(throwing: closed)
        for waiter in exitWaiters { waiter.resume() }
    }
}
