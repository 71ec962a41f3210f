import WorkQueue

/// The exchanges and queues an `AMQPWorkQueue` declares and uses.
///
/// The standard names are the original faafo's (`tasks`, `normal`) plus the dead-letter
/// pair. Tests that share a broker use `suffixed(_:)` so that they never see each other's
/// messages.
public struct QueueNames: Sendable, Hashable {
    /// A durable direct exchange that tasks are published to.
    public var exchange: String
    /// The durable task queue, bound to `exchange` with `routingKey`.
    public var queue: String
    public var routingKey: String
    /// A durable direct exchange that consumers copy rejected messages to.
    public var deadLetterExchange: String
    /// The durable dead-letter queue, bound to `deadLetterExchange` with its own name as the
    /// routing key.
    public var deadLetterQueue: String

    public init(
        exchange: String = QueueTopology.exchange,
        queue: String = QueueTopology.queue,
        routingKey: String = QueueTopology.routingKey,
        deadLetterExchange: String = QueueTopology.deadLetterExchange,
        deadLetterQueue: String = QueueTopology.deadLetterQueue
    ) {
        self.exchange = exchange
        self.queue = queue
        self.routingKey = routingKey
        self.deadLetterExchange = deadLetterExchange
        self.deadLetterQueue = deadLetterQueue
    }

    /// `tasks`, `normal`, `normal`, `tasks.dead`, `normal.dead`.
    public static let standard = QueueNames()

    /// The standard names, each followed by `.` and `suffix`.
    public static func suffixed(_ suffix: String) -> QueueNames {
        let standard = QueueNames.standard
        return QueueNames(
            exchange: "\(standard.exchange).\(suffix)",
            queue: "\(standard.queue).\(suffix)",
            routingKey: "\(standard.routingKey).\(suffix)",
            deadLetterExchange: "\(standard.deadLetterExchange).\(suffix)",
            deadLetterQueue: "\(standard.deadLetterQueue).\(suffix)")
    }
}
