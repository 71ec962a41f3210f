import FaafoTestKit
import Foundation
import Testing
import WorkQueue

/// The behaviour every `WorkQueue` backend must have, run against the in-memory queue and
/// against RabbitMQ, so that the simulator's queue cannot drift from the broker (on
/// `Backend.usable`: RabbitMQ where the shared broker answers).
@Suite("WorkQueue contract", .tags(.rabbitMQ))
struct WorkQueueContractTests {
    /// Where the shared broker does not answer, `Backend.usable` leaves RabbitMQ out of the
    /// arguments below (a case of a parameterized test cannot be skipped on its own), and
    /// this test is skipped in their place, saying why; where it answers, it checks that
    /// RabbitMQ is among them.
    @Test(.needs(.rabbitMQ)) func runsOnRabbitMQ() {
        #expect(Backend.usable.contains(.rabbitMQ))
    }

    @Test(arguments: Backend.usable)
    func publishThenConsumeDeliversTheBody(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let json = #"{"uuid": "8c1bdf2e-7d4b-4c1a-9b7e-1f2a3b4c5d6e", "width": 256}"#
            try await queue.publish(body(json), messageID: "m-1")
            let consumer = try await queue.makeConsumer(prefetch: 1)
            let delivery = try await expectDelivery(consumer)
            #expect(text(delivery) == json)
            #expect(delivery.messageID == "m-1")
            #expect(!delivery.redelivered)
            try await consumer.ack(delivery)
        }
    }

    @Test(arguments: Backend.usable)
    func consumerWaitingBeforePublishReceivesTheMessage(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let consumer = try await queue.makeConsumer(prefetch: 1)
            async let delivery = expectDelivery(consumer)
            try await Task.sleep(for: .milliseconds(50))
            try await queue.publish(body("late"), messageID: "late")
            #expect(try await text(delivery) == "late")
        }
    }

    @Test(arguments: Backend.usable)
    func messageIDIsCarried(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let ids = ["6f1c2b3a-0000-4000-8000-000000000001", "second", "ünïcödé-id"]
            for id in ids { try await queue.publish(body("for \(id)"), messageID: id) }
            let consumer = try await queue.makeConsumer(prefetch: 3)
            for id in ids {
                let delivery = try await expectDelivery(consumer)
                #expect(delivery.messageID == id)
                #expect(text(delivery) == "for \(id)")
                try await consumer.ack(delivery)
            }
        }
    }

    @Test(arguments: Backend.usable)
    func deliversInPublishOrder(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            for index in 0..<20 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
            let consumer = try await queue.makeConsumer(prefetch: 5)
            for index in 0..<20 {
                let delivery = try await expectDelivery(consumer)
                #expect(text(delivery) == "\(index)")
                try await consumer.ack(delivery)
            }
        }
    }

    @Test(arguments: Backend.usable)
    func ackRemovesTheMessage(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            try await queue.publish(body("once"), messageID: "once")
            let first = try await queue.makeConsumer(prefetch: 1)
            try await first.ack(try await expectDelivery(first))
            await first.close()

            let second = try await queue.makeConsumer(prefetch: 1)
            try await expectNothing(second, backend)
            #expect(try await queue.drainDeadLetters(limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.usable)
    func prefetchLimitsUnackedDeliveries(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            for index in 1...5 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
            let consumer = try await queue.makeConsumer(prefetch: 2)
            let first = try await expectDelivery(consumer)
            let second = try await expectDelivery(consumer)
            #expect([text(first), text(second)] == ["1", "2"])
            // Two unacknowledged: the third waits for an acknowledgement.
            try await expectNothing(consumer, backend)

            try await consumer.ack(first)
            let third = try await expectDelivery(consumer)
            #expect(text(third) == "3")
            try await expectNothing(consumer, backend)

            // A second consumer takes what the first cannot hold.
            let other = try await queue.makeConsumer(prefetch: 10)
            let fourth = try await expectDelivery(other)
            let fifth = try await expectDelivery(other)
            #expect([text(fourth), text(fifth)] == ["4", "5"])
        }
    }

    @Test(arguments: Backend.usable)
    func prefetchCountsDeliveriesNotYetTaken(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            // A holds one delivery it never takes with next(); B must get everything else.
            let a = try await queue.makeConsumer(prefetch: 1)
            try await queue.publish(body("0"), messageID: "0")
            try await Task.sleep(for: backend.quietPeriod)
            let b = try await queue.makeConsumer(prefetch: 10)
            for index in 1...4 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
            var received: [String] = []
            for _ in 1...4 { received.append(text(try await expectDelivery(b))) }
            #expect(received == ["1", "2", "3", "4"])
            #expect(text(try await expectDelivery(a)) == "0")
        }
    }

    /// The crash case: a worker dies holding tasks; they come back, marked redelivered.
    @Test(arguments: Backend.usable)
    func closeRedeliversUnackedWithRedeliveredFlag(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            for index in 1...3 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
            let crashing = try await queue.makeConsumer(prefetch: 3)
            let first = try await expectDelivery(crashing)
            let second = try await expectDelivery(crashing)
            #expect([text(first), text(second)] == ["1", "2"])
            try await crashing.ack(first)
            // Holds "2" (taken) and "3" (prefetched) when it goes away.
            await crashing.close()

            let survivor = try await queue.makeConsumer(prefetch: 3)
            let again = try await expectDelivery(survivor)
            #expect(text(again) == "2")
            #expect(again.messageID == "2")
            #expect(again.redelivered)
            let last = try await expectDelivery(survivor)
            #expect(text(last) == "3")
            try await survivor.ack(again)
            try await survivor.ack(last)
            try await expectNothing(survivor, backend)
        }
    }

    @Test(arguments: Backend.usable)
    func requeuedMessagesReturnToTheirOriginalPlace(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            for index in 1...4 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
            let a = try await queue.makeConsumer(prefetch: 2)
            let one = try await expectDelivery(a)
            let two = try await expectDelivery(a)
            #expect([text(one), text(two)] == ["1", "2"])
            // "3" and "4" are still ready; the closed consumer's messages go back before them.
            await a.close()
            let b = try await queue.makeConsumer(prefetch: 4)
            var order: [String] = []
            for _ in 1...4 {
                let delivery = try await expectDelivery(b)
                order.append(text(delivery))
                #expect(delivery.redelivered == ["1", "2"].contains(text(delivery)))
            }
            #expect(order == ["1", "2", "3", "4"])
        }
    }

    @Test(arguments: Backend.usable)
    func rejectWithoutRequeueGoesToDeadLetters(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            try await queue.publish(body("poison"), messageID: "poison-1")
            try await queue.publish(body("fine"), messageID: "fine-1")
            let consumer = try await queue.makeConsumer(prefetch: 1)
            let poison = try await expectDelivery(consumer)
            #expect(text(poison) == "poison")
            try await consumer.reject(poison, requeue: false)
            let fine = try await expectDelivery(consumer)
            #expect(text(fine) == "fine")
            try await consumer.ack(fine)

            let dead = try await drainDeadLetters(queue, count: 1)
            #expect(dead.map(text) == ["poison"])
            #expect(dead.first?.messageID == "poison-1")
            // Drained means gone.
            #expect(try await queue.drainDeadLetters(limit: 10).isEmpty)
            try await expectNothing(consumer, backend)
        }
    }

    @Test(arguments: Backend.usable)
    func drainDeadLettersReturnsTheOldestFirstUpToTheLimit(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let consumer = try await queue.makeConsumer(prefetch: 1)
            for index in 1...3 {
                try await queue.publish(body("dead \(index)"), messageID: "\(index)")
                try await consumer.reject(try await expectDelivery(consumer), requeue: false)
            }
            // Wait until all three are dead-lettered, without draining any.
            try await Task.sleep(for: backend.quietPeriod)
            let firstTwo = try await queue.drainDeadLetters(limit: 2)
            #expect(firstTwo.map(text) == ["dead 1", "dead 2"])
            let rest = try await queue.drainDeadLetters(limit: 10)
            #expect(rest.map(text) == ["dead 3"])
            #expect(try await queue.drainDeadLetters(limit: 0).isEmpty)
        }
    }

    @Test(arguments: Backend.usable)
    func rejectWithRequeueRedelivers(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            try await queue.publish(body("retry me"), messageID: "retry")
            let consumer = try await queue.makeConsumer(prefetch: 1)
            let first = try await expectDelivery(consumer)
            #expect(!first.redelivered)
            try await consumer.reject(first, requeue: true)
            let again = try await expectDelivery(consumer)
            #expect(text(again) == "retry me")
            #expect(again.messageID == "retry")
            #expect(again.redelivered)
            try await consumer.ack(again)
            #expect(try await queue.drainDeadLetters(limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.usable)
    func ackOfUnknownTagThrows(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let consumer = try await queue.makeConsumer(prefetch: 2)
            let made = QueueDelivery(body: Data(), messageID: nil, redelivered: false, deliveryTag: 9_999)
            await expectQueueError(.unknownDelivery) { try await consumer.ack(made) }
            await expectQueueError(.unknownDelivery) { try await consumer.reject(made, requeue: true) }

            try await queue.publish(body("a"), messageID: "a")
            let delivery = try await expectDelivery(consumer)
            try await consumer.ack(delivery)
            await expectQueueError(.unknownDelivery) { try await consumer.ack(delivery) }
            await expectQueueError(.unknownDelivery) { try await consumer.reject(delivery, requeue: false) }

            // The consumer still works: nothing reached the broker that would close the channel.
            try await queue.publish(body("b"), messageID: "b")
            let next = try await expectDelivery(consumer)
            #expect(text(next) == "b")
            try await consumer.ack(next)
        }
    }

    @Test(arguments: Backend.usable)
    func deliveryOfAnotherConsumerIsUnknown(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let a = try await queue.makeConsumer(prefetch: 1)
            let b = try await queue.makeConsumer(prefetch: 1)
            try await queue.publish(body("x"), messageID: "x")
            try await queue.publish(body("y"), messageID: "y")
            let fromA = try await expectDelivery(a)
            let fromB = try await expectDelivery(b)
            // Both tags are 1 on RabbitMQ (per channel) and in memory (per consumer), so b
            // can ack its own tag but a delivery tag unknown to it must throw.
            let foreign = QueueDelivery(
                body: fromA.body, messageID: fromA.messageID, redelivered: false,
                deliveryTag: fromB.deliveryTag + 1_000)
            await expectQueueError(.unknownDelivery) { try await b.ack(foreign) }
            try await a.ack(fromA)
            try await b.ack(fromB)
        }
    }

    @Test(arguments: Backend.usable)
    func roundRobinAcrossConsumers(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let a = try await queue.makeConsumer(prefetch: 10)
            let b = try await queue.makeConsumer(prefetch: 10)
            for index in 0..<10 { try await queue.publish(body("\(index)"), messageID: "\(index)") }
            var fromA: [String] = []
            var fromB: [String] = []
            for _ in 0..<5 {
                fromA.append(text(try await expectDelivery(a)))
                fromB.append(text(try await expectDelivery(b)))
            }
            try await expectNothing(a, backend)
            try await expectNothing(b, backend)
            #expect(Set(fromA).isDisjoint(with: fromB))
            #expect(Set(fromA + fromB) == Set((0..<10).map { "\($0)" }))
            // Alternation: each consumer sees every other message, in order.
            #expect(fromA.map { Int($0)! % 2 }.allSatisfy { $0 == Int(fromA[0])! % 2 })
        }
    }

    @Test(arguments: Backend.usable)
    func nextReturnsNilAfterClose(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let consumer = try await queue.makeConsumer(prefetch: 1)
            try await queue.publish(body("held"), messageID: "held")
            let held = try await expectDelivery(consumer)
            async let waiting = next(consumer, within: .seconds(20))
            try await Task.sleep(for: .milliseconds(50))
            await consumer.close()
            guard case .closed = try await waiting else {
                Issue.record("A waiting next() did not return nil on close")
                return
            }
            #expect(try await consumer.next() == nil)
            await expectQueueError(.closed) { try await consumer.ack(held) }
            await consumer.close()  // Closing twice is harmless.
        }
    }

    @Test(arguments: Backend.usable)
    func cancellingNextLosesNothing(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let consumer = try await queue.makeConsumer(prefetch: 1)
            let waiting = Task { try await consumer.next() }
            try await Task.sleep(for: .milliseconds(50))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }

            try await queue.publish(body("kept"), messageID: "kept")
            let delivery = try await expectDelivery(consumer)
            #expect(text(delivery) == "kept")
            #expect(!delivery.redelivered)
            try await consumer.ack(delivery)
        }
    }

    @Test(arguments: Backend.usable)
    func invalidPrefetchIsRefused(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            await expectQueueError(.invalidArgument) { _ = try await queue.makeConsumer(prefetch: 0) }
            await expectQueueError(.invalidArgument) { _ = try await queue.makeConsumer(prefetch: 70_000) }
        }
    }

    @Test(arguments: Backend.usable)
    func shutdownStopsConsumersAndRefusesPublishes(_ backend: Backend) async throws {
        try await withQueue(backend) { queue in
            let consumer = try await queue.makeConsumer(prefetch: 1)
            async let waiting = next(consumer, within: .seconds(20))
            try await Task.sleep(for: .milliseconds(50))
            await queue.shutdown()
            guard case .closed = try await waiting else {
                Issue.record("A waiting next() did not return nil on shutdown")
                return
            }
            await expectQueueError(.closed) { try await queue.publish(body("late"), messageID: "late") }
            await expectQueueError(.closed) { _ = try await queue.makeConsumer(prefetch: 1) }
        }
    }

    @Test(arguments: Backend.usable)
    func manyPublishesAllConfirmed(_ backend: Backend) async throws {
        let count = 2_000
        try await withQueue(backend, timeLimit: .seconds(60)) { queue in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await queue.publish(body(#"{"n": \#(index)}"#), messageID: "msg-\(index)")
                    }
                }
                try await group.waitForAll()
            }
            let consumer = try await queue.makeConsumer(prefetch: 200)
            var seen = Set<String>()
            for _ in 0..<count {
                let delivery = try await expectDelivery(consumer)
                seen.insert(delivery.messageID ?? "")
                try await consumer.ack(delivery)
            }
            #expect(seen == Set((0..<count).map { "msg-\($0)" }))
            try await expectNothing(consumer, backend)
        }
    }
}
