import Foundation
import WorkQueue

/// The work queue as a controller sees it in the instant it crashes: nothing it publishes
/// is confirmed. A create that runs into it is stored but left in the outbox, as when
/// faafo-api dies between its database commit and the broker's confirm.
struct SeveredQueue: WorkQueue {
    func publish(_ body: Data, messageID: String) async throws {
        throw QueueError(.notConfirmed, "the controller crashed before the broker confirmed \(messageID)")
    }

    func makeConsumer(prefetch: Int) async throws -> any WorkQueueConsumer {
        throw QueueError(.closed, "the controller crashed")
    }

    func drainDeadLetters(limit: Int) async throws -> [QueueDelivery] {
        throw QueueError(.closed, "the controller crashed")
    }

    func shutdown() async {}

    /// A crashed controller's queue takes nothing.
    var isConnected: Bool { false }
}
