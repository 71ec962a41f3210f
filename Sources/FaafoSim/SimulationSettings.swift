/// Everything a run decided from its seed before the first event: printed first, so that
/// a reader of a failing run knows the whole setup.
public struct SimulationSettings: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var tasks: Int
    public var poison: Int
    public var controllers: Int
    public var workers: Int
    public var concurrency: Int
    public var prefetch: Int
    /// The hosts the workers run on (worker i on host i mod hosts).
    public var hosts: Int
    /// The seeds each part of the run drew from, split from `seed`.
    public var seeds: PartSeeds
    /// When the fault phase ends (simulated seconds); the recovery phase follows.
    public var faultPhaseEnd: String
    public var renderCache: Bool

    public struct PartSeeds: Codable, Sendable, Equatable {
        public var settings: UInt64
        public var workload: UInt64
        public var identities: UInt64
        public var faults: UInt64
    }

    enum CodingKeys: String, CodingKey {
        case seed, tasks, poison, controllers, workers, concurrency, prefetch, hosts, seeds
        case faultPhaseEnd = "fault_phase_end"
        case renderCache = "render_cache"
    }

    /// One line each: the seed first, then what was drawn from it.
    public var lines: [String] {
        [
            "seed \(seed)",
            "  seeds: settings \(seeds.settings), workload \(seeds.workload), identities \(seeds.identities), faults \(seeds.faults)",
            "  \(tasks) tasks, \(poison) poison, \(controllers) controller(s), \(workers) worker(s) × concurrency \(concurrency), prefetch \(prefetch), \(hosts) host(s)",
            "  fault phase until \(faultPhaseEnd), render cache \(renderCache ? "on (the workload repeats parameters)" : "off")",
        ]
    }
}
