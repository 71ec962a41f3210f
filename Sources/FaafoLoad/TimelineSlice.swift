import FractalJob
import FaafoLatency

/// One equal slice of a run's time: the creates sent and results stored in it, and the
/// latencies of those tasks. The report's plots are drawn from these.
public struct TimelineSlice: Codable, Hashable, Sendable {
    /// Seconds from the start of the run.
    public var start: Double
    public var end: Double
    /// Create calls sent in the slice.
    public var created: Int
    /// Results stored in the slice.
    public var completed: Int
    /// Latencies of the creates sent in the slice, in milliseconds.
    public var createP50: Double?
    public var createMax: Double?
    /// Create-to-stored latencies of the tasks stored in the slice, in milliseconds.
    public var storedP50: Double?
    public var storedMax: Double?

    enum CodingKeys: String, CodingKey {
        case start, end, created, completed
        case createP50 = "create_p50"
        case createMax = "create_max"
        case storedP50 = "stored_p50"
        case storedMax = "stored_max"
    }

    /// At most this many slices a run.
    static let mostSlices = 60

    /// The slices covering `span` from the start, each a round width (0.1 s, 0.2 s, 0.5 s,
    /// 1 s, 2 s, 5 s, …), no more than `mostSlices` of them.
    static func slices(of records: [TaskRecord], over span: Duration) -> [TimelineSlice] {
        let width = roundWidth(atLeast: span.seconds / Double(mostSlices))
        let count = max(1, min(mostSlices, Int((span.seconds / width).rounded(.up))))
        func slot(_ time: Duration) -> Int { min(count - 1, max(0, Int(time.seconds / width))) }

        var created = [Int](repeating: 0, count: count)
        var completed = [Int](repeating: 0, count: count)
        var createLatency = [LatencyRecorder](repeating: LatencyRecorder(), count: count)
        var storedLatency = [LatencyRecorder](repeating: LatencyRecorder(), count: count)
        for record in records {
            let sent = slot(record.sentAt)
            created[sent] += 1
            if let latency = record.createLatency { createLatency[sent].record(latency) }
            if record.status == .completed, let stored = record.storedAt, let latency = record.storedLatency {
                completed[slot(stored)] += 1
                storedLatency[slot(stored)].record(latency)
            }
        }
        return (0..<count).map { index in
            let create = createLatency[index]
            let stored = storedLatency[index]
            return TimelineSlice(
                start: Double(index) * width, end: Double(index + 1) * width,
                created: created[index], completed: completed[index],
                createP50: create.count > 0 ? create.summary.p50 : nil,
                createMax: create.count > 0 ? create.summary.max : nil,
                storedP50: stored.count > 0 ? stored.summary.p50 : nil,
                storedMax: stored.count > 0 ? stored.summary.max : nil)
        }
    }

    /// The smallest of 0.1, 0.2, 0.5, 1, 2, 5, 10, … seconds that is at least `seconds`.
    static func roundWidth(atLeast seconds: Double) -> Double {
        var scale = 0.1
        for _ in 0..<12 {
            for step in [1.0, 2.0, 5.0] where scale * step >= seconds { return scale * step }
            scale *= 10
        }
        return scale
    }
}
