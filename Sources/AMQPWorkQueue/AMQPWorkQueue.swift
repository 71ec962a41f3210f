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
/// declares them (durable, no arguments; `x-queue-type: quorum` with `Options.queueType`
/// `.quorum`), and the direct exchange `tasks.dead` with the queue `normal.dead`, to which a
/// consumer copies the messages it rejects (see `QueueNames`, `AMQPWorkQueueConsumer.reject`).
///
/// When the broker goes away, each connection reconnects with exponential backoff, starting
/// from the next broker when the URL names several (`AMQPEndpoint.brokers(url:)`).
/// Publishes awaiting a confirmation are sent again on the new connection, like those the
/// broker nacks (a nack is handled as a lost connection), and publishes not yet sent wait
/// for it: `publish` returns only once the broker confirmed the message, and throws once
/// `Options.publishTimeout` has passed without. Consumers resume delivering once
/// reconnected; deliveries from the old connection can no longer be settled
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
        /// as `rabbitmqctl list_connections client_properties` shows them (`connection_name`).
        public var connectionName: String
        /// The CA, and any client certificate, of `amqps://` brokers.
        public var tls: TLSFiles
        /// Classic (the original's) or quorum queues.
        public var queueType: QueueType

        public init(
            names: QueueNames = .standard,
            heartbeat: Duration = .seconds(10),
            connectTimeout: Duration = .seconds(5),
            publishTimeout: Duration = .seconds(10),
            reconnectDelay: Duration = .milliseconds(100),
            maximumReconnectDelay: Duration = .seconds(5),
            connectionName: String = "faafo",
            tls: TLSFiles = TLSFiles(),
            queueType: QueueType = .classic
        ) {
            self.names = names
            self.heartbeat = heartbeat
            self.connectTimeout = connectTimeout
            self.publishTimeout = publishTimeout
            self.reconnectDelay = reconnectDelay
            self.maximumReconnectDelay = maximumReconnectDelay
            self.connectionName = connectionName
            self.tls = tls
            self.queueType = queueType
        }
    }

    /// The brokers, in the order each connection tries them.
    public let endpoints: [AMQPEndpoint]
    /// The first broker; messages about the whole queue name it.
    public var endpoint: AMQPEndpoint { endpoints[0] }
    public let options: Options
    let logger: Logger
    let publisher: AMQPPublisher
    private let consumers = Mutex<(next: Int, open: [AMQPWorkQueueConsumer])>((1, []))

    /// Connects to a broker of `url` (`amqp://user:password@host:port/vhost`, `amqps://` for
    /// TLS, or several brokers: see `AMQPEndpoint.brokers(url:)`) and declares the topology.
    /// Throws `.invalidArgument` for a malformed URL or an unreadable TLS file, `.unavailable`
    /// if no broker can be reached, `.refused` if the broker refuses the login or the topology.
    public convenience init(
        url: String, options: Options = Options(), logger: Logger = Logger(label: "faafo.work-queue")
    ) async throws {
        try await self.init(endpoints: AMQPEndpoint.brokers(url: url), options: options, logger: logger)
    }

    public convenience init(
        endpoint: AMQPEndpoint, options: Options = Options(), logger: Logger = Logger(label: "faafo.work-queue")
    ) async throws {
        try await self.init(endpoints: [endpoint], options: options, logger: logger)
    }

    /// Every connection (the publisher's, each consumer's) tries `endpoints` in order, and
    /// after losing its broker starts again from the next one.
    public init(
        endpoints: [AMQPEndpoint], options: Options = Options(), logger: Logger = Logger(label: "faafo.work-queue")
    ) async throws {
        guard !endpoints.isEmpty else { throw QueueError(.invalidArgument, "no broker to connect to") }
        if endpoints.contains(where: \.usesTLS) { try Self.checkReadable(options.tls) }
        var logger = logger
        logger[metadataKey: "amqp.broker"] = "\(endpoints.map(\.address).joined(separator: ","))"
        self.endpoints = endpoints
        self.options = options
        self.logger = logger
        self.publisher = try AMQPPublisher(endpoints: endpoints, options: options, logger: logger)
        try await publisher.start()
    }

    /// Fails at once, naming the option, for a TLS file that cannot be read, rather than
    /// with a TLS error on every connection attempt.
    private static func checkReadable(_ tls: TLSFiles) throws(QueueError) {
        for (path, option) in [(tls.caFile, "amqp_ca_file"), (tls.certFile, "amqp_cert_file"), (tls.keyFile, "amqp_key_file")] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw QueueError(.invalidArgument, "\(option) '\(path)' does not exist or cannot be read")
            }
        }
        guard (tls.certFile == nil) == (tls.keyFile == nil) else {
            throw QueueError(
                .invalidArgument, "a client certificate needs both amqp_cert_file and amqp_key_file; only one is set")
        }
    }

    /// True while the publishing connection is up (false while it reconnects).
    public var isConnected: Bool { publisher.state.withLock { $0.isConnected } }

    /// What the broker answered to publishes so far.
    public var publishStatistics: PublishStatistics { publisher.state.withLock { $0.statistics } }

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
            endpoints: endpoints, options: options, publisher: publisher, prefetch: prefetch,
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
