import CRabbitMQ
import DequeModule
import Foundation
import Logging
import WorkQueue

/// The publisher thread: owns the publishing connection and runs until shutdown.
///
/// Each turn takes every queued publish (up to `batchLimit`), sends them on the confirm
/// channel, then reads whatever the broker has sent: confirmations (`basic.ack`/`basic.nack`,
/// possibly `multiple`) resume the callers. While it waits for confirmations, callers queue
/// the next batch, so batches grow with the load and throughput is not bound to one round
/// trip per message. Tasks and the copies of rejected messages (for the dead-letter queue)
/// share the one confirm channel. Channel 1 publishes in confirm mode; channel 2 runs the synchronous
/// commands (basic.get on the dead-letter queue, deletes).
final class PublisherLoop: ReconnectingLoop {
    private static let publishChannel: amqp_channel_t = 1
    private static let commandChannel: amqp_channel_t = 2
    /// At most this many messages are sent before reading from the socket again, so that
    /// confirmations never pile up unread.
    private static let batchLimit = 1000
    /// The longest the thread sleeps without looking at the connection (for heartbeats).
    private static let idleWait: Duration = .milliseconds(500)

    private struct Outstanding {
        let sequence: UInt64
        let request: AMQPPublisher.Request
    }

    private let publisher: AMQPPublisher
    var logger: Logger
    private var connection: AMQPConnection?
    /// Sent, not yet confirmed, in publish (sequence) order.
    private var outstanding: Deque<Outstanding> = []
    /// The broker numbers confirms per channel from 1.
    private var nextSequence: UInt64 = 1
    private let arena = CArena()
    private let exchange: amqp_bytes_t
    private let routingKey: amqp_bytes_t
    private let contentType: amqp_bytes_t
    private let deadLetterExchange: amqp_bytes_t
    private let deadLetterRoutingKey: amqp_bytes_t
    private var brokers: BrokerRotation
    /// After a nack, sending (on the next connection) waits until then: a quorum queue electing
    /// a leader nacks whatever arrives meanwhile. The wait doubles with each nack until an ack comes.
    private var holdUntil: ContinuousClock.Instant?
    private lazy var nackBackoff = Backoff(initial: reconnectDelay, maximum: maximumReconnectDelay)

    init(publisher: AMQPPublisher) {
        self.publisher = publisher
        self.brokers = BrokerRotation(publisher.endpoints)
        self.logger = publisher.logger
        logger[metadataKey: "amqp.connection"] = "\(publisher.options.connectionName) publisher"
        exchange = arena.bytes(publisher.options.names.exchange)
        routingKey = arena.bytes(publisher.options.names.routingKey)
        contentType = arena.bytes("application/json")
        deadLetterExchange = arena.bytes(publisher.options.names.deadLetterExchange)
        deadLetterRoutingKey = arena.bytes(publisher.options.names.deadLetterQueue)
    }

    func run() {
        runReconnecting()
        if let connection {
            // Give confirmations already on their way a moment to arrive.
            let deadline = ContinuousClock.now + .seconds(1)
            while !outstanding.isEmpty, ContinuousClock.now < deadline {
                guard (try? readFrames(connection, waitingAtMost: .milliseconds(50))) != nil else { break }
            }
            connection.close(timeout: .seconds(1))
            drop(connection, failure: nil)
        }
        publisher.exited()
    }

    // MARK: ReconnectingLoop

    var reconnectDelay: Duration { publisher.options.reconnectDelay }
    var maximumReconnectDelay: Duration { publisher.options.maximumReconnectDelay }
    var isStopping: Bool { publisher.isShuttingDown }
    var isConnected: Bool { connection != nil }
    func didConnect() { publisher.connected() }
    func didFail(_ failure: AMQPFailure) -> Bool { publisher.disconnected(failure) }
    func serveTurn() throws(AMQPFailure) {
        if let connection { try turn(connection) }
    }
    func dropConnection(after failure: AMQPFailure) {
        if let connection { drop(connection, failure: failure) }
    }

    func connect() throws(AMQPFailure) {
        let options = publisher.options
        let connection = try brokers.open(
            tls: options.tls, name: "\(options.connectionName) publisher", heartbeat: options.heartbeat,
            timeout: options.connectTimeout)
        try connection.openChannel(Self.publishChannel)
        if let note = try connection.declare(options.names, type: options.queueType, channel: Self.publishChannel) {
            logger.warning("\(note)")
        }
        try connection.confirmSelect(channel: Self.publishChannel)
        try connection.openChannel(Self.commandChannel)
        self.connection = connection
        nextSequence = 1
    }

    /// Forgets the connection. After a failure, publishes awaiting confirmation are sent
    /// again on the next connection (their callers wait on, up to their deadline); on shutdown
    /// they fail with `.closed`.
    private func drop(_ connection: AMQPConnection, failure: AMQPFailure?) {
        self.connection = nil
        let unconfirmed = outstanding
        outstanding.removeAll()
        if let failure {
            republish(unconfirmed.map(\.request), because: failure.message)
            return
        }
        let error = QueueError(
            .closed, "the work queue on \(publisher.endpoint.address) shut down before the broker confirmed the message")
        for entry in unconfirmed {
            entry.request.continuation.resume(throwing: error)
        }
    }

    /// Puts publishes the broker did not confirm (it nacked them, or the connection was lost
    /// before their confirm) back at the head of the queue, in order, to be sent again: a
    /// caller hears of success only from a confirm. Those past their deadline fail with
    /// `.notConfirmed` instead.
    private func republish(_ requests: [AMQPPublisher.Request], because reason: String) {
        let now = ContinuousClock.now
        var again: [AMQPPublisher.Request] = []
        for request in requests {
            if request.deadline <= now {
                request.continuation.resume(
                    throwing: QueueError(
                        .notConfirmed,
                        "the broker did not confirm the message within \(publisher.options.publishTimeout): \(reason)"))
            } else {
                again.append(request)
            }
        }
        publisher.count { $0.republished += again.count }
        publisher.requeue(again)
    }

    /// Waits out a reconnection delay, failing expired publishes meanwhile; returns early on shutdown.
    func pause(for delay: Duration) {
        let clock = ContinuousClock()
        let end = clock.now + delay
        repeat {
            publisher.failWhileDisconnected(now: clock.now)
            let remaining = end - clock.now
            guard remaining > .zero, !publisher.isShuttingDown else { return }
            _ = publisher.wake.wait(socket: nil, timeout: min(remaining, .milliseconds(250)))
            publisher.wake.drain()
        } while true
    }

    // MARK: One turn

    private func turn(_ connection: AMQPConnection) throws(AMQPFailure) {
        if let holdUntil, !publisher.isShuttingDown {
            let remaining = holdUntil - .now
            if remaining > .zero {
                try readFrames(connection, waitingAtMost: min(remaining, Self.idleWait))
                return
            }
            self.holdUntil = nil
        }
        let work = publisher.takeWork(limit: Self.batchLimit)
        if work.isShuttingDown {
            publisher.requeue(work.requests)
            for command in work.commands {
                command.fail(QueueError(.closed, "the work queue on \(publisher.endpoint.address) is shut down"))
            }
            return
        }
        for (index, command) in work.commands.enumerated() {
            do throws(AMQPFailure) {
                try perform(command, on: connection)
            } catch {
                publisher.requeue(work.requests)
                for later in work.commands.dropFirst(index + 1) { later.fail(error.queueError) }
                throw error
            }
        }
        try send(work.requests, on: connection)
        failExpiredConfirmations(now: .now)

        let wait: Duration
        if publisher.hasWork {
            wait = .zero
        } else if let first = outstanding.first {
            wait = min(Self.idleWait, max(.zero, first.request.deadline - .now))
        } else {
            wait = Self.idleWait
        }
        try readFrames(connection, waitingAtMost: wait)
        connection.releaseBuffers()
    }

    private func send(_ requests: [AMQPPublisher.Request], on connection: AMQPConnection) throws(AMQPFailure) {
        let now = ContinuousClock.now
        for (index, request) in requests.enumerated() {
            if request.deadline <= now {
                request.continuation.resume(
                    throwing: QueueError(
                        .unavailable,
                        "publish not sent within \(publisher.options.publishTimeout) to RabbitMQ at "
                            + "\(publisher.endpoint.address)"))
                continue
            }
            do throws(AMQPFailure) {
                let (target, key, type) =
                    request.route == .task
                    ? (exchange, routingKey, Optional(contentType)) : (deadLetterExchange, deadLetterRoutingKey, nil)
                try connection.publish(
                    body: request.body, messageID: request.messageID, exchange: target, routingKey: key,
                    contentType: type, channel: Self.publishChannel)
            } catch {
                // This one may have reached the broker: it is sent again, like the rest, on
                // the next connection.
                publisher.requeue(requests[(index + 1)...])
                republish([request], because: error.message)
                throw error
            }
            outstanding.append(Outstanding(sequence: nextSequence, request: request))
            nextSequence += 1
        }
    }

    private func failExpiredConfirmations(now: ContinuousClock.Instant) {
        // Deadlines grow with sequence, except across reconnections; check every entry.
        guard outstanding.contains(where: { $0.request.deadline <= now }) else { return }
        var kept: Deque<Outstanding> = []
        for entry in outstanding {
            if entry.request.deadline <= now {
                entry.request.continuation.resume(
                    throwing: QueueError(
                        .notConfirmed,
                        "RabbitMQ at \(publisher.endpoint.address) did not confirm the message within "
                            + "\(publisher.options.publishTimeout)"))
            } else {
                kept.append(entry)
            }
        }
        outstanding = kept
    }

    /// Reads every frame available, waiting at most `wait` for the first (or for a caller's
    /// signal). Also services heartbeats.
    private func readFrames(_ connection: AMQPConnection, waitingAtMost wait: Duration) throws(AMQPFailure) {
        if !connection.hasBufferedInput, wait > .zero {
            let readiness = publisher.wake.wait(socket: connection.socketDescriptor, timeout: wait)
            if readiness.signalled { publisher.wake.drain() }
            if readiness.signalled && !readiness.socket { return }
        }
        // A tiny timeout rather than zero: librabbitmq only notices missed heartbeats when
        // the deadline it waits for is not "immediately".
        for _ in 0..<10_000 {
            guard let frame = try connection.readFrame(timeout: .microseconds(1)) else { return }
            try handle(frame, on: connection)
        }
    }

    private func handle(_ frame: amqp_frame_t, on connection: AMQPConnection) throws(AMQPFailure) {
        if let failure = connection.failure(announcedBy: frame) { throw failure }
        guard frame.frame_type == AMQP_FRAME_METHOD, let decoded = frame.payload.method.decoded else { return }
        switch frame.payload.method.id {
        case AMQP_BASIC_ACK_METHOD where frame.channel == Self.publishChannel:
            let ack = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            let confirmed = take(upTo: ack.delivery_tag, multiple: ack.multiple != 0)
            publisher.count { $0.confirmed += confirmed.count }
            if !confirmed.isEmpty { nackBackoff.reset() }
            for entry in confirmed { entry.request.continuation.resume() }
        case AMQP_BASIC_NACK_METHOD where frame.channel == Self.publishChannel:
            // A quorum queue nacks what it could not replicate, during a leader election for
            // instance: like a lost connection, the message is published again, on a new connection.
            let nack = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            let nacked = take(upTo: nack.delivery_tag, multiple: nack.multiple != 0)
            publisher.count { $0.nacked += nacked.count }
            // The channel is replaced too: RabbitMQ 3.10's channel may go on sending to a
            // quorum queue's dead leader and nack everything after. Sending waits a while.
            let reason = "RabbitMQ at \(connection.endpoint.address) nacked \(nacked.count) message(s) (basic.nack)"
            republish(nacked.map(\.request), because: reason)
            holdUntil = .now + nackBackoff.next()
            throw AMQPFailure(isRefusal: false, message: reason + "; publishing again on a new connection")
        case AMQP_CONNECTION_BLOCKED_METHOD:
            let blocked = decoded.assumingMemoryBound(to: amqp_connection_blocked_t.self).pointee
            logger.warning("RabbitMQ blocks publishing", metadata: ["reason": "\(AMQPConnection.string(blocked.reason))"])
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
            logger.info("RabbitMQ unblocked publishing")
        default:
            logger.debug("Ignoring a frame", metadata: ["method": "0x\(String(frame.payload.method.id, radix: 16))"])
        }
    }

    /// Removes the publishes a confirm (`basic.ack` or `basic.nack`) settles.
    private func take(upTo tag: UInt64, multiple: Bool) -> [Outstanding] {
        var settled: [Outstanding] = []
        if multiple {
            while let first = outstanding.first, first.sequence <= tag {
                settled.append(outstanding.removeFirst())
            }
        } else if let index = outstanding.firstIndex(where: { $0.sequence == tag }) {
            settled.append(outstanding.remove(at: index))
        }
        return settled
    }

    // MARK: Commands

    /// Runs a command and resumes its caller, whatever happens; rethrows a failure so that
    /// the connection is replaced.
    private func perform(_ command: AMQPPublisher.Command, on connection: AMQPConnection) throws(AMQPFailure) {
        switch command {
        case .drainDeadLetters(let limit, let continuation):
            var drained: [QueueDelivery] = []
            do throws(AMQPFailure) {
                while drained.count < limit,
                    let message = try connection.get(
                        queue: publisher.options.names.deadLetterQueue, channel: Self.commandChannel)
                {
                    drained.append(
                        QueueDelivery(
                            body: message.body, messageID: message.messageID, redelivered: message.redelivered,
                            deliveryTag: message.deliveryTag))
                }
            } catch {
                // Messages already taken were acknowledged: hand them over rather than lose them.
                if drained.isEmpty {
                    continuation.resume(throwing: error.queueError)
                } else {
                    continuation.resume(returning: drained)
                }
                throw error
            }
            continuation.resume(returning: drained)
        case .deleteTopology(let continuation):
            do throws(AMQPFailure) {
                try connection.deleteTopology(publisher.options.names, channel: Self.commandChannel)
            } catch {
                continuation.resume(throwing: error.queueError)
                throw error
            }
            continuation.resume()
        }
    }
}
