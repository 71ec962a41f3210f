@testable import AMQPWorkQueue
import FaafoTestKit
import HostLab
import Foundation
import Testing
import WorkQueue

/// What needs a broker configured for it: TLS, several brokers in one URL, quorum queues.
/// One node of the suite's own, with a TLS listener signed by a CA the test makes.
@Suite(
    "AMQP on a node of the test's own", .tags(.ownBrokerNodes), .needs(.ownBrokerNodes),
    .ownRabbitMQ(nodes: 1, tls: true))
struct AMQPOwnNodeTests {
    static func options(tls: TLSFiles = TLSFiles(), queueType: QueueType = .classic) -> AMQPWorkQueue.Options {
        var options = TestBroker.options()
        options.tls = tls
        options.queueType = queueType
        options.connectTimeout = .seconds(5)
        return options
    }

    /// One message through `queue`: published, delivered, acknowledged.
    static func roundTrip(_ queue: AMQPWorkQueue) async throws {
        try await queue.publish(body("over tls"), messageID: "tls-1")
        let consumer = try await queue.makeConsumer(prefetch: 1)
        let delivery = try await expectDelivery(consumer, within: .seconds(10))
        #expect(delivery.messageID == "tls-1")
        try await consumer.ack(delivery)
        await consumer.close()
    }

    /// The error `AMQPWorkQueue(url:options:)` throws, or nil if it connects.
    static func connectionError(_ url: String, _ options: AMQPWorkQueue.Options) async -> QueueError? {
        do {
            let queue = try await AMQPWorkQueue(url: url, options: options)
            await queue.shutdown()
            return nil
        } catch {
            return error as? QueueError
        }
    }

    @Test func amqpsRoundTripVerifiesTheBrokersCertificate() async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        let certificates = try #require(rabbit.certificates)
        let queue = try await AMQPWorkQueue(
            url: rabbit.url(tls: true), options: Self.options(tls: TLSFiles(caFile: certificates.caFile)))
        try await Self.roundTrip(queue)
        let connections = try await rabbit.rabbitmqctl(0, ["list_connections", "--no-table-headers", "name", "ssl"])
        #expect(connections.contains("true"), "no TLS connection on the broker: \(connections)")
        await deleteTopology(of: queue)
        await queue.shutdown()
    }

    @Test func aBrokerSignedByAnotherCAIsRefusedNamingTheCAFile() async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        let certificates = try #require(rabbit.certificates)
        let error = try #require(
            await Self.connectionError(
                rabbit.url(tls: true), Self.options(tls: TLSFiles(caFile: certificates.otherCAFile))))
        #expect(error.code == .unavailable)
        #expect(error.message.contains("does not verify against the CA file '\(certificates.otherCAFile)' (amqp_ca_file)"), "\(error)")
    }

    @Test func tlsToAPlainPortSaysItIsNotATLSListener() async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        let certificates = try #require(rabbit.certificates)
        let url = "amqps://guest:guest@localhost:\(rabbit.nodes[0].port)/"
        let error = try #require(
            await Self.connectionError(url, Self.options(tls: TLSFiles(caFile: certificates.caFile))))
        #expect(error.code == .unavailable)
        #expect(error.message.contains("RabbitMQ's TLS listener"), "\(error)")
        #expect(error.message.contains("needs amqp://"), "\(error)")
    }

    @Test func aMissingCAFileIsNamedBeforeConnecting() async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        let error = try #require(
            await Self.connectionError(rabbit.url(tls: true), Self.options(tls: TLSFiles(caFile: "/nonexistent/ca.pem"))))
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("amqp_ca_file '/nonexistent/ca.pem' does not exist"), "\(error)")
    }

    /// Both spellings of several brokers: the first names a port nothing listens on.
    @Test(arguments: [",", ";"])
    func aURLWhoseFirstBrokerIsDownConnectsToTheNext(separator: String) async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        let dead = try await FreePort.next()
        let url = "amqp://guest:guest@127.0.0.1:\(dead)\(separator == ";" ? "/;" : ",")guest:guest@127.0.0.1:\(rabbit.nodes[0].port)/"
        let queue = try await AMQPWorkQueue(url: url, options: Self.options())
        #expect(queue.endpoints.map(\.port) == [dead, rabbit.nodes[0].port])
        try await Self.roundTrip(queue)
        await deleteTopology(of: queue)
        await queue.shutdown()
    }

    @Test func noBrokerAnsweringNamesEveryOne() async throws {
        let (first, second) = (try await FreePort.next(), try await FreePort.next())
        let error = try #require(
            await Self.connectionError("amqp://127.0.0.1:\(first),127.0.0.1:\(second)/", Self.options()))
        #expect(error.code == .unavailable)
        #expect(error.message.contains("none of the 2 brokers"), "\(error)")
        #expect(error.message.contains("127.0.0.1:\(first)") && error.message.contains("127.0.0.1:\(second)"), "\(error)")
    }

    @Test func aQuorumQueueOverAClassicOneFailsNamingQueueType() async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        let options = Self.options()
        let classic = try await AMQPWorkQueue(url: rabbit.url(), options: options)
        var quorum = options
        quorum.queueType = .quorum
        let error = try #require(await Self.connectionError(rabbit.url(), quorum))
        #expect(error.code == .refused)
        #expect(error.message.contains("queue_type = quorum"), "\(error)")
        #expect(error.message.contains("set queue_type = classic"), "\(error)")
        await deleteTopology(of: classic)
        await classic.shutdown()
    }

    @Test func aQuorumQueueIsDeclaredAsOneAndUsedByTheClassicDefault() async throws {
        let rabbit = try OwnRabbitMQ.nodes()
        var options = Self.options(queueType: .quorum)
        let queue = try await AMQPWorkQueue(url: rabbit.url(), options: options)
        let types = try await rabbit.rabbitmqctl(0, ["list_queues", "--no-table-headers", "name", "type"])
        #expect(types.contains("\(options.names.queue)\tquorum"), "\(types)")
        // A service left at the default (classic) takes the quorum queue as it is.
        options.queueType = .classic
        let classic = try await AMQPWorkQueue(url: rabbit.url(), options: options)
        try await Self.roundTrip(classic)
        await classic.shutdown()
        await deleteTopology(of: queue)
        await queue.shutdown()
    }
}
