import AMQPWorkQueue
import FaafoClient
import FaafoCluster
import FaafoTestKit
import FaafoWire
import Foundation
import FractalCore
import Testing

/// The real system: faafo-api and faafo-worker processes, RabbitMQ, SQLite. One test at a
/// time: one restarts the broker.
@Suite(.serialized, .tags(.endToEnd, .rabbitMQ), .needs(.rabbitMQ), .timeLimit(.minutes(5)))
struct EndToEndTests {
    /// 100 tasks, two workers; one worker is killed with SIGKILL while it holds tasks it
    /// has not acknowledged. Every task completes once, with the checksums the render core
    /// gives for it, and the killed worker's unfinished tasks are done by the other one.
    @Test func aWorkerKilledWithUnackedTasksLosesNothing() async throws {
        try await withCluster { cluster in
            // The whole batch is queued first, so that the workers are never starved.
            let uuids = try await cluster.create(batch(100))
            let doomed = try await cluster.startWorker(name: "doomed")
            let survivor = try await cluster.startWorker(name: "survivor")

            // Kill it mid-batch, once it has finished a few tasks. With a prefetch of 2 the
            // broker keeps it supplied, so it dies holding unacknowledged tasks.
            try await waitUntil(doomed, hasDone: 5)
            doomed.kill()

            let objects = try await cluster.expectAllCompletedOnce(uuids)
            // The tasks it held came back to the queue marked redelivered, and the survivor
            // finished them (redelivery has no other cause in this test).
            let redelivered = redeliveredTasks(in: survivor.log)
            #expect(!redelivered.isEmpty, "the killed worker held unacknowledged tasks\n\(survivor.log.suffix(2500))")
            for uuid in redelivered {
                let object = try #require(objects.first { $0.uuid == uuid })
                #expect(object.status == .completed, "\(uuid)")
            }
        }
    }

    /// A worker is killed with SIGKILL three times in a batch of 200 and started again each
    /// time, as a supervisor would; every task completes once with the right checksums.
    @Test func aWorkerKilledThreeTimesLosesNothing() async throws {
        try await withCluster { cluster in
            let uuids = try await cluster.create(batch(200, iterations: 300))
            try await cluster.startWorker(name: "steady")
            for _ in 1...3 {
                let crashy = try await cluster.startWorker(name: "crashy")
                // Let it finish a few tasks first, so that it dies in the middle of its work.
                try await waitUntil(crashy, hasDone: 3)
                crashy.kill()
            }
            try await cluster.expectAllCompletedOnce(uuids)
        }
    }

    /// The API is killed with SIGKILL mid-batch and started again on the same database:
    /// workers retry the results they could not deliver, and every task completes.
    @Test func theAPIKilledMidBatchLosesNothing() async throws {
        try await withCluster { cluster in
            try await cluster.startWorker(name: "worker")
            var uuids = try await cluster.create(batch(40, iterations: 300))
            try await cluster.restartAPI()
            uuids += try await cluster.create(batch(20, iterations: 301))
            try await cluster.expectAllCompletedOnce(uuids)
        }
    }

    /// A worker told to stop (SIGTERM) while the API is down does not wait to deliver its
    /// results: it exits within seconds and leaves its tasks unacknowledged, and another
    /// worker completes them once the API is back.
    @Test func aWorkerStoppedWhileTheAPIIsDownExitsAndLeavesItsTasks() async throws {
        try await withCluster { cluster in
            let uuids = try await cluster.create(batch(10, iterations: 300))
            cluster.killAPI()
            let stopping = try await cluster.startWorker(name: "stopping")
            try await stopping.waitForLog("retrying in", timeout: .seconds(60))

            stopping.signal(SIGTERM)
            let deadline = ContinuousClock.now + .seconds(15)
            while stopping.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!stopping.isRunning, "still running 15 s after SIGTERM:\n\(stopping.log.suffix(2000))")
            stopping.kill()

            try await cluster.restartAPI()
            try await cluster.startWorker(name: "finisher")
            try await cluster.expectAllCompletedOnce(uuids)
        }
    }

    /// The tutorial's largest image, 9999×9999: seconds of rendering and a result of
    /// megabytes through the API; neither the broker's heartbeat nor the API's body limit
    /// cuts it off, and its checksums are the render core's.
    @Test func theTutorialsLargestSizeCompletes() async throws {
        try await withCluster { cluster in
            try await cluster.startWorker(name: "worker", concurrency: 1)
            let task = CreateFractal(
                fractal: FractalRequest(
                    width: 9999, height: 9999, iterations: 128, xa: -1.6, xb: 1.6, ya: -1.2, yb: 1.2, seed: 9999))
            try await cluster.expectAllCompletedOnce(try await cluster.create([task]), timeout: .seconds(240))
        }
    }

    /// The broker restarts in the middle of a batch: tasks created while it is down wait
    /// in the outbox, the worker reconnects, and every task completes. It cuts off every
    /// other user of the broker, so it runs only with FAAFO_BROKER_RESTART_TESTS=1, which
    /// scripts/test sets for a run of its own after the rest.
    @Test(.tags(.brokerRestart), .needs(.theBrokerToItself))
    func aBrokerRestartMidBatchLosesNoTask() async throws {
        try await withCluster { cluster in
            try await cluster.startWorker(name: "worker")
            var uuids = try await cluster.create(batch(30, iterations: 300))
            try await cluster.restartBroker()
            uuids += try await cluster.create(batch(20, iterations: 301))
            try await cluster.expectAllCompletedOnce(uuids, timeout: .seconds(180))
        }
    }

    /// `--amqp-heartbeat` is what the worker's connections get from the broker (RabbitMQ
    /// proposes 60 s; the lower wins), and the API's connection keeps the default 10 s.
    @Test func theWorkersHeartbeatOptionReachesTheBroker() async throws {
        try await withCluster { cluster in
            _ = try await cluster.startWorker(name: "worker", arguments: ["--amqp-heartbeat", "3"])
            // The API connects its publisher when it first publishes.
            try await cluster.expectAllCompletedOnce(try await cluster.create(batch(2, iterations: 100)))
            let virtualHost = String(cluster.brokerURL.split(separator: "/").last ?? "")
            let listing = try await runCommand(
                URL(fileURLWithPath: "/usr/sbin/rabbitmqctl"),
                ["-q", "list_connections", "--no-table-headers", "vhost", "timeout", "client_properties"])
            #expect(listing.status == 0, "\(listing.output)")
            // vhost, timeout, then client_properties: {"connection_name","faafo-worker worker consumer 1"}.
            let timeouts = listing.output.split(separator: "\n").compactMap { line -> (name: String, seconds: String)? in
                let fields = line.split(separator: "\t", maxSplits: 2)
                guard fields.count == 3, fields[0] == virtualHost else { return nil }
                return (String(fields[2]), String(fields[1]))
            }
            let worker = timeouts.filter { $0.name.contains(#""faafo-worker worker consumer 1""#) }
            let api = timeouts.filter { $0.name.contains(#""faafo-api publisher""#) }
            #expect(worker.count == 1 && worker.allSatisfy { $0.seconds == "3" }, "\(listing.output)")
            #expect(!api.isEmpty && api.allSatisfy { $0.seconds == "10" }, "\(listing.output)")
        }
    }

    /// Messages published straight to the queue that can never succeed (not JSON; JSON
    /// outside the render contract) end in the dead-letter queue; the worker keeps serving.
    @Test func poisonMessagesGoToTheDeadLetterQueue() async throws {
        try await withCluster { cluster in
            let worker = try await cluster.startWorker(name: "worker")
            let queue = try await AMQPWorkQueue(url: cluster.brokerURL)
            try await queue.publish(Data("this is not json".utf8), messageID: "poison-text")
            let outside = TaskMessage(
                uuid: UUID().uuidString.lowercased(),
                fractal: FractalRequest(
                    width: 100_000, height: 10, iterations: 10, xa: -1, xb: 1, ya: -1, yb: 1, seed: 1))
            try await queue.publish(try JSONEncoder().encode(outside), messageID: "poison-width")
            try await cluster.expectAllCompletedOnce(try await cluster.create(batch(5, iterations: 100)))

            var dead: [String] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while dead.count < 2 && ContinuousClock.now < deadline {
                dead += try await queue.drainDeadLetters(limit: 10).compactMap(\.messageID)
                if dead.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            await queue.shutdown()
            #expect(dead.sorted() == ["poison-text", "poison-width"])
            #expect(worker.isRunning)
        }
    }
}

/// Waits (at most a minute) until a worker has logged `count` finished tasks.
func waitUntil(_ worker: ServiceProcess, hasDone count: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(60)
    while worker.logCount(of: " done in ") < count && worker.isRunning && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Tasks a worker's debug log shows it received again: "rendering <uuid> (redelivered)".
func redeliveredTasks(in log: String) -> [String] {
    log.split(separator: "\n").compactMap { line in
        let words = line.split(separator: " ")
        guard line.hasSuffix("(redelivered)"), let index = words.firstIndex(of: "rendering"), index + 1 < words.count
        else { return nil }
        return String(words[index + 1])
    }
}
