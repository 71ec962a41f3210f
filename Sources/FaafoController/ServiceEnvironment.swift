import Foundation

/// The service's sources of time, identity and randomness, injected so that tests and the
/// simulator can make them deterministic.
public struct ServiceEnvironment: Sendable {
    public var now: @Sendable () -> Date
    public var newUUID: @Sendable () -> UUID
    /// A seed for a task that arrives with neither c nor a seed.
    public var newSeed: @Sendable () -> UInt64

    public init(
        now: @escaping @Sendable () -> Date, newUUID: @escaping @Sendable () -> UUID,
        newSeed: @escaping @Sendable () -> UInt64
    ) {
        self.now = now
        self.newUUID = newUUID
        self.newSeed = newSeed
    }

    /// The real clock, random UUIDs and random seeds.
    public static let live = ServiceEnvironment(
        now: { Date() }, newUUID: { UUID() }, newSeed: { UInt64.random(in: .min ... .max) })
}
