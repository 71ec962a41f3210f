import FractalJob
import FaafoLatency
import Foundation

/// The figures of a load test, as `faafo demo --json` prints them and report.json holds them.
public struct LoadReport: Codable, Equatable, Sendable {
    public struct Settings: Codable, Equatable, Sendable {
        public var endpoint: String
        /// `closed_loop` or `open_loop`.
        public var pacing: String
        public var concurrency: Int?
        /// Creates a second, for an open loop.
        public var rate: Double?
        /// The most tasks the run would create.
        public var tasks: Int
        public var duration: Double?
        public var timeout: Double
        public var verify: LoadPlan.Verification
    }

    public struct Tasks: Codable, Equatable, Sendable {
        public var submitted = 0
        public var completed = 0
        public var failed = 0
        public var timedOut = 0
        /// Completed tasks whose checksums matched the render core's.
        public var verified = 0

        enum CodingKeys: String, CodingKey {
            case submitted, completed, failed, verified
            case timedOut = "timed_out"
        }
    }

    public struct Throughput: Codable, Equatable, Sendable {
        /// Tasks stored a second, from the first create sent to the last result stored.
        public var completedPerSecond: Double
        /// Create calls answered a second, from the first sent to the last answered.
        public var createdPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case completedPerSecond = "completed_per_second"
            case createdPerSecond = "created_per_second"
        }
    }

    public struct Latency: Codable, Equatable, Sendable {
        /// The create call, as the client saw it.
        public var create: LatencySummary
        /// From creation to the stored result, on the API's clock.
        public var stored: LatencySummary
    }

    /// A reason tasks failed or timed out, and how many.
    public struct Problem: Codable, Equatable, Sendable {
        public var problem: String
        public var tasks: Int
    }

    public var settings: Settings
    public var tasks: Tasks
    /// The whole run, from start to end, in seconds.
    public var seconds: Double
    public var throughput: Throughput
    public var latency: Latency
    /// Completed tasks by the worker that stored them (`generated_by`).
    public var workers: [String: Int]
    /// `GET /v1/fractal/<uuid>` calls made to follow the tasks.
    public var polls: Int
    /// The commonest reasons for failures and time-outs, most frequent first (at most 10).
    public var problems: [Problem]
    /// Creates, completions and latencies in equal slices of the run, for plotting.
    public var timeline: [TimelineSlice]

    public init(_ run: LoadRun, endpoint: String) {
        let plan = run.plan
        var pacing = ("closed_loop", Int?.none, Double?.none)
        switch plan.pacing {
        case .closedLoop(let concurrency): pacing = ("closed_loop", concurrency, nil)
        case .openLoop(let perSecond): pacing = ("open_loop", nil, perSecond)
        }
        settings = Settings(
            endpoint: endpoint, pacing: pacing.0, concurrency: pacing.1, rate: pacing.2, tasks: plan.tasks,
            duration: plan.duration?.seconds, timeout: plan.timeout.seconds, verify: plan.verification)

        var tasks = Tasks()
        var createLatency = LatencyRecorder()
        var storedLatency = LatencyRecorder()
        var workers: [String: Int] = [:]
        var problems: [String: Int] = [:]
        for record in run.records {
            tasks.submitted += 1
            switch record.status {
            case .completed: tasks.completed += 1
            case .failed: tasks.failed += 1
            case .timedOut: tasks.timedOut += 1
            }
            if record.verified == true { tasks.verified += 1 }
            if let latency = record.createLatency { createLatency.record(latency) }
            if record.status == .completed, let latency = record.storedLatency {
                storedLatency.record(latency)
                workers[record.generatedBy ?? "unknown", default: 0] += 1
            }
            if let problem = record.problem { problems[problem, default: 0] += 1 }
        }
        self.tasks = tasks
        seconds = run.elapsed.seconds
        latency = Latency(create: createLatency.summary, stored: storedLatency.summary)
        self.workers = workers
        polls = run.polls
        self.problems = problems.map { Problem(problem: $0.key, tasks: $0.value) }
            .sorted { ($0.tasks, $1.problem) > ($1.tasks, $0.problem) }
            .prefix(10).map { $0 }

        let completed = run.records.filter { $0.status == .completed }
        let firstSent = run.records.map(\.sentAt).min() ?? .zero
        let lastStored = completed.compactMap(\.storedAt).max() ?? firstSent
        let lastAnswered = run.records.compactMap { record in record.createLatency.map { record.sentAt + $0 } }.max()
        throughput = Throughput(
            completedPerSecond: Self.rate(completed.count, over: lastStored - firstSent),
            createdPerSecond: Self.rate(createLatency.count, over: (lastAnswered ?? firstSent) - firstSent))
        timeline = TimelineSlice.slices(of: run.records, over: max(run.elapsed, lastStored))
    }

    static func rate(_ count: Int, over span: Duration) -> Double {
        span > .zero ? Double(count) / span.seconds : 0
    }

    /// True when every task was stored (and matched the render core where checked).
    public var allCompleted: Bool { tasks.completed == tasks.submitted && tasks.submitted > 0 }

    /// The report as JSON with sorted keys: one line, or indented for a file.
    public func json(pretty: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
