import AMQPWorkQueue
import FaafoClient
import FaafoWire
import Foundation
import Testing

/// The real system: faafo-api and faafo-worker processes, RabbitMQ, SQLite. One test at a
/// time: one restarts the broker.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct EndToEndTests {
    /// 100 tasks, two workers; one worker is killed with SIGKILL while it holds tasks it
    /// has not acknowledged. Every task completes once, with the checksums the render core
    /// gives for it, and the killed worker's unfinished tasks are done by the other one.
    @Test func aWorkerKilledWithUnackedTasksLosesNothing() async throws {
        let cluster = try await Cluster()
        do {
            // The whole batch is queued first, so that the workers are never starved.
            var uuids: [String] = []
            for task in batch(100) { uuids.append(try await cluster.client.create(task).uuid) }
            let doomed = try await cluster.startWorker(name: "doomed")
            try await cluster.startWorker(name: "survivor")

            // Kill it mid-batch, once it has finished a few tasks. With a prefetch of 2 the
            // broker keeps it supplied, so it dies holding unacknowledged tasks.
            let deadline = ContinuousClock.now + .seconds(60)
            while doomed.log.components(separatedBy: " done in ").count <= 5 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            doomed.kill(SIGKILL)
            doomed.process.waitUntilExit()

            let objects = try await cluster.waitForCompletion(uuids)
            #expect(objects.count == 100, "nothing stored twice, nothing extra")
            #expect(Set(objects.map(\.uuid)) == Set(uuids))
            for object in objects {
                let expected = try expectedChecksums(object)
                #expect(object.checksum == expected.checksum, "\(object.uuid)")
                #expect(object.pixelChecksum == expected.pixelChecksum, "\(object.uuid)")
            }
            // The tasks it held came back to the queue marked redelivered, and the survivor
            // finished them (redelivery has no other cause in this test).
            let redelivered = redeliveredTasks(in: cluster.workers[1].log)
            #expect(!redelivered.isEmpty, "the killed worker held unacknowledged tasks\n\(cluster.workers[1].log.suffix(2500))")
            for uuid in redelivered {
                let object = try #require(objects.first { $0.uuid == uuid })
                #expect(object.status == .completed, "\(uuid)")
            }
            let dead = try await cluster.client.listAll().filter { $0.status != .completed }
            #expect(dead.isEmpty)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// The broker restarts in the middle of a batch: tasks created while it is down wait
    /// in the outbox, the worker reconnects, and every task completes. It cuts off every
    /// other user of the broker, so it runs only with FAAFO_BROKER_RESTART_TESTS=1, which
    /// scripts/test sets for a run of its own after the rest.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FAAFO_BROKER_RESTART_TESTS"] != nil))
    func aBrokerRestartMidBatchLosesNoTask() async throws {
        let cluster = try await Cluster()
        do {
            try await cluster.startWorker(name: "worker")
            var uuids: [String] = []
            for task in batch(30, iterations: 300) { uuids.append(try await cluster.client.create(task).uuid) }
            try await Broker.restart()
            for task in batch(20, iterations: 301) { uuids.append(try await cluster.client.create(task).uuid) }
            let objects = try await cluster.waitForCompletion(uuids, timeout: .seconds(180))
            #expect(Set(objects.map(\.uuid)) == Set(uuids) && objects.count == 50)
            for object in objects {
                #expect(object.checksum == (try expectedChecksums(object)).checksum, "\(object.uuid)")
            }
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    /// Messages published straight to the queue that can never succeed (not JSON; JSON
    /// outside the render contract) end in the dead-letter queue; the worker keeps serving.
    @Test func poisonMessagesGoToTheDeadLetterQueue() async throws {
        let cluster = try await Cluster()
        do {
            try await cluster.startWorker(name: "worker")
            let queue = try await AMQPWorkQueue(url: cluster.brokerURL)
            try await queue.publish(Data("this is not json".utf8), messageID: "poison-text")
            let outside = TaskMessage(
                uuid: UUID().uuidString.lowercased(), width: 100_000, height: 10, iterations: 10,
                xa: -1, xb: 1, ya: -1, yb: 1, seed: 1)
            try await queue.publish(try JSONEncoder().encode(outside), messageID: "poison-width")
            var uuids: [String] = []
            for task in batch(5, iterations: 100) { uuids.append(try await cluster.client.create(task).uuid) }
            _ = try await cluster.waitForCompletion(uuids)

            var dead: [String] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while dead.count < 2 && ContinuousClock.now < deadline {
                dead += try await queue.drainDeadLetters(limit: 10).compactMap(\.messageID)
                if dead.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            await queue.shutdown()
            #expect(dead.sorted() == ["poison-text", "poison-width"])
            #expect(cluster.workers[0].isRunning)
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
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
