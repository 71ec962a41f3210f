import FaafoLatency
import FaafoProbes
import FaafoWire
import Foundation

/// What a run showed. In a simulation everything but `wallClock` follows from the
/// scenario and the seed, so two runs of the same scenario and seed give the same report
/// apart from it. A cluster run (real processes) has the same shape, with `cluster` in
/// place of `simulated`.
public struct SimulationReport: Codable, Sendable {
    public enum Mode: String, Codable, Sendable {
        case simulation, cluster
    }

    public enum Verdict: String, Codable, Sendable, Comparable {
        case pass
        /// A task was lost, stored twice, stored with a wrong checksum, or rendered two ways.
        case correctness
        /// The run did not reach a quiet state in time, or missed an expected figure.
        case liveness
        /// The run passed, but never reached a probe the scenario exists to exercise
        /// (`expect: reached`): its faults did not produce what they are there for.
        case unexercised

        /// The process exit status: 0 pass, 1 correctness, 2 liveness, 4 unexercised (3 is
        /// a bad scenario).
        public var exitCode: Int32 {
            switch self {
            case .pass: 0
            case .correctness: 1
            case .liveness: 2
            case .unexercised: 4
            }
        }

        private var rank: Int { [.pass: 0, .unexercised: 1, .liveness: 2, .correctness: 3][self]! }
        public static func < (a: Verdict, b: Verdict) -> Bool { a.rank < b.rank }
    }

    public struct TaskAccount: Codable, Sendable, Equatable {
        public var total = 0
        public var completed = 0
        public var lost = 0
        public var stuck = 0
        /// Tasks a worker gave up (status failed): valid tasks never should be.
        public var failed = 0
        public var storedTwice = 0
        public var wrongChecksum = 0
        /// Completed with no pixel checksum (an original faafo worker's result): not made by
        /// the render contract, so no checksum can judge it.
        public var outsideContract = 0
        public var renderedDifferently = 0
        /// Real tasks that ended in the dead-letter queue with no cause to give them up.
        public var deadLettered = 0
        /// Tasks an operator deleted (accounted apart: they must stay deleted).
        public var deleted = 0
        /// Tasks a fault gave a worker cause to give up, which ended failed with a reason.
        public var givenUp = 0
        /// Tasks completed by a worker the scenario makes render outside the contract.
        public var outsideContractByScenario = 0
        /// Real tasks in the dead-letter queue that a worker had cause to give up.
        public var deadLetteredWithCause = 0
        /// Tasks breaking each of the checker's other rules, by failure class.
        public var broken: [String: Int] = [:]

        enum CodingKeys: String, CodingKey {
            case total, completed, lost, stuck, failed, deleted, broken
            case storedTwice = "stored_twice"
            case wrongChecksum = "wrong_checksum"
            case outsideContract = "outside_contract"
            case renderedDifferently = "rendered_differently"
            case deadLettered = "dead_lettered"
            case givenUp = "given_up"
            case outsideContractByScenario = "outside_contract_by_scenario"
            case deadLetteredWithCause = "dead_lettered_with_cause"
        }
    }

    public struct PoisonAccount: Codable, Sendable, Equatable {
        public var published = 0
        public var deadLettered = 0

        package init(published: Int = 0, deadLettered: Int = 0) {
            self.published = published
            self.deadLettered = deadLettered
        }

        enum CodingKeys: String, CodingKey {
            case published
            case deadLettered = "dead_lettered"
        }
    }

    public struct FaultCounts: Codable, Sendable, Equatable {
        /// By step name.
        public var workerCrashes: [String: Int] = [:]
        public var slowRenders = 0
        public var consumerTimeouts = 0
        public var controllerCrashes = 0
        public var brokerRestarts = 0
        public var resultErrors = 0
        public var resultTimeouts = 0
        public var duplicateDeliveries = 0
        public var hostCrashes = 0
        public var partitions = 0
        /// Partitions long enough for the broker to close the host's consumers.
        public var partitionsNoticed = 0
        public var databaseRestarts = 0
        public var brokerNodeKills = 0
        /// Broker node kills that took the task queue's leader, and so an election.
        public var leaderElections = 0
        /// Publishes the broker nacked during an election (the API publishes them again).
        public var nackedPublishes = 0
        public var corruptResults = 0
        public var refusedResults = 0
        public var resultsLost = 0
        public var deletions = 0
        public var repeatedCreates = 0
        public var workerStops = 0

        package init() {}

        public var total: Int {
            workerCrashes.values.reduce(0, +) + slowRenders + controllerCrashes + brokerRestarts + resultErrors
                + resultTimeouts + duplicateDeliveries + hostCrashes + partitions + databaseRestarts + brokerNodeKills
                + corruptResults + refusedResults + resultsLost + deletions + repeatedCreates + workerStops
        }

        enum CodingKeys: String, CodingKey {
            case workerCrashes = "worker_crashes"
            case slowRenders = "slow_renders"
            case consumerTimeouts = "consumer_timeouts"
            case controllerCrashes = "controller_crashes"
            case brokerRestarts = "broker_restarts"
            case resultErrors = "result_5xx"
            case resultTimeouts = "result_timeouts"
            case duplicateDeliveries = "duplicate_deliveries"
            case hostCrashes = "host_crashes"
            case partitions
            case partitionsNoticed = "partitions_noticed"
            case databaseRestarts = "database_restarts"
            case brokerNodeKills = "broker_node_kills"
            case leaderElections = "leader_elections"
            case nackedPublishes = "nacked_publishes"
            case corruptResults = "corrupt_results"
            case refusedResults = "refused_results"
            case resultsLost = "results_lost"
            case deletions
            case repeatedCreates = "repeated_creates"
            case workerStops = "worker_stops"
        }
    }

    public struct Counters: Codable, Sendable, Equatable {
        public var events = 0
        public var deliveries = 0
        public var redeliveries = 0
        /// Renders done for real, and first renders served from the cache.
        public var renders = 0
        public var cacheHits = 0
        public var resultAttempts = 0
        public var refusedResults = 0
        /// Messages the workers dead-lettered (poison, or a render that failed).
        public var deadLettered = 0
        /// Acks and rejects the queue refused (their consumer had been closed).
        public var staleSettles = 0
        public var createErrors = 0
        /// Creates cut off by their controller's crash: stored, left in the outbox.
        public var cutOffCreates = 0

        package init() {}

        enum CodingKeys: String, CodingKey {
            case events, deliveries, redeliveries, renders
            case cacheHits = "cache_hits"
            case resultAttempts = "result_attempts"
            case refusedResults = "refused_results"
            case deadLettered = "dead_lettered"
            case staleSettles = "stale_settles"
            case createErrors = "create_errors"
            case cutOffCreates = "cut_off_creates"
        }
    }

    public struct SimulatedTime: Codable, Sendable, Equatable {
        /// From the first tick to the last completion.
        public var seconds: Double
        /// Tasks completed per simulated second.
        public var throughput: Double
        /// From a task's arrival to its result being stored, in simulated milliseconds.
        public var latency: LatencySummary
    }

    /// A cluster run's measured figures.
    public struct ClusterFigures: Codable, Sendable, Equatable {
        /// From the first create to the moment every task was seen completed.
        public var seconds: Double
        public var tasksPerSecond: Double
        /// The create calls (POST /v1/fractal), in milliseconds.
        public var createLatency: LatencySummary
        /// From a task's `created_at` to its `completed_at` (the API's clock), in milliseconds.
        public var storedLatency: LatencySummary
        /// Create calls tried again (the API was down, say).
        public var createRetries: Int
        /// Faults that could not be injected (every worker down already, say).
        public var faultsSkipped: Int
        /// The real faults injected, by kind (worker-kill, worker-pause, api-restart, …).
        public var faultsInjected: [String: Int]
        /// Seconds from each broker node's kill to the first task completed after it, and
        /// to the completion of the first task created after it (its publish went through
        /// the cluster as it was after the kill).
        public var brokerNodeKillToCompletion: [Double]?
        public var brokerNodeKillToNewTaskCompletion: [Double]?

        package init(
            seconds: Double, tasksPerSecond: Double, createLatency: LatencySummary, storedLatency: LatencySummary,
            createRetries: Int, faultsSkipped: Int, faultsInjected: [String: Int],
            brokerNodeKillToCompletion: [Double]? = nil, brokerNodeKillToNewTaskCompletion: [Double]? = nil
        ) {
            self.brokerNodeKillToCompletion = brokerNodeKillToCompletion
            self.brokerNodeKillToNewTaskCompletion = brokerNodeKillToNewTaskCompletion
            self.seconds = seconds
            self.tasksPerSecond = tasksPerSecond
            self.createLatency = createLatency
            self.storedLatency = storedLatency
            self.createRetries = createRetries
            self.faultsSkipped = faultsSkipped
            self.faultsInjected = faultsInjected
        }

        enum CodingKeys: String, CodingKey {
            case seconds
            case tasksPerSecond = "tasks_per_second"
            case createLatency = "create_latency"
            case storedLatency = "stored_latency"
            case createRetries = "create_retries"
            case faultsSkipped = "faults_skipped"
            case faultsInjected = "faults_injected"
            case brokerNodeKillToCompletion = "broker_node_kill_to_completion"
            case brokerNodeKillToNewTaskCompletion = "broker_node_kill_to_new_task_completion"
        }
    }

    /// The only fields that depend on the machine.
    public struct WallClock: Codable, Sendable, Equatable {
        public var seconds: Double
        public var tasksPerSecond: Double

        package init(seconds: Double, tasksPerSecond: Double) {
            self.seconds = seconds
            self.tasksPerSecond = tasksPerSecond
        }

        enum CodingKeys: String, CodingKey {
            case seconds
            case tasksPerSecond = "tasks_per_second"
        }
    }

    public var scenario: String
    public var mode: Mode
    public var settings: SimulationSettings
    public var verdict: Verdict
    /// One sentence a failure.
    public var failures: [String]
    public var tasks: TaskAccount
    public var poison: PoisonAccount
    public var faults: FaultCounts
    public var counters: Counters
    /// A simulation's figures in simulated time; nil for a cluster run.
    public var simulated: SimulatedTime?
    /// A cluster run's figures; nil for a simulation.
    public var cluster: ClusterFigures?
    public var wallClock: WallClock
    /// How many times each probe was reached, by name (a simulation's only).
    public var probes: [String: Int]?
    /// The uuids of each failure class's tasks, in the order the checker found them.
    public var failingTasks: [String: [String]]?
    /// The history of the first failing tasks of each class (`TaskStory`).
    public var stories: [TaskStory]?

    package init(
        scenario: String, mode: Mode, settings: SimulationSettings, verdict: Verdict, failures: [String],
        tasks: TaskAccount, poison: PoisonAccount, faults: FaultCounts, counters: Counters, simulated: SimulatedTime?,
        cluster: ClusterFigures?, wallClock: WallClock
    ) {
        self.scenario = scenario
        self.mode = mode
        self.settings = settings
        self.verdict = verdict
        self.failures = failures
        self.tasks = tasks
        self.poison = poison
        self.faults = faults
        self.counters = counters
        self.simulated = simulated
        self.cluster = cluster
        self.wallClock = wallClock
    }

    enum CodingKeys: String, CodingKey {
        case scenario, mode, settings, verdict, failures, tasks, poison, faults, counters, simulated, cluster, probes, stories
        case wallClock = "wall_clock"
        case failingTasks = "failing_tasks"
    }

    /// JSON with sorted keys: byte for byte the same for the same run, `wall_clock` aside.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The report without its wall-clock fields, for comparing two runs.
    public var deterministicPart: SimulationReport {
        var copy = self
        copy.wallClock = WallClock(seconds: 0, tasksPerSecond: 0)
        return copy
    }

    /// The summary for a terminal (the settings, printed before the run, aside), with the
    /// failing tasks' stories.
    public var summary: String { summary(withStories: true) }

    public func summary(withStories: Bool) -> String {
        let crashes = faults.workerCrashes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        var lines: [String] = []
        lines.append(
            "scenario \(scenario)\(mode == .cluster ? " on a real cluster" : ""): "
                + (verdict == .pass ? "PASS" : "FAIL (\(verdict.rawValue))"))
        lines.append(
            "  tasks       \(tasks.total): \(tasks.completed) completed, \(tasks.lost) lost, \(tasks.stuck) stuck, \(tasks.failed) failed, "
                + "\(tasks.storedTwice) stored twice, \(tasks.wrongChecksum) wrong checksum, "
                + (tasks.outsideContract > 0 ? "\(tasks.outsideContract) \(ResultOrigin.outsideContract), " : "")
                + "\(tasks.renderedDifferently) rendered differently, \(tasks.deadLettered) dead-lettered")
        var expected: [String] = []
        if tasks.givenUp > 0 { expected.append("\(tasks.givenUp) given up with a cause (failed, with a reason)") }
        if tasks.deleted > 0 { expected.append("\(tasks.deleted) deleted by an operator") }
        if tasks.outsideContractByScenario > 0 {
            expected.append("\(tasks.outsideContractByScenario) completed by a disagreeing worker")
        }
        if tasks.deadLetteredWithCause > 0 { expected.append("\(tasks.deadLetteredWithCause) dead-lettered with a cause") }
        if !expected.isEmpty { lines.append("              as the faults allow: " + expected.joined(separator: ", ")) }
        lines.append("  poison      \(poison.published) published, \(poison.deadLettered) dead-lettered")
        if mode == .simulation {
            lines.append(
                "  faults      \(faults.total): worker crashes [\(crashes.joined(separator: ", "))], "
                    + "slow renders \(faults.slowRenders) (consumer timeouts \(faults.consumerTimeouts)), "
                    + "controller crashes \(faults.controllerCrashes) (\(counters.cutOffCreates) creates cut off), "
                    + "broker restarts \(faults.brokerRestarts), result 5xx \(faults.resultErrors), "
                    + "result timeouts \(faults.resultTimeouts), duplicate deliveries \(faults.duplicateDeliveries), "
                    + "host crashes \(faults.hostCrashes), partitions \(faults.partitions) "
                    + "(\(faults.partitionsNoticed) noticed by the broker), database restarts \(faults.databaseRestarts), "
                    + "broker node kills \(faults.brokerNodeKills) (\(faults.leaderElections) elections, "
                    + "\(faults.nackedPublishes) publishes nacked)"
                    + [
                        ("corrupt results", faults.corruptResults), ("refused results", faults.refusedResults),
                        ("results lost", faults.resultsLost), ("deletions", faults.deletions),
                        ("repeated creates", faults.repeatedCreates), ("graceful worker stops", faults.workerStops),
                    ].filter { $0.1 > 0 }.map { ", \($0.0) \($0.1)" }.joined())
            lines.append(
                "  queue       \(counters.deliveries) deliveries, \(counters.redeliveries) redeliveries, "
                    + "\(counters.deadLettered) dead-lettered by workers, \(counters.staleSettles) stale acks/rejects")
            lines.append(
                "  renders     \(counters.renders) rendered, \(counters.cacheHits) from the cache; "
                    + "\(counters.resultAttempts) result PUTs, \(counters.refusedResults) refused")
        } else {
            lines.append(
                "  queue       \(counters.redeliveries) redeliveries (from the workers' logs), "
                    + "\(counters.deadLettered) dead-lettered by workers")
        }
        if let simulated {
            lines.append(
                "  simulated   \(String(format: "%.3f", simulated.seconds)) s, \(String(format: "%.1f", simulated.throughput)) tasks/s, "
                    + "latency \(simulated.latency.line), \(counters.events) events")
        }
        if let cluster {
            let injected = cluster.faultsInjected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append(
                "  real faults \(injected.isEmpty ? "none" : injected.joined(separator: ", ")), "
                    + "\(cluster.faultsSkipped) skipped; \(cluster.createRetries) creates retried")
            lines.append(
                "  cluster     \(String(format: "%.3f", cluster.seconds)) s, \(String(format: "%.1f", cluster.tasksPerSecond)) tasks/s; "
                    + "create \(cluster.createLatency.line); created to stored \(cluster.storedLatency.line)")
            if let recoveries = cluster.brokerNodeKillToCompletion, !recoveries.isEmpty {
                let seconds = { (values: [Double]?) in (values ?? []).map { String(format: "%.2f s", $0) }.joined(separator: ", ") }
                lines.append(
                    "  recovery    broker node kill to the next task completed: \(seconds(recoveries)); "
                        + "to the first task created after it completed: \(seconds(cluster.brokerNodeKillToNewTaskCompletion))")
            }
        }
        lines.append(
            "  wall clock  \(String(format: "%.3f", wallClock.seconds)) s, \(String(format: "%.0f", wallClock.tasksPerSecond)) tasks/s")
        if let probes {
            let reached = probes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("  probes      \(probes.count) of \(Probe.all.count) reached: \(reached.joined(separator: ", "))")
        }
        for failure in failures { lines.append("  ✗ \(failure)") }
        if withStories { for story in stories ?? [] { lines += story.lines } }
        return lines.joined(separator: "\n")
    }
}
