import Foundation

/// A durable work queue with RabbitMQ's semantics: persistent messages, publisher
/// confirms, per-consumer prefetch, explicit acknowledgement, and redelivery of every
/// unacknowledged message when its consumer goes away.
///
/// Two backends implement it: `AMQPWorkQueue` (RabbitMQ) and `InMemoryWorkQueue` (one
/// process, and the simulator). One contract test suite runs against both.
public protocol WorkQueue: Sendable {
    /// Publishes one message to the task queue. Returns once the queue holds it durably
    /// (for RabbitMQ: once the broker has confirmed it). Throws `QueueError` if that cannot
    /// be confirmed; the message may then or may not have been queued.
    func publish(_ body: Data, messageID: String) async throws

    /// Starts a consumer that holds at most `prefetch` unacknowledged messages, counting
    /// those it has received but not yet returned from `next()`. `prefetch` is 1...65535
    /// (AMQP's limit); anything else throws `.invalidArgument`.
    func makeConsumer(prefetch: Int) async throws -> any WorkQueueConsumer

    /// Removes and returns up to `limit` messages from the dead-letter queue, oldest first.
    func drainDeadLetters(limit: Int) async throws -> [QueueDelivery]

    /// Releases connections and threads; consumers made by this queue stop.
    func shutdown() async

    /// True while a publish can be sent at once: for RabbitMQ, while the publishing
    /// connection is up (false while it reconnects); false once shut down. What readiness
    /// checks read; a publish does not need it (it waits for a reconnection).
    var isConnected: Bool { get }
}

/// One consumer: a stream of deliveries that must each be acknowledged or rejected.
public protocol WorkQueueConsumer: Sendable {
    /// Waits for the next delivery. Returns nil once the consumer is closed. Throws
    /// `CancellationError` if the task is cancelled while waiting; no delivery is lost then.
    func next() async throws -> QueueDelivery?

    /// The task is done: the queue forgets the message. Delivery is at least once: with
    /// RabbitMQ an ack is not confirmed, so one sent as the connection drops may be lost and
    /// the message delivered again. Throws `.unknownDelivery` if this
    /// consumer does not hold the delivery (already settled, or received on a connection
    /// that has since been replaced, in which case the broker has requeued it), `.closed`
    /// after `close()`.
    func ack(_ delivery: QueueDelivery) async throws

    /// The task cannot be done by this consumer. With `requeue`, the message goes back to
    /// the queue (marked redelivered); without, it goes to the dead-letter queue. Throws
    /// as `ack` does.
    func reject(_ delivery: QueueDelivery, requeue: Bool) async throws

    /// Stops consuming, as when a worker's channel dies: every message this consumer holds
    /// unacknowledged goes back to the queue, marked redelivered.
    func close() async
}

/// A message as a consumer receives it.
public struct QueueDelivery: Sendable, Hashable {
    public let body: Data
    public let messageID: String?
    /// True when the message was delivered before and not acknowledged.
    public let redelivered: Bool
    /// Identifies the delivery on its consumer; meaningless elsewhere.
    public let deliveryTag: UInt64

    public init(body: Data, messageID: String?, redelivered: Bool, deliveryTag: UInt64) {
        self.body = body
        self.messageID = messageID
        self.redelivered = redelivered
        self.deliveryTag = deliveryTag
    }
}

/// A failure of the work queue.
public struct QueueError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let name: String
        /// The broker could not be reached or the connection was lost.
        public static let unavailable = Code(name: "unavailable")
        /// A publish was not confirmed (nack, or the connection closed first).
        public static let notConfirmed = Code(name: "not_confirmed")
        /// An ack or reject for a delivery this consumer does not hold (already settled,
        /// or from a connection that has since been replaced).
        public static let unknownDelivery = Code(name: "unknown_delivery")
        /// The queue or consumer was shut down.
        public static let closed = Code(name: "closed")
        /// The broker refused an operation (e.g. a topology conflict).
        public static let refused = Code(name: "refused")
        /// An argument or setting is out of range: a malformed URL, a prefetch of 0.
        public static let invalidArgument = Code(name: "invalid_argument")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }
}

/// The names faafo uses on the broker; the first three are the original faafo's.
public enum QueueTopology {
    public static let exchange = "tasks"
    public static let queue = "normal"
    public static let routingKey = "normal"
    public static let deadLetterExchange = "tasks.dead"
    public static let deadLetterQueue = "normal.dead"
}
