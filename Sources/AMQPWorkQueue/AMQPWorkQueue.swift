import Foundation
import Logging
import Synchronization
import WorkQueue

/// The work queue on RabbitMQ, over librabbitmq (rabbitmq-c).
///
/// One connection publishes, on a channel in confirm mode: `publish` returns once the broker
/// has confirmed the message. Each consumer has a connection of its own. librabbitmq is
/// blocking and a connection may only be used by one thread, so every connection has a
/// dedicated thread that owns it; callers hand it work through a locked queue and wait on
/// continuations. The threads keep answering heartbeats however long a caller holds a
/// delivery.
///
/// Every (re)connection declares the topology: the direct exchange `tasks` and the queue
/// `normal` bound to it with routing key `normal`, exactly as the original faafo's kombu
/// declares them (durable, no arguments), and the direct exchange `tasks.dead` with the
/// queue `normal.dead`, to which a consumer copies the messages it rejects (see
/// `QueueNames`, `AMQPWorkQueueConsumer.reject`). When the broker goes away, each connection reconnects with exponential
/// backoff: publishes awaiting a confirmation fail with `.notConfirmed`, publishes not yet
/// sent wait for the new connection (up to `Options.publishTimeout`), and consumers resume
/// delivering once reconnected; deliveries from the old connection can no longer be settled
/// (`.unknownDelivery`) because the broker has requeued them.
public final class AMQPWorkQueue: WorkQueue {
    public struct Options: Sendable {
        /// The exchanges and queues to declare and use.
        public var names: QueueNames
        /// The AMQP heartbeat interval, in whole seconds (rounded up); `.zero` turns heartbeats off.
        /// The broker may lower it. A connection whose peer is silent for twice this long is
        /// considered lost.
        public var heartbeat: Duration
        /// Bounds the TCP connect, the AMQP handshake and each synchronous broker operation.
        public var connectTimeout: Duration
        /// The longest `publish` waits, connection included, before throwing.
        public var publishTimeout: Duration
        /// The first delay before reconnecting; it doubles after each failed attempt…
        public var reconnectDelay: Duration
        /// … up to this.
        public var maximumReconnectDelay: Duration
        /// Names the connections on the broker (`<name> publisher`, `<name> consumer 1`…),
        /// as `rabbitmqctl list_connections user_provided_name` shows them.
        public var connectionName: String

        public init(
            names: QueueNames = .standard,
            heartbeat: Duration = .seconds(10),
            connectTimeout: Duration = .seconds(5),
            publishTimeout: Duration = .seconds(10),
            reconnectDelay: Duration = .milliseconds(100),
            maximumReconnectDelay: Duration = .seconds(5),
            connectionName: String = "faafo"
        ) {
            self.names = names
            self.heartbeat = heartbeat
            self.connectTimeout = connectTimeout
            self.publishTimeout = publishTimeout
            self.reconnectDelay = reconnectDelay
            self.maximumReconnectDelay = maximumReconnectDelay
            self.connectionName = connectionName
        }
    }

    public let endpoint: AMQPEndpoint
    public let options: Options
    let logger: Logger
    let publisher: AMQPPublisher
    private let consumers = Mutex<(next: Int, open: [AMQPWorkQueueConsumer])>((1, []))

    /// Connects to the broker at `url` (`amqp://user:password@host:port/vhost`) and declares
    /// the topology. Throws `.invalidArgument` for a malformed URL, `.unavailable` if the
    /// broker cannot be reached, `.refused` if it refuses the login or the topology.
    public convenience init(
        url: String, options: Options = Options(), logger: Logger = Logger(label: "faafo.work-queue")
    ) async throws {
        try await self.init(endpoint: AMQPEndpoint(url: url), options: options, logger: logger)
    }

    public init(
        endpoint: AMQPEndpoint, options: Options = Options(), logger: Logger = Logger(label: "faafo.work-queue")
    ) async throws {
        var logger = logger
        logger[metadataKey: "amqp.broker"] = "\(endpoint.address)"
        self.endpoint = endpoint
        self.options = options
        self.logger = logger
        self.publisher = try AMQPPublisher(endpoint: endpoint, options: options, logger: logger)
        try await publisher.start()
    }

    /// True while the publishing connection is up (false while it reconnects).
    public var isConnected: Bool { publisher.state.withLock { $0.isConnected } }

    public func publish(_ body: Data, messageID: String) async throws {
        try await publisher.publish(body, messageID: messageID)
    }

    public func makeConsumer(prefetch: Int) async throws -> any WorkQueueConsumer {
        try await makeAMQPConsumer(prefetch: prefetch)
    }

    /// `makeConsumer` with the concrete type. Returns once the consumer's connection is open
    /// and consuming; throws if the first attempt to connect fails.
    public func makeAMQPConsumer(prefetch: Int) async throws -> AMQPWorkQueueConsumer {
        guard (1...Int(UInt16.max)).contains(prefetch) else {
            throw QueueError(.invalidArgument, "prefetch must be 1...65535, not \(prefetch)")
        }
        guard !publisher.isShuttingDown else {
            throw QueueError(.closed, "the work queue on \(endpoint.address) is shut down")
        }
        let number = consumers.withLock { state in
            state.open.removeAll { !$0.isOpen }
            defer { state.next += 1 }
            return state.next
        }
        let consumer = try AMQPWorkQueueConsumer(
            endpoint: endpoint, options: options, publisher: publisher, prefetch: prefetch,
            name: "\(options.connectionName) consumer \(number)", logger: logger)
        try await consumer.start()
        let registered = consumers.withLock { state in
            guard !publisher.isShuttingDown else { return false }
            state.open.append(consumer)
            return true
        }
        if !registered {
            await consumer.close()
            throw QueueError(.closed, "the work queue on \(endpoint.address) is shut down")
        }
        return consumer
    }

    public func drainDeadLetters(limit: Int) async throws -> [QueueDelivery] {
        guard limit > 0 else { return [] }
        return try await publisher.drainDeadLetters(limit: limit)
    }

    /// Closes every consumer (the broker requeues what they hold), then the publishing
    /// connection. Publishes still waiting for a confirmation fail with `.closed`.
    public func shutdown() async {
        publisher.beginShutdown()
        await closeConsumers()
        await publisher.shutdown()
    }

    /// Closes every consumer, then deletes both queues (and their messages) and both
    /// exchanges: for tests that declared names of their own. Consumers are closed first
    /// because a consumer whose queue vanishes reconnects and would declare it again.
    public func deleteTopology() async throws {
        await closeConsumers()
        try await publisher.deleteTopology()
    }

    private func closeConsumers() async {
        let open = consumers.withLock { state in
            defer { state.open.removeAll() }
            return state.open
        }
        for consumer in open {
            await consumer.close()
        }
    }
}
