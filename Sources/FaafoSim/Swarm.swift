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
    public static func run(
        _ scenario: Scenario, seeds: ClosedRange<UInt64>, taskCount: Int?, scenarioFile: String,
        parallelism: Int, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws(ScenarioError) -> [Outcome] {
        // Surface a bad fixture once, before starting many runs.
        _ = try Simulation(scenario: scenario, seed: seeds.lowerBound, taskCount: 1, scenarioFile: scenarioFile)
        var outcomes: [Outcome] = []
        var next = seeds.lowerBound
        var exhausted = false
        await withTaskGroup(of: Outcome.self) { group in
            func start() {
                guard !exhausted else { return }
                let seed = next
                if next == seeds.upperBound { exhausted = true } else { next += 1 }
                group.addTask {
                    let simulation = try? Simulation(
                        scenario: scenario, seed: seed, taskCount: taskCount, scenarioFile: scenarioFile, keepTrace: false)
                    guard let report = await simulation?.run() else {
                        return Outcome(seed: seed, verdict: .correctness, failures: ["the run could not start"], probes: [])
                    }
                    // A seed need not reach every probe the scenario names: the swarm must
                    // (`unexercised(by:)`), so a seed that only missed some passes.
                    let missedOnly = report.verdict == .unexercised
                    return Outcome(
                        seed: seed, verdict: missedOnly ? .pass : report.verdict,
                        failures: missedOnly ? [] : report.failures, probes: (report.probes ?? [:]).keys.sorted())
                }
            }
            for _ in 0..<max(1, parallelism) { start() }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                progress(outcomes.count)
                start()
            }
        }
        return outcomes.sorted { $0.seed < $1.seed }
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
