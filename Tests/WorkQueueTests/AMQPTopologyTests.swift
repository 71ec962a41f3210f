@testable import AMQPWorkQueue
import CRabbitMQ
import FaafoTestKit
import Foundation
import Testing
import WorkQueue

/// The topology is the original faafo's (queues with no arguments), and dead-lettering
/// works without a queue argument, whoever declared the queue first.
@Suite("AMQP topology", .tags(.rabbitMQ), .needs(.rabbitMQ))
struct AMQPTopologyTests {
    /// `name arguments` of every queue on the broker's `/` virtual host.
    static func queueArguments() async throws -> [String: String] {
        let lines = try await Broker.run(["list_queues", "-q", "--no-table-headers", "name", "arguments"])
        var arguments: [String: String] = [:]
        for line in lines.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if fields.count == 2 { arguments[fields[0]] = fields[1] }
        }
        return arguments
    }

    @Test func aRejectedMessageIsCopiedToTheDeadLetterQueueAndLeavesTheTaskQueue() async throws {
        try await withQueue(.rabbitMQ) { queue in
            try await queue.publish(Data("poison".utf8), messageID: "p-1")
            let consumer = try await queue.makeConsumer(prefetch: 1)
            let delivery = try await expectDelivery(consumer)
            try await consumer.reject(delivery, requeue: false)
            await expectQueueError(.unknownDelivery) { try await consumer.ack(delivery) }
            let dead = try await queue.drainDeadLetters(limit: 10)
            #expect(dead.map(\.messageID) == ["p-1"])
            #expect(dead.first?.body == Data("poison".utf8))
            try await expectNothing(consumer, .rabbitMQ)
            await consumer.close()
        }
    }

    /// An earlier faafo declared `normal` with dead-lettering arguments; the queue is used
    /// as it is, and rejected messages still reach the dead-letter queue.
    @Test func aQueueDeclaredWithOtherArgumentsIsUsedAsItIs() async throws {
        let options = TestBroker.options()
        let names = options.names
        let endpoint = try AMQPEndpoint(url: TestBroker.url)
        let connection = try AMQPConnection.open(
            endpoint: endpoint, name: "faafo earlier", heartbeat: .zero, timeout: .seconds(5))
        try connection.openChannel(1)
        let arena = CArena()
        let arguments = arena.table([
            ("x-dead-letter-exchange", names.deadLetterExchange), ("x-dead-letter-routing-key", names.deadLetterQueue),
        ])
        amqp_queue_declare(connection.state, 1, arena.bytes(names.queue), 0, 1, 0, 0, arguments)
        try connection.check(amqp_get_rpc_reply(connection.state), "declaring the earlier queue")
        connection.close(timeout: .seconds(2))

        try await withQueue(.rabbitMQ, options: options) { queue in
            try await queue.publish(Data("task".utf8), messageID: "t-1")
            try await queue.publish(Data("poison".utf8), messageID: "p-1")
            let consumer = try await queue.makeConsumer(prefetch: 2)
            let task = try await expectDelivery(consumer)
            let poison = try await expectDelivery(consumer)
            try await consumer.ack(task)
            try await consumer.reject(poison, requeue: false)
            #expect(try await queue.drainDeadLetters(limit: 10).map(\.messageID) == ["p-1"])
            await consumer.close()
            #expect(try await Self.queueArguments()[names.queue]?.contains("x-dead-letter-exchange") == true)
        }
    }
}
