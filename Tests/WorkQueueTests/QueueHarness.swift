import AMQPWorkQueue
import FaafoTestKit
import Foundation
import Testing
import WorkQueue

/// The backends the contract suite runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inMemory
    case rabbitMQ

    var testDescription: String { rawValue }

    /// What the backend needs beyond this process.
    var need: Need? {
        switch self {
        case .inMemory: nil
        case .rabbitMQ: .rabbitMQ
        }
    }

    /// The backends the contract runs on here: those whose server answers (all of them under
    /// FAAFO_REQUIRE_SERVERS, where a missing one fails). A case of a parameterized test cannot
    /// be skipped on its own, so `WorkQueueContractTests.runsOnRabbitMQ` reports RabbitMQ left out.
    static let usable = allCases.filter { $0.need?.runsHere ?? true }

    /// How long to wait before concluding that nothing more will be delivered. RabbitMQ
    /// delivers over a socket, so silence takes a moment to mean something.
    var quietPeriod: Duration {
        switch self {
        case .inMemory: .milliseconds(20)
        case .rabbitMQ: .milliseconds(300)
        }
    }
}

/// The broker the RabbitMQ tests use (`SharedBroker`). The tests that use it say so with
/// `.needs(.rabbitMQ)`, which skips them when it does not answer (or fails them, under
/// FAAFO_REQUIRE_SERVERS); without that, connecting fails the test, naming the URL.
enum TestBroker {
    static var url: String { SharedBroker.url }

    /// A name no other test, run or process uses.
    static func uniqueName() -> String {
        "wqtest-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Options with queue and connection names of this test's own.
    static func options(_ name: String = uniqueName(), heartbeat: Duration = .seconds(10)) -> AMQPWorkQueue.Options {
        AMQPWorkQueue.Options(
            names: .suffixed(name), heartbeat: heartbeat, connectTimeout: .seconds(5),
            publishTimeout: .seconds(10), reconnectDelay: .milliseconds(100),
            maximumReconnectDelay: .seconds(1), connectionName: "faafo \(name)")
    }

    static func connect(_ options: AMQPWorkQueue.Options = options()) async throws -> AMQPWorkQueue {
        do {
            return try await AMQPWorkQueue(url: url, options: options)
        } catch {
            throw Failure(
                "RabbitMQ is required for this test and is not usable at \(url) "
                    + "(start it with scripts/start-rabbitmq, or set FAAFO_TEST_AMQP_URL): \(error)")
        }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body` with a fresh queue of `backend`, then deletes what it created on the broker
/// and shuts the queue down, whether `body` succeeded or not. Fails if `body` takes longer
/// than `limit`.
func withQueue<T: Sendable>(
    _ backend: Backend, options: AMQPWorkQueue.Options = TestBroker.options(), timeLimit: Duration = .seconds(30),
    _ body: @escaping @Sendable (any WorkQueue) async throws -> T
) async throws -> T {
    let queue: any WorkQueue
    let cleanup: @Sendable () async -> Void
    try backend.need?.require()
    switch backend {
    case .inMemory:
        let memory = InMemoryWorkQueue()
        queue = memory
        cleanup = { await memory.shutdown() }
    case .rabbitMQ:
        let amqp = try await TestBroker.connect(options)
        queue = amqp
        cleanup = {
            await deleteTopology(of: amqp)
            await amqp.shutdown()
        }
    }
    do {
        let result = try await within(timeLimit, "the test body") { try await body(queue) }
        await cleanup()
        return result
    } catch {
        await cleanup()
        throw error
    }
}

/// Deletes the queues and exchanges a test declared, through a new connection if the test
/// shut its queue down.
func deleteTopology(of queue: AMQPWorkQueue) async {
    do {
        do {
            try await queue.deleteTopology()
        } catch let error as QueueError where error.code == .closed {
            let cleaner = try await AMQPWorkQueue(endpoint: queue.endpoint, options: queue.options)
            try await cleaner.deleteTopology()
            await cleaner.shutdown()
        }
    } catch {
        Issue.record("Could not delete the test's queues: \(error)")
    }
}

/// The value of `operation`, or `TimedOut` if it takes longer than `limit` (the operation
/// is then cancelled).
func within<T: Sendable>(
    _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimedOut(description: "\(what) took longer than \(limit)")
        }
        return value
    }
}

enum NextOutcome: Sendable {
    case delivery(QueueDelivery)
    case closed
    case nothing
}

/// The next delivery, `.closed` if `next()` returned nil, or `.nothing` after `limit`.
func next(_ consumer: any WorkQueueConsumer, within limit: Duration) async throws -> NextOutcome {
    try await withThrowingTaskGroup(of: NextOutcome?.self) { group in
        group.addTask {
            if let delivery = try await consumer.next() { return .delivery(delivery) }
            return .closed
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        return try await group.next()! ?? .nothing
    }
}

/// The next delivery; fails if none comes within `limit`.
func expectDelivery(
    _ consumer: any WorkQueueConsumer, within limit: Duration = .seconds(5),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> QueueDelivery {
    switch try await next(consumer, within: limit) {
    case .delivery(let delivery): return delivery
    case .closed: throw TimedOut(description: "the consumer closed while a delivery was expected")
    case .nothing: throw TimedOut(description: "no delivery within \(limit)")
    }
}

/// Checks that nothing is delivered during `backend.quietPeriod`.
func expectNothing(
    _ consumer: any WorkQueueConsumer, _ backend: Backend, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let outcome = try await next(consumer, within: backend.quietPeriod)
    if case .delivery(let delivery) = outcome {
        Issue.record(
            "Unexpected delivery: \(String(decoding: delivery.body, as: UTF8.self))", sourceLocation: sourceLocation)
    }
}

/// Dead-lettering is asynchronous on RabbitMQ: drains until `count` messages came or 5 s passed.
func drainDeadLetters(_ queue: any WorkQueue, count: Int) async throws -> [QueueDelivery] {
    var drained: [QueueDelivery] = []
    let deadline = ContinuousClock.now + .seconds(5)
    while drained.count < count, ContinuousClock.now < deadline {
        drained += try await queue.drainDeadLetters(limit: count - drained.count)
        if drained.count < count { try await Task.sleep(for: .milliseconds(20)) }
    }
    return drained
}

func body(_ text: String) -> Data { Data(text.utf8) }

func text(_ delivery: QueueDelivery) -> String { String(decoding: delivery.body, as: UTF8.self) }

/// Whether `operation` throws a `QueueError` with `code`.
func expectQueueError(
    _ code: QueueError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws -> Void
) async {
    do {
        try await operation()
        Issue.record("Expected QueueError(\(code.name)), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as QueueError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("Expected QueueError(\(code.name)), got \(error)", sourceLocation: sourceLocation)
    }
}
