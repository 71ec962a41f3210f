@testable import AMQPWorkQueue
import FaafoCluster
import FaafoTestKit
import Foundation
import Testing
import WorkQueue

/// What only RabbitMQ can show: losing connections, heartbeats, URLs, errors.
@Suite("AMQPWorkQueue")
struct AMQPWorkQueueTests {
    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ))
    func reconnectsAfterTheBrokerClosesItsConnectionsAndLosesNoConfirmedMessage() async throws {
        let name = TestBroker.uniqueName()
        try await withQueue(.rabbitMQ, options: TestBroker.options(name), timeLimit: .seconds(60)) { queue in
            var confirmed: Set<String> = []
            for index in 0..<20 {
                try await queue.publish(body("before \(index)"), messageID: "before-\(index)")
                confirmed.insert("before-\(index)")
            }
            let consumer = try await queue.makeConsumer(prefetch: 5)
            var held: [QueueDelivery] = []
            for _ in 0..<3 { held.append(try await expectDelivery(consumer)) }

            let closed = try await Broker.closeConnections(named: "faafo \(name)")
            #expect(closed == 2, "expected the publisher's and the consumer's connection")

            // Once the consumer has noticed and reconnected (an ack written just as the broker
            // closes the connection is lost without an error: at-least-once delivery)…
            let amqpConsumer = try #require(consumer as? AMQPWorkQueueConsumer)
            let deadline = ContinuousClock.now + .seconds(10)
            while amqpConsumer.connectionNumber < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(amqpConsumer.connectionNumber == 2)
            #expect(amqpConsumer.isConnected)
            // … what the old connection held cannot be settled: the broker has requeued it.
            for delivery in held {
                await expectQueueError(.unknownDelivery) { try await consumer.ack(delivery) }
            }
            // Publishing goes on; a publish caught by the reconnection may fail and is retried.
            for index in 0..<20 {
                let id = "after-\(index)"
                for attempt in 1...20 {
                    do {
                        try await queue.publish(body("after \(index)"), messageID: id)
                        confirmed.insert(id)
                        break
                    } catch let error as QueueError where error.code == .notConfirmed || error.code == .unavailable {
                        if attempt == 20 { throw error }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
            // The consumer reconnected by itself and receives every confirmed message.
            var received: Set<String> = []
            var redelivered: Set<String> = []
            while !confirmed.isSubset(of: received) {
                let delivery = try await expectDelivery(consumer, within: .seconds(10))
                let id = try #require(delivery.messageID)
                received.insert(id)
                if delivery.redelivered { redelivered.insert(id) }
                try await consumer.ack(delivery)
            }
            #expect(Set(held.compactMap(\.messageID)).isSubset(of: redelivered))
        }
    }

    /// Stops and starts the broker application: disruptive for anything else using the broker,
    /// so only with `FAAFO_BROKER_RESTART_TESTS=1` (scripts/test runs it alone).
    @Test(.tags(.rabbitMQ, .brokerRestart), .needs(.rabbitMQ, .theBrokerToItself))
    func survivesABrokerRestart() async throws {
        try await withQueue(.rabbitMQ, timeLimit: .seconds(120)) { queue in
            var confirmed: Set<String> = []
            for index in 0..<50 {
                try await queue.publish(body("\(index)"), messageID: "before-\(index)")
                confirmed.insert("before-\(index)")
            }
            let consumer = try await queue.makeConsumer(prefetch: 10)
            for _ in 0..<5 { _ = try await expectDelivery(consumer) }  // Held, never acked.

            _ = try await Broker.run(["stop_app"])
            // Publishes while the broker is down wait for it (up to publishTimeout).
            let duringOutage = Task {
                var ids: [String] = []
                for index in 0..<10 {
                    do {
                        try await queue.publish(body("during \(index)"), messageID: "during-\(index)")
                        ids.append("during-\(index)")
                    } catch let error as QueueError {
                        print("publish during the outage failed: \(error)")
                    }
                }
                return ids
            }
            try await Task.sleep(for: .seconds(2))
            _ = try await Broker.run(["start_app"])
            confirmed.formUnion(try await duringOutage.value)
            #expect(confirmed.count > 50, "no publish made during the outage got through")

            var received: Set<String> = []
            while !confirmed.isSubset(of: received) {
                let delivery = try await expectDelivery(consumer, within: .seconds(20))
                received.insert(try #require(delivery.messageID))
                try await consumer.ack(delivery)
            }
        }
    }

    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func heartbeatsKeepTheConsumerAliveWhileTheCallerWorks() async throws {
        let options = TestBroker.options(heartbeat: .seconds(1))
        try await withQueue(.rabbitMQ, options: options) { queue in
            try await queue.publish(body("slow task"), messageID: "slow")
            let consumer = try await queue.makeConsumer(prefetch: 1)
            let delivery = try await expectDelivery(consumer)
            // "Rendering" for over three heartbeat intervals, with no call into the queue.
            try await Task.sleep(for: .seconds(3.5))
            // Same connection (an ack of a requeued delivery would throw), so the task is done.
            try await consumer.ack(delivery)
            await consumer.close()
            let other = try await queue.makeConsumer(prefetch: 1)
            try await expectNothing(other, .rabbitMQ)
            try await queue.publish(body("still publishing"), messageID: "after")
            #expect(text(try await expectDelivery(other)) == "still publishing")
        }
    }

    /// The original's topology: durable queues with no arguments (kombu declares `normal`
    /// with none, and a queue's arguments must match every declaration).
    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func declaresTheOriginalsTopology() async throws {
        let name = TestBroker.uniqueName()
        try await withQueue(.rabbitMQ, options: TestBroker.options(name)) { _ in
            let listing = try await Broker.run(
                ["list_queues", "-q", "--no-table-headers", "name", "durable", "arguments"])
            let ours = listing.split(separator: "\n").filter { $0.contains(name) }.sorted()
            #expect(Set(ours) == ["normal.\(name)\ttrue\t[]", "normal.dead.\(name)\ttrue\t[]"])
        }
    }

    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func publishedMessagesArePersistentJSON() async throws {
        let name = TestBroker.uniqueName()
        let options = TestBroker.options(name)
        try await withQueue(.rabbitMQ, options: options) { queue in
            try await queue.publish(body(#"{"uuid": "x"}"#), messageID: "props")
            // Read the message back raw, properties and all.
            let connection = try AMQPConnection.open(
                endpoint: AMQPEndpoint(url: TestBroker.url), name: "\(options.connectionName) inspector",
                heartbeat: .zero, timeout: .seconds(5))
            try connection.openChannel(1)
            let message = try #require(try connection.get(queue: options.names.queue, channel: 1))
            #expect(message.deliveryMode == 2)
            #expect(message.contentType == "application/json")
            #expect(message.messageID == "props")
            #expect(text(QueueDelivery(body: message.body, messageID: nil, redelivered: false, deliveryTag: 0)) == #"{"uuid": "x"}"#)
            connection.close(timeout: .seconds(1))
        }
    }

    @Test func unreachableBrokerFailsWithItsAddress() async throws {
        do {
            _ = try await AMQPWorkQueue(
                url: "amqp://guest:guest@127.0.0.1:1/", options: .init(connectTimeout: .seconds(2)))
            Issue.record("Connecting to a closed port succeeded")
        } catch let error as QueueError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("127.0.0.1:1"), "\(error)")
        }
    }

    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func wrongPasswordIsReported() async throws {
        let url = TestBroker.url.replacingOccurrences(of: "guest:guest@", with: "guest:wrong@")
        do {
            _ = try await AMQPWorkQueue(url: url, options: .init(connectTimeout: .seconds(5)))
            Issue.record("Logging in with a wrong password succeeded")
        } catch let error as QueueError {
            #expect([.refused, .unavailable].contains(error.code))
            #expect(error.message.contains("127.0.0.1:5672"), "\(error)")
            #expect(!error.message.contains("wrong"), "the password leaked into \(error)")
        }
    }

    @Test func parsesTheOriginalTransportURL() throws {
        let endpoint = try AMQPEndpoint(url: "amqp://faafo:secret@rabbit.example:5673/")
        #expect(endpoint == AMQPEndpoint(host: "rabbit.example", port: 5673, user: "faafo", password: "secret"))
        #expect(endpoint.virtualHost == "/")
        #expect(endpoint.description == "amqp://faafo@rabbit.example:5673/")

        let defaults = try AMQPEndpoint(url: "amqp://")
        #expect(defaults == AMQPEndpoint())
        #expect(try AMQPEndpoint(url: "amqp://u:p%40ss@h/%2Fprod").password == "p@ss")
        #expect(try AMQPEndpoint(url: "amqp://u:p@h/%2Fprod").virtualHost == "/prod")
        #expect(try AMQPEndpoint(url: "amqp://h/staging").virtualHost == "staging")
        #expect(try AMQPEndpoint(url: "amqp://[::1]:5672/").address == "[::1]:5672")
    }

    /// kombu's and oslo's forms, as the original faafo.conf and tutorial write them.
    @Test func readsTheVirtualHostAsKombuDoes() throws {
        let original = try AMQPEndpoint(url: "amqp://guest:guest@localhost:5672//")
        #expect(original == AMQPEndpoint(host: "localhost", port: 5672, user: "guest", password: "guest"))
        #expect(try AMQPEndpoint(url: "amqp://rabbit") == AMQPEndpoint(host: "rabbit"))
        #expect(try AMQPEndpoint(url: "amqp://rabbit/").virtualHost == "/")
        #expect(try AMQPEndpoint(url: "amqp://rabbit//prod").virtualHost == "/prod")
        #expect(try AMQPEndpoint(url: "amqp://rabbit/team/prod").virtualHost == "team/prod")
        #expect(try AMQPEndpoint(url: "amqp://u@rabbit:5673").password == "guest")
    }

    @Test func namesWhatIsWrongWithABadURL() {
        func message(_ url: String) -> String {
            do {
                _ = try AMQPEndpoint(url: url)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(message("http://host/").contains("the scheme must be amqp:// or amqps://"))
        #expect(message("amqp://host:0/").contains("port 0 is out of range"))
        #expect(message("amqp://u:secret@host/?heartbeat=5").contains("query parameters"))
        #expect(!message("amqp://u:secret@host/?heartbeat=5").contains("secret"))
    }

    /// oslo.messaging's commas (one virtual host after the last broker) and kombu's
    /// semicolons (whole URLs; one without a scheme takes the first one's).
    @Test func parsesTransportURLsNamingSeveralBrokers() throws {
        let commas = try AMQPEndpoint.brokers(url: "amqp://a:pa@h1:5672,b:pb@h2:5673/prod")
        #expect(
            commas == [
                AMQPEndpoint(host: "h1", port: 5672, user: "a", password: "pa", virtualHost: "prod"),
                AMQPEndpoint(host: "h2", port: 5673, user: "b", password: "pb", virtualHost: "prod"),
            ])
        let semicolons = try AMQPEndpoint.brokers(url: "amqp://a:pa@h1//;b:pb@h2/other")
        #expect(semicolons.map(\.host) == ["h1", "h2"])
        #expect(semicolons.map(\.virtualHost) == ["/", "other"])
        #expect(semicolons.map(\.user) == ["a", "b"])
        let tls = try AMQPEndpoint.brokers(url: "amqps://h1,h2:6000/")
        #expect(tls.map(\.port) == [5671, 6000])
        #expect(tls.allSatisfy { $0.usesTLS })
        #expect(tls[0].description == "amqps://guest@h1:5671/")
        #expect(try AMQPEndpoint.brokers(url: "amqp://guest:guest@localhost:5672//") == [AMQPEndpoint()])
        #expect(throws: QueueError.self) { try AMQPEndpoint(url: "amqp://h1,h2/") }
        #expect(throws: QueueError.self) { try AMQPEndpoint.brokers(url: "amqp://h1,,h2/") }
        #expect(throws: QueueError.self) { try AMQPEndpoint.brokers(url: "amqp://h1;;h2/") }
        #expect(AMQPEndpoint.redacted("amqp://a:pa@h1,b:pb@h2/;c:pc@h3") == "amqp://a:***@h1,b:***@h2/;c:***@h3")
    }

    @Test(arguments: ["http://host/", "amqp://host:99999/", "amqp://host:0/", "not a url", "amqp://h1,h2:0/"])
    func rejectsMalformedURLs(_ url: String) {
        #expect(throws: QueueError.self) { try AMQPEndpoint(url: url) }
        do {
            _ = try AMQPEndpoint(url: url)
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }

    @Test func namesCanBeSuffixed() {
        let names = QueueNames.suffixed("t1")
        #expect(names.exchange == "tasks.t1")
        #expect(names.queue == "normal.t1")
        #expect(names.routingKey == "normal.t1")
        #expect(names.deadLetterExchange == "tasks.dead.t1")
        #expect(names.deadLetterQueue == "normal.dead.t1")
        #expect(QueueNames.standard == QueueNames())
        #expect(QueueNames.standard.queue == "normal")
    }
}

/// `rabbitmqctl`, for what the AMQP client cannot do on its own.
enum Broker {
    /// Runs `rabbitmqctl` and returns its standard output.
    static func run(_ arguments: [String]) async throws -> String {
        let result = try await CommandOutput.run(URL(fileURLWithPath: "/usr/bin/env"), ["rabbitmqctl"] + arguments)
        guard result.status == 0 else {
            throw Failure(
                "rabbitmqctl \(arguments.joined(separator: " ")) exited with \(result.status): \(result.stderr)")
        }
        return result.text
    }

    /// Makes the broker close every connection whose client-provided name starts with
    /// `prefix`, as it would on a restart; returns how many it closed. Other tests'
    /// connections are left alone.
    static func closeConnections(named prefix: String) async throws -> Int {
        let listing = try await run(["list_connections", "-q", "--no-table-headers", "pid", "client_properties"])
        let pids = listing.split(separator: "\n").filter {
            $0.contains(#"{"connection_name","\#(prefix) "#)
        }.compactMap { $0.split(separator: "\t").first.map(String.init) }
        for pid in pids {
            _ = try await run(["close_connection", pid, "test: simulated broker restart"])
        }
        return pids.count
    }
}
