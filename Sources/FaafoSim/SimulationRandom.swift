import FractalCore

/// The simulator's only source of randomness: SplitMix64 from one seed. Each part of a
/// run (workload, each fault, the controllers' identities) takes its own generator,
/// split from the main one, so that adding a draw in one part leaves the others alone.
public struct SimulationRandom: Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    public mutating func next() -> UInt64 { generator.next() }

    /// A new generator seeded from this one.
    public mutating func split() -> SimulationRandom { SimulationRandom(seed: next()) }

    /// A whole number in `range`, without modulo bias worth speaking of (ranges here are small).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(bitPattern: UInt(next())) }
        return range.lowerBound + Int(next() % span)
    }

    /// A double in [0, 1).
    public mutating func unit() -> Double { generator.unit() }

    /// True with probability `p`; draws nothing when `p` is 0, so an absent fault leaves
    /// the sequence of draws as it was.
    public mutating func chance(_ p: Double) -> Bool {
        guard p > 0 else { return false }
        return unit() < p
    }
}
