import Foundation

/// Takes a failing run and makes it as small as it can while it still fails the same way
/// (`faafo-sim shrink`): it makes the run's faults explicit (what the run injected, as
/// `faults.schedule`), then removes faults by delta debugging (Zeller's ddmin), then
/// tasks (keeping those `workload.only` names), then workers, controllers, concurrency,
/// hosts and poison, then makes each fault strike earlier and last less. Every candidate
/// is a whole simulation, judged by the same checker; the result is a scenario whose
/// faults are all explicit, which replays with no draw.
public struct Shrinker {
    public let scenario: Scenario
    public let seed: UInt64
    public let taskCount: Int?
    public let scenarioFile: String

    public init(scenario: Scenario, seed: UInt64, taskCount: Int? = nil, scenarioFile: String = "") {
        self.scenario = scenario
        self.seed = seed
        self.taskCount = taskCount
        self.scenarioFile = scenarioFile
    }

    /// How big a run is: what the shrinker makes smaller.
    public struct Size: Sendable, Equatable, CustomStringConvertible {
        public var tasks: Int
        public var faults: Int
        public var workers: Int
        public var controllers: Int
        public var concurrency: Int
        public var hosts: Int
        public var poison: Int
        public var events: Int

        public var description: String {
            "\(tasks) task(s), \(faults) fault(s), \(workers) worker(s) × concurrency \(concurrency), "
                + "\(controllers) controller(s), \(hosts) host(s), \(poison) poison, \(events) events"
        }
    }

    public struct Result: Sendable {
        /// The failure class kept: the first of the original run's, in the checker's order.
        public let failure: String
        public let before: Size
        public let after: Size
        /// The minimal scenario: its faults explicit, its tasks those `workload.only` names.
        public let scenario: Scenario
        /// Simulations run to find it.
        public let runs: Int
        /// The minimal run's report, which fails the same way.
        public let report: SimulationReport
    }

    public struct NothingToShrink: Error, CustomStringConvertible {
        public let description: String
    }

    /// Shrinks the run; throws `NothingToShrink` when it passes, and `ScenarioError` for a
    /// scenario that cannot run. `progress` is told what each step achieved.
    public func shrink(progress: (String) -> Void = { _ in }) async throws -> Result {
        var search = Search(seed: seed, scenarioFile: scenarioFile)
        let original = try Simulation(scenario: scenario, seed: seed, taskCount: taskCount, scenarioFile: scenarioFile)
        let first = await original.run()
        search.runs += 1
        guard let failure = Self.failureClass(of: first) else {
            throw NothingToShrink(description: "the run passes (seed \(seed)): there is no failure to shrink")
        }
        search.failure = failure
        progress("the run fails with \(failure); shrinking while it still does")

        // The run's own faults, made explicit: the same run, with no draw.
        var current = scenario
        current.workload.tasks = taskCount ?? scenario.workload.tasks
        current.cluster.controllers = .init(first.settings.controllers)
        current.cluster.workers = .init(first.settings.workers)
        current.cluster.concurrency = .init(first.settings.concurrency)
        current.cluster.prefetch = .init(first.settings.prefetch)
        current.cluster.hosts = .init(first.settings.hosts)
        current.faults.schedule = original.injectedFaults
        current.expect.reached = []
        let before = Size(
            tasks: first.settings.tasks, faults: original.injectedFaults.count, workers: first.settings.workers,
            controllers: first.settings.controllers, concurrency: first.settings.concurrency,
            hosts: first.settings.hosts, poison: first.settings.poison, events: first.counters.events)
        guard var best = await search.fails(current) else {
            throw NothingToShrink(description: "the run's faults, made explicit, no longer fail the same way")
        }

        // Faults: delta debugging over the list.
        await search.minimizeFaults(&current, &best)
        progress("faults: \(before.faults) → \(current.faults.schedule?.count ?? 0)")

        // Tasks: first only those the faults and the failure name, then one by one.
        let all = current.workload.only ?? Array(0..<current.workload.tasks)
        let needed = Set((current.faults.schedule ?? []).compactMap(\.task)).union(
            (best.failingTasks?[failure] ?? []).prefix(1).compactMap { best.taskNumbers[$0] })
        var candidate = current
        candidate.workload.only = all.filter(needed.contains)
        if let report = await search.fails(candidate) {
            current = candidate
            best = report
        }
        let tasks = await search.minimize(current.workload.only ?? all) { only in
            var candidate = current
            candidate.workload.only = only
            candidate.faults.schedule = current.faults.schedule?.filter { $0.task.map(only.contains) ?? true }
            return candidate
        }
        current.workload.only = tasks.items
        current.faults.schedule = current.faults.schedule?.filter { $0.task.map(tasks.items.contains) ?? true }
        if let report = tasks.report { best = report }
        progress("tasks: \(before.tasks) → \(tasks.items.count)")

        // The cluster: fewer of everything, smallest first.
        for (name, shrinkOne) in Self.clusterSteps {
            for value in shrinkOne(current) {
                var candidate = current
                candidate.apply(name, value)
                if let report = await search.fails(candidate) {
                    current = candidate
                    best = report
                    break
                }
            }
        }
        // The faults again: with fewer tasks and workers, some may no longer be needed.
        await search.minimizeFaults(&current, &best)

        // Each fault's timing: earlier, on an earlier occurrence, for less long.
        for index in (current.faults.schedule ?? []).indices {
            for variant in Self.simpler(current.faults.schedule![index]) {
                var candidate = current
                candidate.faults.schedule![index] = variant
                if let report = await search.fails(candidate) {
                    current = candidate
                    best = report
                }
            }
        }
        current.name = scenario.name + "-shrunk"
        current.seed = seed
        let after = Size(
            tasks: best.settings.tasks, faults: current.faults.schedule?.count ?? 0, workers: best.settings.workers,
            controllers: best.settings.controllers, concurrency: best.settings.concurrency, hosts: best.settings.hosts,
            poison: best.settings.poison, events: best.counters.events)
        return Result(failure: failure, before: before, after: after, scenario: current, runs: search.runs, report: best)
    }

    /// The failure class a shrink keeps: the first class of task the checker failed, in its
    /// own order, else the verdict (a liveness failure with no failing task, say).
    static func failureClass(of report: SimulationReport) -> String? {
        guard report.verdict != .pass else { return nil }
        let failing = report.failingTasks ?? [:]
        return Tally.Kind.allCases.map(\.rawValue).first { !(failing[$0] ?? []).isEmpty } ?? report.verdict.rawValue
    }

    /// The smaller values to try for each size of the cluster, smallest first.
    static let clusterSteps: [(String, @Sendable (Scenario) -> [Int])] = [
        ("workers", { Array(1..<($0.cluster.workers.range.lowerBound)) }),
        ("controllers", { Array(1..<($0.cluster.controllers.range.lowerBound)) }),
        ("concurrency", { Array(1..<($0.cluster.concurrency.range.lowerBound)) }),
        ("prefetch", { Array(1..<($0.cluster.prefetch?.range.lowerBound ?? 1)) }),
        ("hosts", { Array(1..<($0.cluster.hosts?.range.lowerBound ?? 1)) }),
        ("poison", { $0.faults.poison > 0 ? [0] : [] }),
    ]

    /// Simpler versions of a fault to try, simplest first: its first occurrence, earlier,
    /// shorter.
    static func simpler(_ fault: ScheduledFault) -> [ScheduledFault] {
        var variants: [ScheduledFault] = []
        if let occurrence = fault.occurrence, occurrence > 1, fault.kind != .failureRace {
            var first = fault
            first.occurrence = 1
            variants.append(first)
        }
        if let at = fault.at, at > 0 {
            for fraction in [0.0, 0.5] {
                var earlier = fault
                earlier.at = Tick(Double(at) * fraction)
                variants.append(earlier)
            }
        }
        if let length = fault.length, length > 1_000 {
            for fraction in [0.1, 0.5] {
                var shorter = fault
                shorter.length = Tick(Double(length) * fraction)
                variants.append(shorter)
            }
        }
        return variants
    }

    /// The runs of one shrink: whether a candidate fails the same way, counted.
    struct Search {
        let seed: UInt64
        let scenarioFile: String
        var failure = ""
        var runs = 0

        /// The candidate's report when it fails with the failure class kept; nil when it
        /// passes, fails otherwise, or cannot run.
        mutating func fails(_ candidate: Scenario) async -> SimulationReport? {
            runs += 1
            guard let simulation = try? Simulation(scenario: candidate, seed: seed, scenarioFile: scenarioFile) else {
                return nil
            }
            let report = await simulation.run()
            return Shrinker.failureClass(of: report) == failure ? report : nil
        }

        /// Takes away the faults of `scenario` that its failure does not need; `best` is
        /// the report of the last candidate that still failed.
        mutating func minimizeFaults(_ scenario: inout Scenario, _ best: inout SimulationReport) async {
            let base = scenario
            let found = await minimize(base.faults.schedule ?? []) { faults in
                var candidate = base
                candidate.faults.schedule = faults
                return candidate
            }
            scenario.faults.schedule = found.items
            if let report = found.report { best = report }
        }

        /// Zeller's ddmin: a smallest sublist of `items` (none can be taken away alone) for
        /// which `make` still fails, with that run's report (nil if `items` was minimal).
        mutating func minimize<Item>(_ items: [Item], _ make: ([Item]) -> Scenario) async -> (
            items: [Item], report: SimulationReport?
        ) {
            var current = items
            var report: SimulationReport?
            if !current.isEmpty, let none = await fails(make([])) { return ([], none) }
            var granularity = 2
            while current.count >= 2 {
                let chunk = (current.count + granularity - 1) / granularity
                let parts = stride(from: 0, to: current.count, by: chunk).map { Array(current[$0..<min($0 + chunk, current.count)]) }
                var reduced = false
                for part in parts {
                    if let found = await fails(make(part)) {
                        current = part
                        report = found
                        granularity = 2
                        reduced = true
                        break
                    }
                }
                if !reduced {
                    for index in parts.indices where parts.count > 2 {
                        let complement = parts.enumerated().filter { $0.offset != index }.flatMap(\.element)
                        if let found = await fails(make(complement)) {
                            current = complement
                            report = found
                            granularity = max(granularity - 1, 2)
                            reduced = true
                            break
                        }
                    }
                }
                if !reduced {
                    guard granularity < current.count else { break }
                    granularity = min(current.count, granularity * 2)
                }
            }
            return (current, report)
        }
    }
}

extension Scenario {
    /// Sets one size of the cluster (a shrink step).
    mutating func apply(_ name: String, _ value: Int) {
        switch name {
        case "workers": cluster.workers = .init(value)
        case "controllers": cluster.controllers = .init(value)
        case "concurrency":
            cluster.concurrency = .init(value)
            if let prefetch = cluster.prefetch, prefetch.range.lowerBound > value { cluster.prefetch = .init(value) }
        case "prefetch": cluster.prefetch = .init(value)
        case "hosts": cluster.hosts = .init(value)
        case "poison": faults.poison = value
        default: break
        }
    }
}

extension SimulationReport {
    /// The workload number of each task the report names (from its stories).
    var taskNumbers: [String: Int] {
        Dictionary((stories ?? []).compactMap { story in story.index.map { (story.task, $0) } }, uniquingKeysWith: { a, _ in a })
    }
}
