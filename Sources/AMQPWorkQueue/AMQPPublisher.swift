import DequeModule
import Foundation
import Logging
import Synchronization
import WorkQueue

/// The publishing side of an `AMQPWorkQueue`: the queue of work that callers hand to the
/// publisher thread (see `PublisherLoop`), and the continuations they wait on.
final class AMQPPublisher: Sendable {
    /// Where a publish goes.
    enum Route {
        /// The task exchange, with the task routing key, labelled JSON.
        case task
        /// The dead-letter exchange, with the dead-letter queue's routing key, unlabelled: a
        /// copy of a rejected message.
        case deadLetter
    }

    struct Request {
        let id: UInt64
        let body: Data
        let messageID: String?
        let route: Route
        /// After this the caller gets an error rather than waiting longer.
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    enum Command {
        case drainDeadLetters(limit: Int, CheckedContinuation<[QueueDelivery], any Error>)
        case deleteTopology(CheckedContinuation<Void, any Error>)

        func fail(_ error: QueueError) {
            switch self {
            case .drainDeadLetters(_, let continuation): continuation.resume(throwing: error)
            case .deleteTopology(let continuation): continuation.resume(throwing: error)
            }
        }
    }

    struct State {
        var statistics = PublishStatistics()
        var pending: Deque<Request> = []
        var commands: Deque<Command> = []
        var nextRequestID: UInt64 = 1
        var isShuttingDown = false
        var isConnected = false
        /// Why the last connection attempt failed or the last connection was lost.
        var lastFailure: String?
        var startup: CheckedContinuation<Void, any Error>?
        var hasExited = false
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let endpoints: [AMQPEndpoint]
    /// The first broker, for messages about the queue as a whole.
    var endpoint: AMQPEndpoint { endpoints[0] }
    let options: AMQPWorkQueue.Options
    let logger: Logger
    let wake: WakeSignal
    let state = Mutex(State())

    init(endpoints: [AMQPEndpoint], options: AMQPWorkQueue.Options, logger: Logger) throws(QueueError) {
        self.endpoints = endpoints
        self.options = options
        self.logger = logger
        self.wake = try WakeSignal()
    }

    var isShuttingDown: Bool { state.withLock { $0.isShuttingDown } }

    /// Starts the thread and waits for its first connection; throws if that fails.
    func start() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { $0.startup = continuation }
            let thread = Thread { [self] in
                PublisherLoop(publisher: self).run()
            }
            thread.name = "faafo-amqp-publisher"
            thread.start()
        }
    }

    // MARK: Called by users

    func publish(_ body: Data, messageID: String?, route: Route = .task) async throws {
        let deadline = ContinuousClock.now + options.publishTimeout
        let id = state.withLock { state in
            defer { state.nextRequestID += 1 }
            return state.nextRequestID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case queued(signal: Bool), failed(any Error) }
                let outcome = state.withLock { state -> Outcome in
                    if state.isShuttingDown {
                        return .failed(QueueError(.closed, "the work queue on \(endpoint.address) is shut down"))
                    }
                    if Task.isCancelled { return .failed(CancellationError()) }
                    let wasEmpty = state.pending.isEmpty
                    state.pending.append(
                        Request(
                            id: id, body: body, messageID: messageID, route: route, deadline: deadline,
                            continuation: continuation))
                    // The thread takes the whole queue at once; one signal per batch suffices.
                    return .queued(signal: wasEmpty)
                }
                switch outcome {
                case .queued(let signal): if signal { wake.signal() }
                case .failed(let error): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            // Only a publish not yet handed to the thread can be withdrawn.
            let withdrawn = state.withLock { state -> Request? in
                guard let index = state.pending.firstIndex(where: { $0.id == id }) else { return nil }
                return state.pending.remove(at: index)
            }
            withdrawn?.continuation.resume(throwing: CancellationError())
        }
    }

    func drainDeadLetters(limit: Int) async throws -> [QueueDelivery] {
        try await withCheckedThrowingContinuation { continuation in
            submit(.drainDeadLetters(limit: limit, continuation))
        }
    }

    func deleteTopology() async throws {
        try await withCheckedThrowingContinuation { continuation in
            submit(.deleteTopology(continuation))
        }
    }

    private func submit(_ command: Command) {
        let accepted = state.withLock { state in
            guard !state.isShuttingDown else { return false }
            state.commands.append(command)
            return true
        }
        if accepted {
            wake.signal()
        } else {
            command.fail(QueueError(.closed, "the work queue on \(endpoint.address) is shut down"))
        }
    }

    /// New publishes and commands fail with `.closed` from now on.
    func beginShutdown() {
        state.withLock { $0.isShuttingDown = true }
        wake.signal()
    }

    /// Stops the thread, closing the connection, and waits for it to end.
    func shutdown() async {
        beginShutdown()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let hasExited = state.withLock { state in
                if !state.hasExited { state.exitWaiters.append(continuation) }
                return state.hasExited
            }
            if hasExited { continuation.resume() }
        }
    }

    // MARK: Called by the thread

    struct Work {
        var requests: [Request] = []
        var commands: [Command] = []
        var isShuttingDown = false
    }

    func takeWork(limit: Int) -> Work {
        state.withLock { state in
            var work = Work(isShuttingDown: state.isShuttingDown)
            work.commands = Array(state.commands)
            state.commands.removeAll()
            let count = min(limit, state.pending.count)
            work.requests = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return work
        }
    }

    var hasWork: Bool {
        state.withLock { !$0.pending.isEmpty || !$0.commands.isEmpty || $0.isShuttingDown }
    }

    func count(_ change: (inout PublishStatistics) -> Void) {
        state.withLock { change(&$0.statistics) }
    }

    /// Puts requests that could not be sent back at the head of the queue, in order.
    func requeue(_ requests: some Collection<Request>) {
        guard !requests.isEmpty else { return }
        state.withLock { $0.pending.insert(contentsOf: requests, at: 0) }
    }

    func connected() {
        let startup = state.withLock { state in
            state.isConnected = true
            state.lastFailure = nil
            defer { state.startup = nil }
            return state.startup
        }
        startup?.resume()
    }

    /// Returns false if this was the first attempt, which `start()` reports instead of
    /// retrying.
    func disconnected(_ failure: AMQPFailure) -> Bool {
        let startup = state.withLock { state in
            state.isConnected = false
            state.lastFailure = failure.message
            defer { state.startup = nil }
            return state.startup
        }
        startup?.resume(throwing: failure.queueError)
        return startup == nil
    }

    /// While disconnected: fails commands at once, and publishes whose deadline has passed.
    func failWhileDisconnected(now: ContinuousClock.Instant) {
        let (expired, commands, reason) = state.withLock { state in
            var expired: [Request] = []
            state.pending.removeAll { request in
                guard request.deadline <= now else { return false }
                expired.append(request)
                return true
            }
            defer { state.commands.removeAll() }
            return (expired, Array(state.commands), state.lastFailure ?? "not connected")
        }
        let error = QueueError(.unavailable, "not connected to RabbitMQ at \(endpoint.address): \(reason)")
        for request in expired {
            request.continuation.resume(
                throwing: QueueError(
                    .unavailable,
                    "publish not sent within \(options.publishTimeout): not connected to RabbitMQ at "
                        + "\(endpoint.address): \(reason)"))
        }
        for command in commands { command.fail(error) }
    }

    /// The thread is ending: fails whatever is left and wakes `shutdown()`.
    func exited() {
        let (pending, commands, waiters, startup) = state.withLock { state in
            state.isShuttingDown = true
            state.isConnected = false
            state.hasExited = true
            defer {
                state.pending.removeAll()
                state.commands.removeAll()
                state.exitWaiters.removeAll()
                state.startup = nil
            }
            return (state.pending, state.commands, state.exitWaiters, state.startup)
        }
        let closed = QueueError(.closed, "the work queue on \(endpoint.address) is shut down")
        for request in pending { request.continuation.resume(throwing: closed) }
        for command in commands { command.fail(closed) }
        startup?.resume(throwing: closed)
        for waiter in waiters { waiter.resume() }
    }
}
