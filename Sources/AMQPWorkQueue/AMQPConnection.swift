import CRabbitMQ
import Foundation
import WorkQueue

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure on one connection: librabbitmq's, the network's, or the broker closing a
/// channel or the connection.
struct AMQPFailure: Error, CustomStringConvertible {
    /// True when the broker refused an operation (it closed the channel or connection with a
    /// reply code such as 406 PRECONDITION_FAILED) rather than the network or library failing.
    var isRefusal: Bool
    var message: String

    var description: String { message }

    var queueError: QueueError {
        QueueError(isRefusal ? .refused : .unavailable, message)
    }
}

/// A message as it arrives on a consumer's channel.
struct AMQPIncomingMessage {
    var body: Data
    var messageID: String?
    var contentType: String?
    /// 2 for persistent, 1 (or nil) for transient.
    var deliveryMode: UInt8?
    var redelivered: Bool
    var deliveryTag: UInt64

    init(message: amqp_message_t, redelivered: Bool, deliveryTag: UInt64) {
        let properties = message.properties
        func has(_ flag: Int32) -> Bool { properties._flags & amqp_flags_t(flag) != 0 }
        body = AMQPConnection.data(message.body)
        messageID = has(AMQP_BASIC_MESSAGE_ID_FLAG) ? AMQPConnection.string(properties.message_id) : nil
        contentType = has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? AMQPConnection.string(properties.content_type) : nil
        deliveryMode = has(AMQP_BASIC_DELIVERY_MODE_FLAG) ? properties.delivery_mode : nil
        self.redelivered = redelivered
        self.deliveryTag = deliveryTag
    }
}

/// One librabbitmq connection. Not thread-safe: only the thread that opened it may use it,
/// which is why every connection in this module has a thread of its own.
///
/// Every failure is thrown as an `AMQPFailure` whose message names the broker's address and
/// librabbitmq's error string or the broker's close reason. The connection is destroyed
/// (socket closed) when the object is released; call `close()` first to close it politely.
final class AMQPConnection {
    let state: amqp_connection_state_t
    let endpoint: AMQPEndpoint
    /// The name the broker shows for this connection (`connection_name` in `rabbitmqctl
    /// list_connections client_properties`).
    let name: String

    private init(state: amqp_connection_state_t, endpoint: AMQPEndpoint, name: String) {
        self.state = state
        self.endpoint = endpoint
        self.name = name
    }

    deinit {
        amqp_destroy_connection(state)
    }

    /// Opens a socket (over TLS for an `amqps://` endpoint, verifying the broker's certificate
    /// and host name) and logs in. `timeout` bounds the TCP connect, the TLS and AMQP
    /// handshakes, and each later synchronous operation (declare, qos, get, close).
    static func open(
        endpoint: AMQPEndpoint, tls: TLSFiles = TLSFiles(), name: String, heartbeat: Duration, timeout: Duration
    ) throws(AMQPFailure) -> AMQPConnection {
        guard let state = amqp_new_connection() else {
            throw AMQPFailure(isRefusal: false, message: "librabbitmq could not allocate a connection")
        }
        let connection = AMQPConnection(state: state, endpoint: endpoint, name: name)
        let socket = try endpoint.usesTLS ? tlsSocket(state, endpoint: endpoint, tls: tls) : amqp_tcp_socket_new(state)
        guard let socket else {
            throw AMQPFailure(isRefusal: false, message: "librabbitmq could not create a TCP socket")
        }
        var limit = timeval(timeout)
        _ = faafo_tls_last_error(nil, 0)
        let status = amqp_socket_open_noblock(socket, endpoint.host, Int32(endpoint.port), &limit)
        let socketErrno = errno
        guard status == AMQP_STATUS_OK.rawValue else {
            throw AMQPFailure(
                isRefusal: false,
                message: endpoint.usesTLS
                    ? tlsFailure(status: status, endpoint: endpoint, tls: tls)
                    : "cannot connect to RabbitMQ at \(endpoint.address): "
                        + Self.describe(status: status, errno: socketErrno)
                        + " (is the broker running and listening there?)")
        }
        amqp_set_handshake_timeout(state, &limit)
        amqp_set_rpc_timeout(state, &limit)

        let heartbeatSeconds = heartbeat <= .zero ? 0 : Int32(clamping: heartbeat.wholeSecondsRoundedUp)
        let arena = CArena()
        var properties = arena.table([("connection_name", name), ("product", "faafo")])
        let reply = faafo_amqp_login_plain(
            state, endpoint.virtualHost, 0, 131_072, heartbeatSeconds, &properties, endpoint.user,
            endpoint.password)
        try connection.check(reply, "logging in to \(endpoint) as '\(endpoint.user)'")
        withExtendedLifetime(arena) {}
        return connection
    }

    /// A TLS socket that verifies the broker's certificate against the CA file and its host
    /// name, presenting the client certificate if there is one.
    private static func tlsSocket(
        _ state: amqp_connection_state_t, endpoint: AMQPEndpoint, tls: TLSFiles
    ) throws(AMQPFailure) -> OpaquePointer? {
        func unusable(_ what: String, _ option: String, _ path: String) -> AMQPFailure {
            AMQPFailure(
                isRefusal: false,
                message: "cannot connect to RabbitMQ at \(endpoint.address) over TLS: \(what) '\(path)' (\(option)) "
                    + (FileManager.default.isReadableFile(atPath: path)
                        ? "is not a PEM file OpenSSL can load" : "does not exist or cannot be read"))
        }
        guard let socket = amqp_ssl_socket_new(state) else {
            throw AMQPFailure(isRefusal: false, message: "librabbitmq could not create a TLS socket")
        }
        amqp_ssl_socket_set_verify_peer(socket, 1)
        amqp_ssl_socket_set_verify_hostname(socket, 1)
        guard amqp_ssl_socket_set_cacert(socket, tls.effectiveCAFile) == AMQP_STATUS_OK.rawValue else {
            throw unusable("the CA file", tls.caFile == nil ? "no amqp_ca_file given: the system's" : "amqp_ca_file", tls.effectiveCAFile)
        }
        switch (tls.certFile, tls.keyFile) {
        case (nil, nil):
            break
        case (let cert?, let key?):
            guard amqp_ssl_socket_set_key(socket, cert, key) == AMQP_STATUS_OK.rawValue else {
                let certOK = FileManager.default.isReadableFile(atPath: cert)
                throw certOK
                    ? unusable("the client key (or it does not match amqp_cert_file)", "amqp_key_file", key)
                    : unusable("the client certificate", "amqp_cert_file", cert)
            }
        default:
            throw AMQPFailure(
                isRefusal: false,
                message: "a client certificate needs both amqp_cert_file and amqp_key_file; only one is set")
        }
        return socket
    }

    /// Why a TLS connection failed, in words naming the option to look at.
    private static func tlsFailure(status: Int32, endpoint: AMQPEndpoint, tls: TLSFiles) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let reason =
            faafo_tls_last_error(&buffer, buffer.count) != 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let prefix = "cannot connect to RabbitMQ at \(endpoint.address) over TLS (amqps://): "
        switch status {
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue:
            return prefix + "the broker's certificate does not verify against \(tls.caFileDescription)"
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue:
            return prefix + "the broker's certificate is not for the host name '\(endpoint.host)' of transport_url"
        case AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue, AMQP_STATUS_SSL_ERROR.rawValue:
            let lower = reason.lowercased()
            if lower.contains("certificate verify failed") || lower.contains("unknown ca") {
                return prefix + "the broker's certificate does not verify against \(tls.caFileDescription) (\(reason))"
            }
            if lower.contains("wrong version number") || lower.contains("packet length too long")
                || lower.contains("unexpected eof") || lower.contains("record layer failure") || reason.isEmpty
            {
                return prefix + "the TLS handshake failed\(reason.isEmpty ? "" : " (\(reason))"): is port "
                    + "\(endpoint.port) RabbitMQ's TLS listener (usually 5671)? A plain AMQP port needs amqp://"
            }
            return prefix + "the TLS handshake failed (\(reason))"
        default:
            return prefix + Self.describe(status: status, errno: nil)
                + " (is the broker running and listening there?)"
        }
    }

    /// Closes the connection politely (the broker requeues every unacknowledged delivery),
    /// waiting at most `timeout` for the broker's reply. Errors are ignored: the socket
    /// closes when the object is released either way.
    func close(timeout: Duration) {
        var limit = timeval(timeout)
        amqp_set_rpc_timeout(state, &limit)
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
    }

    var socketDescriptor: Int32 { amqp_get_sockfd(state) }

    /// True when librabbitmq holds received data or frames that poll(2) on the socket would
    /// not report.
    var hasBufferedInput: Bool {
        amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0
    }

    /// Frees memory of frames already handled. Call once nothing read refers to it.
    func releaseBuffers() {
        amqp_maybe_release_buffers(state)
    }

    // MARK: Topology

    func openChannel(_ channel: amqp_channel_t) throws(AMQPFailure) {
        amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "opening channel \(channel)")
    }

    /// Declares both exchanges and both queues, and binds them; idempotent.
    ///
    /// With `type` `.classic`, everything is declared as the original faafo's kombu declares
    /// it: durable direct exchanges, durable queues with no arguments, so that the original's
    /// services and ours start in either order. Rejected messages reach the dead-letter queue
    /// because the consumer copies them there (see `AMQPWorkQueueConsumer.reject`), not through
    /// a queue argument, which kombu's declaration would refuse. A task queue that already
    /// exists with other arguments (an earlier faafo's dead-lettering ones, or a quorum queue)
    /// is used as it is: the answer is a note saying so.
    ///
    /// With `.quorum`, both queues are declared `x-queue-type: quorum`; a queue that exists as
    /// a classic one cannot become one, and the refusal says so, naming `queue_type`.
    @discardableResult
    func declare(_ names: QueueNames, type: QueueType = .classic, channel: amqp_channel_t) throws(AMQPFailure) -> String? {
        let arena = CArena()
        let direct = arena.bytes("direct")
        for exchange in [names.deadLetterExchange, names.exchange] {
            amqp_exchange_declare(state, channel, arena.bytes(exchange), direct, 0, 1, 0, 0, amqp_empty_table)
            try check(amqp_get_rpc_reply(state), "declaring exchange '\(exchange)'")
        }
        // A dead-letter queue of another type is used as it is too; only the task queue's note matters.
        _ = try declareQueue(names.deadLetterQueue, type: type, channel: channel, arena: arena)
        amqp_queue_bind(
            state, channel, arena.bytes(names.deadLetterQueue), arena.bytes(names.deadLetterExchange),
            arena.bytes(names.deadLetterQueue), amqp_empty_table)
        try check(
            amqp_get_rpc_reply(state),
            "binding queue '\(names.deadLetterQueue)' to exchange '\(names.deadLetterExchange)'")

        let note = try declareQueue(names.queue, type: type, channel: channel, arena: arena)
        amqp_queue_bind(
            state, channel, arena.bytes(names.queue), arena.bytes(names.exchange), arena.bytes(names.routingKey),
            amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "binding queue '\(names.queue)' to exchange '\(names.exchange)'")
        withExtendedLifetime(arena) {}
        return note
    }

    /// Declares one durable queue of `type`. A classic declaration that RabbitMQ refuses
    /// because the queue exists with other arguments takes the queue as it is, returning a note.
    private func declareQueue(
        _ queue: String, type: QueueType, channel: amqp_channel_t, arena: CArena
    ) throws(AMQPFailure) -> String? {
        let arguments = type == .quorum ? arena.table([("x-queue-type", "quorum")]) : amqp_empty_table
        amqp_queue_declare(state, channel, arena.bytes(queue), 0, 1, 0, 0, arguments)
        let reply = amqp_get_rpc_reply(state)
        guard let refusal = channelClose(in: reply), refusal.code == 406 else {
            try check(reply, "declaring queue '\(queue)'")
            return nil
        }
        if type == .quorum {
            throw AMQPFailure(
                isRefusal: true,
                message: "queue_type = quorum, but queue '\(queue)' exists on RabbitMQ at \(endpoint.address) as "
                    + "another type of queue (\(refusal.text)); a queue cannot change type: set queue_type = classic, "
                    + "or delete the queue (rabbitmqctl delete_queue \(queue), losing its messages) to let it be "
                    + "declared again as a quorum queue")
        }
        // PRECONDITION_FAILED closed the channel: reopen it and take the queue as it is.
        var closeOK = amqp_channel_close_ok_t()
        _ = amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOK)
        try openChannel(channel)
        amqp_queue_declare(state, channel, arena.bytes(queue), 1, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "declaring queue '\(queue)' passively")
        return "queue '\(queue)' exists with arguments other than the original faafo's (\(refusal.text)); "
            + "using it as it is (set queue_type = quorum if it is a quorum queue). The original's kombu "
            + "services cannot declare it: delete it once (rabbitmqctl delete_queue \(queue)) to let both declare it"
    }

    /// The broker's reply code and text when `reply` is a channel.close, else nil.
    private func channelClose(in reply: amqp_rpc_reply_t) -> (code: UInt16, text: String)? {
        guard reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION, reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD,
            let decoded = reply.reply.decoded
        else { return nil }
        let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
        return (close.reply_code, Self.string(close.reply_text))
    }

    /// Deletes both queues (with any messages in them) and both exchanges.
    func deleteTopology(_ names: QueueNames, channel: amqp_channel_t) throws(AMQPFailure) {
        let arena = CArena()
        for queue in [names.queue, names.deadLetterQueue] {
            amqp_queue_delete(state, channel, arena.bytes(queue), 0, 0)
            try check(amqp_get_rpc_reply(state), "deleting queue '\(queue)'")
        }
        for exchange in [names.exchange, names.deadLetterExchange] {
            amqp_exchange_delete(state, channel, arena.bytes(exchange), 0)
            try check(amqp_get_rpc_reply(state), "deleting exchange '\(exchange)'")
        }
        withExtendedLifetime(arena) {}
    }

    // MARK: Publishing

    func confirmSelect(channel: amqp_channel_t) throws(AMQPFailure) {
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "enabling publisher confirms on channel \(channel)")
    }

    /// Sends one persistent message, labelled `contentType` when there is one (a
    /// dead-lettered copy has none: its body may be anything). `exchange`, `routingKey` and
    /// `contentType` must stay valid during the call.
    func publish(
        body: Data, messageID: String?, exchange: amqp_bytes_t, routingKey: amqp_bytes_t,
        contentType: amqp_bytes_t?, channel: amqp_channel_t
    ) throws(AMQPFailure) {
        var properties = amqp_basic_properties_t()
        properties._flags = amqp_flags_t(AMQP_BASIC_DELIVERY_MODE_FLAG)
        properties.delivery_mode = 2  // persistent
        if let contentType {
            properties._flags |= amqp_flags_t(AMQP_BASIC_CONTENT_TYPE_FLAG)
            properties.content_type = contentType
        }
        if messageID != nil { properties._flags |= amqp_flags_t(AMQP_BASIC_MESSAGE_ID_FLAG) }
        var messageID = messageID ?? ""
        let status = messageID.withUTF8 { id in
            properties.message_id = amqp_bytes_t(len: id.count, bytes: UnsafeMutableRawPointer(mutating: id.baseAddress))
            return body.withUnsafeBytes { body in
                amqp_basic_publish(
                    state, channel, exchange, routingKey, 0, 0, &properties,
                    amqp_bytes_t(len: body.count, bytes: UnsafeMutableRawPointer(mutating: body.baseAddress)))
            }
        }
        guard status == AMQP_STATUS_OK.rawValue else {
            throw failure(status: status, while: "publishing")
        }
    }

    // MARK: Consuming

    func qos(prefetch: Int, channel: amqp_channel_t) throws(AMQPFailure) {
        amqp_basic_qos(state, channel, 0, UInt16(clamping: prefetch), 0)
        try check(amqp_get_rpc_reply(state), "setting prefetch \(prefetch) on channel \(channel)")
    }

    func consume(queue: String, channel: amqp_channel_t) throws(AMQPFailure) {
        let arena = CArena()
        amqp_basic_consume(state, channel, arena.bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "consuming from queue '\(queue)'")
        withExtendedLifetime(arena) {}
    }

    enum Incoming {
        case delivery(AMQPIncomingMessage)
        /// A frame that is not a delivery (a confirm, a close, a cancel…).
        case frame(amqp_frame_t)
    }

    /// The next delivery or other frame, or nil if nothing complete arrives within `timeout`.
    /// Also sends heartbeats when due, and fails if the broker's heartbeats stopped.
    func receive(timeout: Duration) throws(AMQPFailure) -> Incoming? {
        var envelope = amqp_envelope_t()
        var limit = timeval(timeout)
        let reply = amqp_consume_message(state, &envelope, &limit, 0)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            defer { amqp_destroy_envelope(&envelope) }
            return .delivery(
                AMQPIncomingMessage(
                    message: envelope.message, redelivered: envelope.redelivered != 0,
                    deliveryTag: envelope.delivery_tag))
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_TIMEOUT.rawValue:
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue:
            // A frame other than basic.deliver arrived; librabbitmq put it back for us to read.
            var frame = amqp_frame_t()
            let status = amqp_simple_wait_frame(state, &frame)
            guard status == AMQP_STATUS_OK.rawValue else { throw failure(status: status, while: "reading") }
            return .frame(frame)
        default:
            try check(reply, "receiving")
            return nil
        }
    }

    /// The next frame, or nil if none arrives within `timeout`. Sends heartbeats when due.
    func readFrame(timeout: Duration) throws(AMQPFailure) -> amqp_frame_t? {
        var frame = amqp_frame_t()
        var limit = timeval(timeout)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &limit)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        guard status == AMQP_STATUS_OK.rawValue else { throw failure(status: status, while: "reading") }
        return frame
    }

    func ack(_ deliveryTag: UInt64, channel: amqp_channel_t) throws(AMQPFailure) {
        let status = amqp_basic_ack(state, channel, deliveryTag, 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw failure(status: status, while: "acknowledging") }
    }

    func reject(_ deliveryTag: UInt64, requeue: Bool, channel: amqp_channel_t) throws(AMQPFailure) {
        let status = amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw failure(status: status, while: "rejecting") }
    }

    /// basic.get with acknowledgement: the oldest message of `queue`, or nil if it is empty.
    /// The message is acknowledged before this returns.
    func get(queue: String, channel: amqp_channel_t) throws(AMQPFailure) -> AMQPIncomingMessage? {
        let arena = CArena()
        let reply = amqp_basic_get(state, channel, arena.bytes(queue), 0)
        withExtendedLifetime(arena) {}
        try check(reply, "getting a message from queue '\(queue)'")
        if reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD { return nil }
        guard reply.reply.id == AMQP_BASIC_GET_OK_METHOD, let decoded = reply.reply.decoded else {
            throw AMQPFailure(
                isRefusal: false,
                message: "getting a message from queue '\(queue)' on \(endpoint.address): unexpected reply "
                    + "method 0x\(String(reply.reply.id, radix: 16))")
        }
        let getOK = decoded.assumingMemoryBound(to: amqp_basic_get_ok_t.self).pointee
        var message = amqp_message_t()
        try check(amqp_read_message(state, channel, &message, 0), "reading a message from queue '\(queue)'")
        defer { amqp_destroy_message(&message) }
        let incoming = AMQPIncomingMessage(
            message: message, redelivered: getOK.redelivered != 0, deliveryTag: getOK.delivery_tag)
        try ack(getOK.delivery_tag, channel: channel)
        return incoming
    }

    // MARK: Frames and errors

    /// The failure a frame announces, if it is the broker closing a channel or the
    /// connection, or cancelling a consumer. Answers a connection.close with close-ok.
    func failure(announcedBy frame: amqp_frame_t) -> AMQPFailure? {
        guard frame.frame_type == AMQP_FRAME_METHOD else { return nil }
        let method = frame.payload.method
        switch method.id {
        case AMQP_CONNECTION_CLOSE_METHOD, AMQP_CHANNEL_CLOSE_METHOD:
            answerClose(method, channel: frame.channel)
            return AMQPFailure(isRefusal: true, message: describeClose(method))
        case AMQP_BASIC_CANCEL_METHOD:
            return AMQPFailure(
                isRefusal: false,
                message: "RabbitMQ at \(endpoint.address) cancelled the consumer (was its queue deleted?)")
        default:
            return nil
        }
    }

    /// Throws if `reply` is not a normal reply, with the broker's close reason or
    /// librabbitmq's error string.
    func check(_ reply: amqp_rpc_reply_t, _ context: @autoclosure () -> String) throws(AMQPFailure) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw failure(status: reply.library_error, while: context())
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            answerClose(reply.reply, channel: nil)
            throw AMQPFailure(isRefusal: true, message: "\(context()): \(describeClose(reply.reply))")
        default:
            throw AMQPFailure(
                isRefusal: false, message: "\(context()) on \(endpoint.address): librabbitmq returned no reply")
        }
    }

    private func failure(status: Int32, while context: String) -> AMQPFailure {
        AMQPFailure(
            isRefusal: false,
            message: "\(context) on RabbitMQ at \(endpoint.address): \(Self.describe(status: status, errno: nil))")
    }

    private func describeClose(_ method: amqp_method_t) -> String {
        switch method.id {
        case AMQP_CONNECTION_CLOSE_METHOD:
            guard let decoded = method.decoded else { break }
            let close = decoded.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            return "RabbitMQ at \(endpoint.address) closed the connection: \(close.reply_code) "
                + Self.string(close.reply_text)
        case AMQP_CHANNEL_CLOSE_METHOD:
            guard let decoded = method.decoded else { break }
            let close = decoded.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            return "RabbitMQ at \(endpoint.address) closed the channel: \(close.reply_code) "
                + Self.string(close.reply_text)
        default:
            break
        }
        return "RabbitMQ at \(endpoint.address) replied with method 0x\(String(method.id, radix: 16))"
    }

    /// Acknowledges the broker's connection.close so that it frees the connection at once.
    /// (A closed channel needs nothing: the connection is replaced after any failure.)
    private func answerClose(_ method: amqp_method_t, channel: amqp_channel_t?) {
        if method.id == AMQP_CONNECTION_CLOSE_METHOD {
            var closeOK = amqp_connection_close_ok_t()
            _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOK)
        }
    }

    static func describe(status: Int32, errno: Int32?) -> String {
        var text = String(cString: amqp_error_string2(status))
        // librabbitmq connects without blocking and does not pass the socket's error on, so
        // errno is often just EINPROGRESS: only a more specific one says anything.
        if let errno, errno != 0, errno != EINPROGRESS, errno != EAGAIN,
            status == AMQP_STATUS_SOCKET_ERROR.rawValue || status == AMQP_STATUS_TCP_ERROR.rawValue
        {
            text += " (\(String(cString: strerror(errno))))"
        }
        return text
    }

    static func data(_ bytes: amqp_bytes_t) -> Data {
        guard let pointer = bytes.bytes, bytes.len > 0 else { return Data() }
        return Data(bytes: pointer, count: bytes.len)
    }

    static func string(_ bytes: amqp_bytes_t) -> String {
        guard let pointer = bytes.bytes, bytes.len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: bytes.len), as: UTF8.self)
    }
}

/// C strings and tables that live as long as the arena, for librabbitmq calls that take
/// `amqp_bytes_t` or `amqp_table_t` pointing at memory the caller owns.
final class CArena {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var entries: [UnsafeMutablePointer<amqp_table_entry_t>] = []

    deinit {
        strings.forEach { free($0) }
        entries.forEach { $0.deallocate() }
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        let copy = strdup(string)!
        strings.append(copy)
        return amqp_bytes_t(len: strlen(copy), bytes: UnsafeMutableRawPointer(copy))
    }

    /// A table of UTF-8 string values.
    func table(_ pairs: [(key: String, value: String)]) -> amqp_table_t {
        let buffer = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: max(1, pairs.count))
        entries.append(buffer)
        for (index, pair) in pairs.enumerated() {
            var value = amqp_field_value_t()
            value.kind = UInt8(truncatingIfNeeded: AMQP_FIELD_KIND_UTF8.rawValue)
            value.value.bytes = bytes(pair.value)
            (buffer + index).initialize(to: amqp_table_entry_t(key: bytes(pair.key), value: value))
        }
        return amqp_table_t(num_entries: Int32(pairs.count), entries: buffer)
    }
}

extension timeval {
    init(_ duration: Duration) {
        let duration = max(duration, .zero)
        let (seconds, attoseconds) = duration.components
        self.init(
            tv_sec: .init(truncatingIfNeeded: seconds),
            tv_usec: .init(truncatingIfNeeded: attoseconds / 1_000_000_000_000))
    }
}

extension Duration {
    var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return attoseconds > 0 ? seconds + 1 : seconds
    }

    var millisecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        let whole = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return attoseconds % 1_000_000_000_000_000 > 0 ? whole + 1 : whole
    }
}
