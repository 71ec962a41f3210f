import Foundation
import Synchronization

/// Where the simulated parts read the time: the controllers' `now`, the store's
/// completion times. Only the simulation loop moves it.
public protocol SimulationClock: Sendable {
    var now: Tick { get }
}

/// The clock of one run: starts at 0 and moves forward only when the loop takes the next event.
public final class SimulatedClock: SimulationClock {
    /// Date of tick 0, fixed so that stored dates are the same in every run.
    public static let epoch = Date(timeIntervalSince1970: 1_767_225_600)

    private let tick = Atomic<UInt64>(0)

    public init() {}

    public var now: Tick { tick.load(ordering: .relaxed) }

    func advance(to newTick: Tick) {
        precondition(newTick >= now, "simulated time cannot go back")
        tick.store(newTick, ordering: .relaxed)
    }

    /// The date a tick stands for.
    public func date(at tick: Tick) -> Date {
        Self.epoch.addingTimeInterval(Double(tick) / Double(ticksPerSecond))
    }
}
