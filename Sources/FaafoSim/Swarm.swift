import FaafoProbes
import Foundation

/// Many seeds of one scenario, two (or the machine's cores) at a time; each run is as
/// deterministic as alone, since runs share nothing.
public enum Swarm {
    public struct Outcome: Codable, Sendable {
        public let seed: UInt64
        public let verdict: SimulationReport.Verdict
        public let failures: [String]
        /// The probes the seed's run reached.
        public let probes: [String]
        /// With `--explore`: the seed whose cluster sizes the run took (`--settings-seed`).
        public var settingsFrom: UInt64? = nil
        /// The cluster the run drew: workers, concurrency, controllers, hosts.
        public var cluster: String = ""
    }

    /// For each probe, how many seeds of a swarm reached it; and the probes none reached.
    public struct Coverage: Sendable {
        public let seedsReaching: [String: Int]
        public let unreached: [String]

        /// Lines for a terminal: each probe reached with its seeds, then those no seed reached.
        public func lines(seeds: Int) -> [String] {
            let reached = seedsReaching.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)/\(seeds)" }
            return [
                "  probes reached (seeds): \(reached.isEmpty ? "none" : reached.joined(separator: ", "))",
                "  probes no seed reached: \(unreached.isEmpty ? "none" : unreached.joined(separator: ", "))",
            ]
        }
    }

    /// The probes `scenario` names (`expect: reached`) that no seed of the swarm reached.
    public static func unexercised(by outcomes: [Outcome], _ scenario: Scenario) -> [String] {
        let reached = Set(outcomes.flatMap(\.probes))
        return scenario.expect.reached.filter { !reached.contains($0) }
    }

    public static func coverage(_ outcomes: [Outcome]) -> Coverage {
        var seeds: [String: Int] = [:]
        for outcome in outcomes {
            for probe in outcome.probes { seeds[probe, default: 0] += 1 }
        }
        return Coverage(seedsReaching: seeds, unreached: Probe.all.map(\.name).filter { seeds[$0] == nil })
    }

    /// Runs every seed in `seeds`, in order of seed in the result. `progress` is told
    /// after each run how many are done.
    ///
    /// With `explore`, seeds run in rounds of `exploreRound`; from the second round on,
    /// every other seed takes the cluster sizes of a seed that reached one of the rarest
    /// probes so far (reached by the fewest seeds), so that the swarm spends more of its
    /// seeds where the rare situations happen. The rounds do not depend on `parallelism`:
    /// the output is the same whatever the number of jobs.
    public static func run(
        _ scenario: Scenario, seeds: ClosedRange<UInt64>, taskCount: Int?, scenarioFile: String,
        parallelism: Int, explore: Bool = false, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws(ScenarioError) -> [Outcome] {
        // Surface a bad fixture once, before starting many runs.
        _ = try Simulation(scenario: scenario, seed: seeds.lowerBound, taskCount: 1, scenarioFile: scenarioFile)
        var outcomes: [Outcome] = []
        let all = Array(seeds)
        let rounds = explore ? stride(from: 0, to: all.count, by: exploreRound).map { Array(all[$0..<min($0 + exploreRound, all.count)]) } : [all]
        for round in rounds {
            let favoured = explore ? Self.favoured(outcomes) : []
            let plan = round.map { seed -> (UInt64, UInt64?) in
                guard !favoured.isEmpty, seed % 2 == 1 else { return (seed, nil) }
                return (seed, favoured[Int(seed / 2 % UInt64(favoured.count))])
            }
            let done = outcomes.count
            outcomes += await runAll(plan, scenario, taskCount, scenarioFile, parallelism) { progress(done + $0) }
        }
        return outcomes.sorted { $0.seed < $1.seed }
    }

    /// Seeds an exploring swarm runs between two looks at the probes reached.
    static let exploreRound = 16

    /// The seeds that reached the probes the fewest seeds reached (but some did), in
    /// order of seed.
    static func favoured(_ outcomes: [Outcome]) -> [UInt64] {
        var seedsReaching: [String: Int] = [:]
        for outcome in outcomes { for probe in outcome.probes { seedsReaching[probe, default: 0] += 1 } }
        guard let rarest = seedsReaching.values.min() else { return [] }
        let rare = Set(seedsReaching.filter { $0.value == rarest }.keys)
        return outcomes.filter { !rare.isDisjoint(with: $0.probes) }.map { $0.settingsFrom ?? $0.seed }
            .reduce(into: [UInt64]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
    }

    static func runAll(
        _ plan: [(seed: UInt64, settingsFrom: UInt64?)], _ scenario: Scenario, _ taskCount: Int?, _ scenarioFile: String,
        _ parallelism: Int, progress: @escaping @Sendable (Int) -> Void
    ) async -> [Outcome] {
        var outcomes: [Outcome] = []
        var next = 0
        await withTaskGroup(of: Outcome.self) { group in
            func start() {
                guard next < plan.count else { return }
                let (seed, settingsFrom) = plan[next]
                next += 1
                group.addTask {
                    let simulation = try? Simulation(
                        scenario: scenario, seed: seed, taskCount: taskCount, scenarioFile: scenarioFile, keepTrace: false,
                        settingsFrom: settingsFrom)
                    guard let simulation else {
                        return Outcome(seed: seed, verdict: .correctness, failures: ["the run could not start"], probes: [])
                    }
                    let report = await simulation.run()
                    // A seed need not reach every probe the scenario names: the swarm must
                    // (`unexercised(by:)`), so a seed that only missed some passes.
                    let missedOnly = report.verdict == .unexercised
                    let settings = report.settings
                    return Outcome(
                        seed: seed, verdict: missedOnly ? .pass : report.verdict,
                        failures: missedOnly ? [] : report.failures, probes: (report.probes ?? [:]).keys.sorted(),
                        settingsFrom: settingsFrom,
                        cluster: "\(settings.workers)×\(settings.concurrency) workers, \(settings.controllers) controller(s), \(settings.hosts) host(s)")
                }
            }
            for _ in 0..<max(1, parallelism) { start() }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                progress(outcomes.count)
                start()
            }
        }
        return outcomes
    }

    /// `A..B` (or one seed) as a range; nil if the text is not one.
    public static func seeds(_ text: String) -> ClosedRange<UInt64>? {
        let parts = text.components(separatedBy: "..")
        guard parts.count <= 2, let low = UInt64(parts[0]), let high = UInt64(parts.last!), low <= high else {
            return nil
        }
        return low...high
    }
}
