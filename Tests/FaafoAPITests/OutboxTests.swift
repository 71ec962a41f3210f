import FaafoAPI
import FaafoWire
import Foundation
import FractalStore
import Testing
import WorkQueue

@Suite struct OutboxTests {
    /// The API stored a task but its queue never confirmed it (here: the queue is shut
    /// down, as when the broker is gone or the API dies between the two steps). A new API
    /// over the same store publishes it when it starts.
    @Test func aTaskStoredButNeverConfirmedIsPublishedWhenTheAPIComesBack() async throws {
        let store = MemoryFractalStore()
        let deadQueue = InMemoryWorkQueue()
        await deadQueue.shutdown()
        let before = APIHarness(queue: deadQueue, store: store)
        let outcome = try await before.service.create(smallTask)
        guard case .created(let object) = outcome else {
            Issue.record("expected a new fractal")
            return
        }
        #expect(try await store.unpublished(limit: 10).map(\.uuid) == [object.uuid])

        let queue = InMemoryWorkQueue()
        let after = APIHarness(queue: queue, store: store)
        let published = await after.service.publishOutbox(createdBefore: Date.distantFuture)
        #expect(published == 1)
        #expect(try await store.unpublished(limit: 10).isEmpty)
        let consumer = try await queue.makeConsumer(prefetch: 1)
        let delivery = try #require(try await consumer.next())
        #expect(try JSONDecoder().decode(TaskMessage.self, from: delivery.body).uuid == object.uuid)
        await consumer.close()

        #expect(await after.service.publishOutbox(createdBefore: Date.distantFuture) == 0, "published once only")
    }

    @Test func theOutboxLeavesTasksNewerThanTheCutoff() async throws {
        let store = MemoryFractalStore()
        let deadQueue = InMemoryWorkQueue()
        await deadQueue.shutdown()
        _ = try await APIHarness(queue: deadQueue, store: store).service.create(smallTask)
        let after = APIHarness(queue: InMemoryWorkQueue(), store: store)
        #expect(await after.service.publishOutbox(createdBefore: Date(timeIntervalSince1970: 0)) == 0)
        #expect(try await store.unpublished(limit: 10).count == 1)
    }
}
