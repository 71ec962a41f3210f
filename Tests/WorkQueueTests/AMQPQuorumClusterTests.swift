@testable import AMQPWorkQueue
import FaafoTestKit
import HostLab
import Foundation
import Synchronization
import Testing
import WorkQueue

/// A quorum task queue on a three-node cluster of the test's own, named by one transport URL.
@Suite("AMQP on a three-node cluster", .tags(.ownBrokerNodes), .needs(.ownBrokerNodes), .ownRabbitMQ(nodes: 3))
struct AMQPQuorumClusterTests {
    /// What the publishing and consuming sides saw, for the checks and the report.
    struct Tally: Sendable {
        var published: [String] = []
        var publishFailures = 0
        var acked: Set<String> = []
        var acks = 0
        var lostAcks = 0
        var redeliveries = 0
        var killedAt: ContinuousClock.Instant?
        var firstConfirmAfterKill: ContinuousClock.Instant?
    }

    final class TallyBox: Sendable {
        let state = Mutex(Tally())
    }

    /// The node holding the queue's leader, from `rabbitmqctl list_queues name leader`.
    static func leader(of queue: String, in rabbit: TestRabbitMQ) async throws -> Int {
        let listing = try await rabbit.rabbitmqctl(1, ["list_queues", "--no-table-headers", "name", "leader"])
        let line = try #require(listing.split(separator: "\n").first { $0.hasPrefix(queue + "\t") }, "\(listing)")
        let leader = String(line.split(separator: "\t").last ?? "")
        return try #require(rabbit.nodes.firstIndex { $0.name == leader }, "leader '\(leader)' is no node of the test")
    }

    @Test func everyConfirmedTaskIsDeliveredWhenTheLeadersNodeIsKilledMidBatch() async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        var options = TestBroker.options()
        options.queueType = .quorum
        options.connectTimeout = .seconds(3)
        options.publishTimeout = .seconds(20)
        options.heartbeat = .seconds(2)
        let names = options.names
        let queue = try await AMQPWorkQueue(url: rabbit.clusterURL, options: options)
        let consumer = try await queue.makeConsumer(prefetch: 10)
        let leader = try await Self.leader(of: names.queue, in: rabbit)
        let total = 300
        let killAfter = 100
        let tally = TallyBox()

        try await within(.seconds(120), "the batch") {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Publishes, ten at a time; a publish that throws is tried again, as the API's outbox would.
                group.addTask {
                    for start in stride(from: 0, to: total, by: 10) {
                        try await withThrowingTaskGroup(of: Void.self) { batch in
                            for index in start..<min(start + 10, total) {
                                batch.addTask {
                                    let id = "task-\(index)"
                                    for attempt in 1...10 {
                                        do {
                                            try await queue.publish(body(id), messageID: id)
                                            tally.state.withLock { t in
                                                t.published.append(id)
                                                if let killed = t.killedAt, t.firstConfirmAfterKill == nil, killed < .now {
                                                    t.firstConfirmAfterKill = .now
                                                }
                                            }
                                            return
                                        } catch is QueueError where attempt < 10 {
                                            tally.state.withLock { $0.publishFailures += 1 }
                                            try await Task.sleep(for: .milliseconds(200))
                                        }
                                    }
                                }
                            }
                            try await batch.waitForAll()
                        }
                        if start + 10 == killAfter {
                            try await rabbit.kill(leader)
                            tally.state.withLock { $0.killedAt = .now }
                        }
                    }
                }
                // Progress, for a run that hangs.
                group.addTask {
                    while true {
                        try await Task.sleep(for: .seconds(10))
                        let t = tally.state.withLock { $0 }
                        let missing = Set(t.published).subtracting(t.acked).sorted().prefix(5)
                        print(
                            "progress: published \(t.published.count), acked \(t.acked.count), failures \(t.publishFailures), "
                                + "stats \(queue.publishStatistics), missing \(Array(missing))")
                        if t.published.count == total && Set(t.published).isSubset(of: t.acked) { return }
                    }
                }
                // Consumes until every confirmed task has been acknowledged.
                group.addTask {
                    while true {
                        try Task.checkCancellation()
                        let done = tally.state.withLock { t in
                            t.published.count == total && Set(t.published).isSubset(of: t.acked)
                        }
                        if done { return }
                        guard case .delivery(let delivery) = try await next(consumer, within: .seconds(1)) else { continue }
                        let id = delivery.messageID ?? ""
                        if delivery.redelivered { tally.state.withLock { $0.redeliveries += 1 } }
                        do {
                            try await consumer.ack(delivery)
                            tally.state.withLock { t in
                                t.acks += 1
                                t.acked.insert(id)
                            }
                        } catch let error as QueueError where error.code == .unknownDelivery {
                            // Its connection died with the node: the broker delivers it again.
                            tally.state.withLock { $0.lostAcks += 1 }
                        }
                    }
                }
                // The first to throw ends the others.
                for _ in 0..<3 { try await group.next() }
            }
        }

        let result = tally.state.withLock { $0 }
        let statistics = queue.publishStatistics
        #expect(Set(result.published).count == total)
        #expect(Set(result.published).isSubset(of: result.acked))
        // Every publish that returned had its own confirm; a nack or a lost connection never did.
        #expect(statistics.confirmed == result.published.count)
        #expect(queue.isConnected)
        let afterKill = result.killedAt.flatMap { killed in result.firstConfirmAfterKill.map { $0 - killed } }
        print(
            "quorum leader kill: node \(rabbit.nodes[leader].name), \(total) tasks; confirmed \(statistics.confirmed), "
                + "nacked \(statistics.nacked), republished \(statistics.republished), publish calls failed "
                + "\(result.publishFailures); acks \(result.acks), acks lost with the connection \(result.lostAcks), "
                + "redeliveries \(result.redeliveries); first confirm \(afterKill.map { "\($0)" } ?? "?") after the SIGKILL")
        await consumer.close()
        await queue.shutdown()
    }
}
