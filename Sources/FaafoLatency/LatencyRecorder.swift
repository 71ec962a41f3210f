import Histogram

/// Records latencies in microseconds into an HdrHistogram (three significant digits,
/// sized for an hour up front and resizing past it) and summarises them as the
/// percentiles faafo's reports print, with the exact mean.
///
/// The unit is microseconds whatever the clock: the simulator records simulated ticks
/// converted to microseconds, `faafo demo` records wall-clock durations.
public struct LatencyRecorder: Sendable {
    private var histogram: Histogram<UInt64>
    /// The sum of the values recorded, for the exact mean (the histogram's own walks
    /// every bucket).
    private var sum: UInt64 = 0
    /// Every value recorded, to find the one at each percentile. The histogram's own
    /// `valueAtPercentile` walks its buckets through generic code that is not specialised
    /// across modules (a protocol dispatch a bucket): summarising the 600 latencies of
    /// one simulated run took 1.5 % of a swarm's time that way.
    private var values: [UInt64] = []

    /// An hour in microseconds: sized for it, the histogram does not grow a bucket at a
    /// time as a run's latencies rise (which took several per cent of a swarm's time).
    static let initialHighestValue: UInt64 = 3_600_000_000

    public init() {
        histogram = Histogram(highestTrackableValue: Self.initialHighestValue, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
    }

    public var count: Int { Int(histogram.totalCount) }

    public mutating func record(microseconds: UInt64) {
        _ = histogram.record(microseconds)
        sum &+= microseconds
        values.append(microseconds)
    }

    public mutating func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let micros = max(0, seconds) * 1_000_000 + max(0, attoseconds) / 1_000_000_000_000
        record(microseconds: UInt64(micros))
    }

    /// Adds another recorder's values, e.g. when per-task recorders are merged.
    public mutating func add(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        sum &+= other.sum
        values += other.values
    }

    public var summary: LatencySummary {
        guard histogram.totalCount > 0 else { return LatencySummary() }
        func milliseconds(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        let sorted = values.sorted()
        return LatencySummary(
            count: count,
            p50: milliseconds(value(atPercentile: 50, sorted)),
            p90: milliseconds(value(atPercentile: 90, sorted)),
            p99: milliseconds(value(atPercentile: 99, sorted)),
            max: milliseconds(histogram.maxRecorded),
            mean: Double(sum) / Double(histogram.totalCount) / 1000
        )
    }

    /// What `histogram.valueAtPercentile(percentile)` returns (0 < percentile < 100), from
    /// the recorded values sorted: the histogram finds the bucket where the running count
    /// first reaches the percentile's count, which is the bucket of the value of that rank,
    /// and returns that bucket's highest equivalent value, kept within the recorded range.
    private func value(atPercentile percentile: Double, _ sorted: [UInt64]) -> UInt64 {
        let requested = Swift.min(Swift.max(percentile.nextDown, 0.0), 100.0)
        let countAtPercentile = Swift.max(1, UInt64(((requested * Double(sorted.count)) / 100.0).rounded(.up)))
        let ranked = sorted[Int(Swift.min(countAtPercentile, UInt64(sorted.count))) - 1]
        return Swift.max(Swift.min(histogram.highestEquivalentForValue(ranked), histogram.maxRecorded), histogram.min)
    }
}

/// Percentiles of a latency distribution, in milliseconds. HdrHistogram keeps three
/// significant digits, so each figure is within 0.1 % of the exact value.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    public var mean: Double

    public init(count: Int = 0, p50: Double = 0, p90: Double = 0, p99: Double = 0, max: Double = 0, mean: Double = 0) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.mean = mean
    }

    /// One line for a terminal: `p50 1.20 ms  p90 …  p99 …  max …`.
    public var line: String {
        func ms(_ value: Double) -> String { formatMilliseconds(value) }
        return "p50 \(ms(p50))  p90 \(ms(p90))  p99 \(ms(p99))  max \(ms(max))"
    }
}

/// `0.42 ms`, `12.3 ms`, `1.52 s`: three significant figures, the unit that suits.
public func formatMilliseconds(_ value: Double) -> String {
    if value >= 1000 { return "\(formatSignificant(value / 1000)) s" }
    return "\(formatSignificant(value)) ms"
}

func formatSignificant(_ value: Double) -> String {
    let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    let text = String(rounded)
    if digits == 0, text.hasSuffix(".0") { return String(text.dropLast(2)) }
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { return text + String(repeating: "0", count: digits - decimals) }
    }
    return text
}
