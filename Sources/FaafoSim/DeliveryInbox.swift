import Foundation
import Synchronization

/// The consumers the queue handed a delivery to since the loop last looked: the queue's
/// observer adds to it (on the loop's own thread, inside a queue call), the loop takes.
final class DeliveryInbox: Sendable {
    private let consumers = Mutex<[Int]>([])

    func add(_ consumer: Int) {
        consumers.withLock { $0.append(consumer) }
    }

    /// Everything added so far, in order; empties the inbox.
    func take() -> [Int] {
        consumers.withLock { list in
            defer { list.removeAll(keepingCapacity: true) }
            return list
        }
    }
}

/// A generator the controllers' environment draws uuids and seeds from.
final class SharedRandom: Sendable {
    private let random: Mutex<SimulationRandom>

    init(seed: UInt64) {
        random = Mutex(SimulationRandom(seed: seed))
    }

    func next() -> UInt64 { random.withLock { $0.next() } }
    func uuid() -> UUID { random.withLock { UUID(random: &$0) } }
}
