/// Where a run's faults come from, and what it injected. Drawn from the seed at each place
/// a fault can strike (a task's delivery, PUT, create, a controller's call), or, for a
/// scenario with `faults.schedule`, looked up in that list and never drawn. Either way every
/// fault injected is recorded as a `ScheduledFault`, so that a run can be replayed with its
/// faults explicit, or with some of them only (`faafo-sim shrink`).
struct FaultPlan {
    /// A place a fault can strike: a kind, a task's n-th occurrence, and for crashes the
    /// named point.
    struct Site: Hashable {
        let kind: FaultKind
        let task: Int
        let occurrence: Int
        let point: String?
    }

    /// The explicit faults by the site they strike; nil when faults are drawn.
    private let explicit: [Site: ScheduledFault]?
    /// Explicit faults of the whole cluster (at a time), and the standing ones (a worker's
    /// renders, a controller's clock), in the schedule's order.
    let timed: [ScheduledFault]
    /// Every fault injected so far, in the order it struck.
    private(set) var injected: [ScheduledFault] = []

    var isExplicit: Bool { explicit != nil }

    /// Faults drawn from the seed.
    init() {
        explicit = nil
        timed = []
    }

    /// Exactly the faults of `schedule`.
    init(schedule: [ScheduledFault]) {
        var sites: [Site: ScheduledFault] = [:]
        var timed: [ScheduledFault] = []
        for fault in schedule {
            if let site = Self.site(of: fault) { sites[site] = fault } else { timed.append(fault) }
        }
        explicit = sites
        self.timed = timed
    }

    /// The site a task-anchored fault strikes; nil for a fault of the whole cluster.
    static func site(of fault: ScheduledFault) -> Site? {
        // A deletion or a repeated create strikes its task at a time, not at a place.
        guard let task = fault.task, fault.kind != .deletion, fault.kind != .repeatedCreate else { return nil }
        let keyedByPoint = fault.kind == .workerCrash || fault.kind == .controllerCrash
        // A failure race is decided once, at its task's create: its occurrence is which
        // delivery fails, not where it strikes.
        let occurrence = fault.kind == .failureRace ? 1 : fault.occurrence ?? 1
        return Site(kind: fault.kind, task: task, occurrence: occurrence, point: keyedByPoint ? fault.point : nil)
    }

    /// The fault that strikes `site`, if one does: in an explicit run the scheduled one;
    /// else, while `active`, with probability `chance`, then `make` draws its details. The
    /// fault is recorded as injected.
    mutating func strike(
        _ site: Site, chance: Double, active: Bool, random: inout SimulationRandom,
        make: (inout SimulationRandom) -> ScheduledFault
    ) -> ScheduledFault? {
        let fault: ScheduledFault
        if let explicit {
            guard let scheduled = explicit[site] else { return nil }
            fault = scheduled
        } else {
            guard active, random.chance(chance) else { return nil }
            fault = make(&random)
        }
        injected.append(fault)
        return fault
    }

    /// Records a fault the run injected outside `strike` (a timed or standing one).
    mutating func record(_ fault: ScheduledFault) {
        injected.append(fault)
    }
}
