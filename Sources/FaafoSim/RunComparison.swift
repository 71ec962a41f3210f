/// A simulation and a real cluster's run of one scenario and seed, set side by side
/// (`faafo-sim run --cluster --compare`): the same tasks and the same faults drawn, so
/// that a class of outcome where the two differ shows where the simulator models the
/// services, the broker or the faults unlike the real ones.
public struct RunComparison: Sendable {
    public struct Row: Sendable, Equatable {
        public let what: String
        public let simulation: String
        public let cluster: String
        /// Whether a difference here says something: outcomes must agree; counts that
        /// depend on timing (redeliveries, say) may differ, and are shown as such.
        public let mustAgree: Bool

        public var differs: Bool { simulation != cluster }
    }

    public let rows: [Row]
    public let simulationVerdict: SimulationReport.Verdict
    public let clusterVerdict: SimulationReport.Verdict

    public init(simulation: SimulationReport, cluster: SimulationReport) {
        simulationVerdict = simulation.verdict
        clusterVerdict = cluster.verdict
        var rows: [Row] = []
        func add(_ what: String, _ a: some CustomStringConvertible, _ b: some CustomStringConvertible, mustAgree: Bool = true) {
            rows.append(Row(what: what, simulation: a.description, cluster: b.description, mustAgree: mustAgree))
        }
        add("verdict", simulation.verdict.rawValue, cluster.verdict.rawValue)
        let (s, c) = (simulation.tasks, cluster.tasks)
        add("tasks", s.total, c.total)
        add("completed", s.completed, c.completed)
        add("lost", s.lost, c.lost)
        add("stuck", s.stuck, c.stuck)
        add("failed", s.failed + s.givenUp, c.failed + c.givenUp)
        add("stored twice", s.storedTwice, c.storedTwice)
        add("wrong checksum", s.wrongChecksum, c.wrongChecksum)
        add("rendered differently", s.renderedDifferently, c.renderedDifferently)
        add("real tasks dead-lettered", s.deadLettered + s.deadLetteredWithCause, c.deadLettered + c.deadLetteredWithCause)
        add("poison published", simulation.poison.published, cluster.poison.published)
        add("poison dead-lettered", simulation.poison.deadLettered, cluster.poison.deadLettered)
        for (kind, count) in s.broken.merging(c.broken.mapValues { _ in 0 }, uniquingKeysWith: { a, _ in a }).sorted(by: { $0.key < $1.key }) {
            add(kind, count, c.broken[kind] ?? 0)
        }
        add("redeliveries", simulation.counters.redeliveries, cluster.counters.redeliveries, mustAgree: false)
        add("dead-lettered by workers", simulation.counters.deadLettered, cluster.counters.deadLettered, mustAgree: false)
        add("failure sentences", simulation.failures.count, cluster.failures.count)
        self.rows = rows
    }

    /// The outcomes that must agree and do not.
    public var disagreements: [Row] { rows.filter { $0.mustAgree && $0.differs } }

    public var lines: [String] {
        var lines = ["compared with the simulation of the same seed (probes are not recorded on real processes):"]
        lines.append("  " + "class".padding(toLength: 26, withPad: " ", startingAt: 0) + "simulation".padding(toLength: 14, withPad: " ", startingAt: 0) + "cluster")
        for row in rows {
            let mark = row.differs ? (row.mustAgree ? "  ≠ differs" : "  ~ timing") : ""
            lines.append(
                "  " + row.what.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + row.simulation.padding(toLength: 14, withPad: " ", startingAt: 0) + row.cluster + mark)
        }
        lines.append(
            disagreements.isEmpty
                ? "  the two agree on every outcome"
                : "  ✗ they differ on \(disagreements.map(\.what).joined(separator: ", ")): the simulator models this run unlike the real services")
        return lines
    }
}
