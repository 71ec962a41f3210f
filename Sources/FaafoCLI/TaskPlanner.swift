import FaafoWire
import Foundation
import FractalCore

/// How `faafo create` picks each fractal's parameters: a fixed value, or a random one
/// in a range, as the original client did. Pure: every random choice comes from the
/// generator passed in.
struct TaskPlanner: Hashable, Sendable {
    enum Choice<Value: Hashable & Sendable>: Hashable, Sendable {
        /// Always this value.
        case fixed(Value)
        /// Uniformly between the two bounds, inclusive; for doubles they may come in
        /// either order, as Python's `random.uniform(a, b)` takes them.
        case between(Value, Value)
    }

    var width: Choice<Int> = .between(256, 1024)
    var height: Choice<Int> = .between(256, 1024)
    var iterations: Choice<Int> = .between(128, 512)
    var xa: Choice<Double> = .between(-1.0, -4.0)
    var xb: Choice<Double> = .between(1.0, 4.0)
    var ya: Choice<Double> = .between(-0.5, -3.0)
    var yb: Choice<Double> = .between(0.5, 3.0)
    /// c, sent as given.
    var cx: Double?
    var cy: Double?
    /// The seed c is drawn from: this one, else (unless c is given) a random one, so that
    /// the generator's seed alone repeats a whole run, pixels included.
    var seed: UInt64?

    /// One request with a fresh version-4 uuid, every choice drawn from `generator` in a
    /// fixed order (uuid, width, height, iterations, xa, xb, ya, yb, seed).
    func makeTask<G: RandomNumberGenerator>(using generator: inout G) -> CreateFractal {
        let uuid = Self.uuid(using: &generator)
        var task = CreateFractal(
            uuid: uuid,
            fractal: FractalRequest(
                width: Self.pick(width, using: &generator), height: Self.pick(height, using: &generator),
                iterations: Self.pick(iterations, using: &generator), xa: Self.pick(xa, using: &generator),
                xb: Self.pick(xb, using: &generator), ya: Self.pick(ya, using: &generator),
                yb: Self.pick(yb, using: &generator), cx: cx, cy: cy, seed: seed))
        if task.fractal.seed == nil && cx == nil && cy == nil { task.fractal.seed = generator.next() }
        return task
    }

    /// The `index`-th task of a run seeded with `randomSeed`: each index draws from a
    /// generator of its own, so any task can be made without making those before it.
    func makeTask(_ index: Int, randomSeed: UInt64) -> CreateFractal {
        var generator = SeededGenerator(seed: randomSeed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        return makeTask(using: &generator)
    }

    func makeTasks<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> [CreateFractal] {
        (0..<count).map { _ in makeTask(using: &generator) }
    }

    static func pick<G: RandomNumberGenerator>(_ choice: Choice<Int>, using generator: inout G) -> Int {
        switch choice {
        case .fixed(let value): return value
        case .between(let a, let b):
            // The high half of next() × count: uniform to within count / 2^64, and the
            // same on every Swift version, unlike Int.random(in:using:).
            let low = min(a, b)
            let count = UInt64(max(a, b) - low) + 1
            return low + Int(generator.next().multipliedFullWidth(by: count).high)
        }
    }

    /// Python's `random.uniform(a, b)`: `a + (b - a) * u` with `u` in [0, 1).
    static func pick<G: RandomNumberGenerator>(_ choice: Choice<Double>, using generator: inout G) -> Double {
        switch choice {
        case .fixed(let value): return value
        case .between(let a, let b):
            let unit = Double(generator.next() >> 11) * 0x1p-53
            return a + (b - a) * unit
        }
    }

    /// A random (version 4) uuid, lower case as Python's `str(uuid.uuid4())`.
    static func uuid<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for half in 0..<2 {
            let word = generator.next()
            for i in 0..<8 { bytes[half * 8 + i] = UInt8(truncatingIfNeeded: word >> (56 - 8 * i)) }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }
}

/// A `RandomNumberGenerator` over the render contract's SplitMix64: the same seed gives
/// the same choices on every platform, so a `faafo create --random-seed N` run repeats.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var base: SplitMix64

    init(seed: UInt64) {
        base = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 { base.next() }
}
