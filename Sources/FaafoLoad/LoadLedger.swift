/// The shared state of a running load test: which task comes next, what has happened
/// to each, and the counts the progress display shows.
actor LoadLedger {
    private let plan: LoadPlan
    private var nextIndex = 0
    private var records: [TaskRecord] = []
    private var inFlight = 0
    private var counts = LoadProgress()
    /// A moving average of recent create-to-stored latencies, for the first poll's wait.
    private var recentLatency: Duration?
    private var polls = 0

    init(plan: LoadPlan) {
        self.plan = plan
    }

    /// The next task's index, or nil once `plan.tasks` were started or `elapsed` is past
    /// the plan's duration.
    func claim(elapsed: Duration) -> Int? {
        guard nextIndex < plan.tasks, plan.duration.map({ elapsed < $0 }) ?? true else { return nil }
        defer { nextIndex += 1 }
        inFlight += 1
        counts.submitted += 1
        return nextIndex
    }

    var tasksInFlight: Int { inFlight }

    func finish(_ record: TaskRecord) {
        records.append(record)
        inFlight -= 1
        switch record.status {
        case .completed: counts.completed += 1
        case .failed: counts.failed += 1
        case .timedOut: counts.timedOut += 1
        }
        if let latency = record.storedLatency {
            recentLatency = recentLatency.map { $0 * 0.8 + latency * 0.2 } ?? latency
        }
    }

    func countPoll() { polls += 1 }

    var typicalLatency: Duration? { recentLatency }

    func progress(elapsed: Duration) -> LoadProgress {
        var snapshot = counts
        snapshot.inFlight = inFlight
        snapshot.elapsed = elapsed
        return snapshot
    }

    /// Every task's record, in the order they were started, and the number of polls made.
    func results() -> (records: [TaskRecord], polls: Int) {
        (records.sorted { $0.index < $1.index }, polls)
    }
}

/// Where a running load test stands, for a progress display.
public struct LoadProgress: Hashable, Sendable {
    public var submitted = 0
    public var completed = 0
    public var failed = 0
    public var timedOut = 0
    public var inFlight = 0
    public var elapsed: Duration = .zero

    public init() {}

    public var finished: Int { completed + failed + timedOut }
}
