import AMQPWorkQueue
import FaafoTestKit
import Foundation
import Synchronization
import Testing
import WorkQueue

/// Prints throughput figures against the local RabbitMQ. Off by default (it asserts nothing
/// about timing and takes a while); run with
/// `FAAFO_QUEUE_BENCHMARK=1 swift test --filter WorkQueueThroughput`.
@Suite(
    "WorkQueueThroughput", .serialized, .tags(.benchmark, .rabbitMQ),
    .needs(.benchmarkRun("FAAFO_QUEUE_BENCHMARK"), .rabbitMQ))
struct WorkQueueThroughputTests {
    static var messageCount: Int {
        ProcessInfo.processInfo.environment["FAAFO_QUEUE_BENCHMARK_COUNT"].flatMap(Int.init) ?? 20_000
    }

    static let sampleBody = body(
        #"{"uuid": "8c1bdf2e-7d4b-4c1a-9b7e-1f2a3b4c5d6e", "width": 1024, "height": 768, "iterations": 256, "#
            + #""xa": -2.5, "xb": 1.5, "ya": -1.5, "yb": 1.5, "cx": -0.8, "cy": 0.156, "seed": 42}"#)

    /// Confirmed persistent publishes per second, with `concurrency` callers publishing at once.
    @Test(arguments: [1, 100, 1_000])
    func confirmedPublishes(concurrency: Int) async throws {
        let count = concurrency == 1 ? min(2_000, Self.messageCount) : Self.messageCount
        try await withQueue(.rabbitMQ, timeLimit: .seconds(600)) { queue in
            let start = ContinuousClock.now
            try await Self.publish(count, to: queue, concurrency: concurrency)
            let elapsed = ContinuousClock.now - start
            print(Self.line("confirmed publishes, \(concurrency) concurrent callers", count, elapsed))
        }
    }

    /// Publish, consume and acknowledge: messages per second from the first publish to the
    /// last acknowledgement, with `consumers` consumers of prefetch 50 running meanwhile.
    @Test(arguments: [1, 4])
    func publishConsumeAck(consumers: Int) async throws {
        let count = Self.messageCount
        try await withQueue(.rabbitMQ, timeLimit: .seconds(600)) { queue in
            let start = ContinuousClock.now
            let made = try await (0..<consumers).asyncMap { _ in try await queue.makeConsumer(prefetch: 50) }
            let acked = Counter(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for consumer in made {
                    group.addTask {
                        while let delivery = try await consumer.next() {
                            try await consumer.ack(delivery)
                            if acked.increment() == count {
                                for each in made { await each.close() }
                            }
                        }
                    }
                }
                group.addTask { try await Self.publish(count, to: queue, concurrency: 500) }
                try await group.waitForAll()
            }
            #expect(acked.value == count)
            let elapsed = ContinuousClock.now - start
            print(Self.line("publish + consume + ack, \(consumers) consumer(s)", count, elapsed))
        }
    }

    static func publish(_ count: Int, to queue: any WorkQueue, concurrency: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func addOne() {
                let index = next
                next += 1
                group.addTask { try await queue.publish(sampleBody, messageID: "bench-\(index)") }
            }
            while next < min(concurrency, count) { addOne() }
            for try await _ in group where next < count { addOne() }
        }
    }

    static func line(_ what: String, _ count: Int, _ elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return "THROUGHPUT \(what): \(count) messages in \(String(format: "%.2f", seconds)) s = "
            + "\(Int((Double(count) / seconds).rounded())) msg/s"
    }
}

/// A number shared by concurrent tasks.
final class Counter: Sendable {
    private let count: Mutex<Int>
    init(_ initial: Int) { count = Mutex(initial) }
    var value: Int { count.withLock { $0 } }
    /// Adds one and returns the new value.
    func increment() -> Int {
        count.withLock { value in
            value += 1
            return value
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
