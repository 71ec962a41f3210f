import CRabbitMQ
import Foundation
import Logging
import WorkQueue

/// A consumer's thread: owns its connection and runs until the consumer closes.
///
/// Each turn sends the acks and rejects callers have queued, then waits (in poll(2), on the
/// socket and the consumer's wake signal, at most `idleWait`) and reads every delivery that
/// has arrived. librabbitmq answers heartbeats while it reads, so the connection stays alive
/// however long a caller holds a delivery.
final class ConsumerLoop: ReconnectingLoop {
    private static let channel: amqp_channel_t = 1
    private static let idleWait: Duration = .milliseconds(500)

    private let consumer: AMQPWorkQueueConsumer
    private var connection: AMQPConnection?
    /// Numbers connections so that deliveries from a lost one are recognised.
    private var connectionNumber: UInt64 = 0
    private var brokers: BrokerRotation

    init(consumer: AMQPWorkQueueConsumer) {
        self.consumer = consumer
        self.brokers = BrokerRotation(consumer.endpoints)
    }

    func run() {
        runReconnecting()
        if let connection {
            // Closing the connection makes the broker requeue every unacknowledged delivery.
            connection.close(timeout: .seconds(2))
            self.connection = nil
        }
        consumer.exited()
    }

    // MARK: ReconnectingLoop

    var logger: Logger { consumer.logger }
    var reconnectDelay: Duration { consumer.options.reconnectDelay }
    var maximumReconnectDelay: Duration { consumer.options.maximumReconnectDelay }
    var isStopping: Bool { consumer.isClosing }
    var isConnected: Bool { connection != nil }
    func didConnect() { consumer.connected(connectionNumber) }
    func didFail(_ failure: AMQPFailure) -> Bool { consumer.disconnected(failure) }
    func serveTurn() throws(AMQPFailure) {
        if let connection { try turn(connection) }
    }
    func dropConnection(after failure: AMQPFailure) { connection = nil }

    func connect() throws(AMQPFailure) {
        let options = consumer.options
        let connection = try brokers.open(
            tls: options.tls, name: consumer.name, heartbeat: options.heartbeat, timeout: options.connectTimeout)
        try connection.openChannel(Self.channel)
        if let note = try connection.declare(options.names, type: options.queueType, channel: Self.channel) {
            logger.warning("\(note)")
        }
        try connection.qos(prefetch: consumer.prefetch, channel: Self.channel)
        try connection.consume(queue: options.names.queue, channel: Self.channel)
        connectionNumber += 1
        self.connection = connection
    }

    func pause(for delay: Duration) {
        let clock = ContinuousClock()
        let end = clock.now + delay
        while !consumer.isClosing {
            let remaining = end - clock.now
            guard remaining > .zero else { return }
            _ = consumer.wake.wait(socket: nil, timeout: remaining)
            consumer.wake.drain()
        }
    }

    private func turn(_ connection: AMQPConnection) throws(AMQPFailure) {
        let settlements = consumer.takeSettlements()
        for (index, settlement) in settlements.enumerated() {
            guard settlement.connection == connectionNumber else {
                settlement.continuation.resume(
                    throwing: QueueError(
                        .unknownDelivery,
                        "the delivery came on a connection since lost; RabbitMQ has requeued it"))
                continue
            }
            do throws(AMQPFailure) {
                switch settlement.action {
                case .ack:
                    try connection.ack(settlement.brokerTag, channel: Self.channel)
                case .reject(let requeue):
                    try connection.reject(settlement.brokerTag, requeue: requeue, channel: Self.channel)
                }
            } catch {
                let lost = QueueError(
                    .unknownDelivery,
                    "the connection was lost before the acknowledgement was sent (RabbitMQ requeues the "
                        + "message): \(error.message)")
                for failed in settlements[index...] { failed.continuation.resume(throwing: lost) }
                throw error
            }
            settlement.continuation.resume()
        }
        if consumer.isClosing { return }

        if !connection.hasBufferedInput, !consumer.hasSettlements {
            let readiness = consumer.wake.wait(socket: connection.socketDescriptor, timeout: Self.idleWait)
            if readiness.signalled { consumer.wake.drain() }
            if readiness.signalled && !readiness.socket { return }
        }
        // A tiny timeout rather than zero: librabbitmq only notices missed heartbeats when
        // the deadline it waits for is not "immediately".
        for _ in 0..<10_000 {
            guard let incoming = try connection.receive(timeout: .microseconds(1)) else { break }
            switch incoming {
            case .delivery(let message):
                consumer.deliver(message, connection: connectionNumber)
            case .frame(let frame):
                if let failure = connection.failure(announcedBy: frame) { throw failure }
            }
        }
        connection.releaseBuffers()
    }
}
