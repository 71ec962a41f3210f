/// What a load test does: how many tasks, how they are paced, how long it may take,
/// how completions are followed and which results are checked against the render core.
public struct LoadPlan: Hashable, Sendable {
    /// How tasks are started.
    public enum Pacing: Hashable, Sendable {
        /// Closed loop: `concurrency` tasks in the system at once; a new one is created
        /// as soon as one is seen stored (or failed).
        case closedLoop(concurrency: Int)
        /// Open loop: a create started every 1/`perSecond` seconds, whatever the system
        /// does, up to `LoadPlan.openLoopInFlightLimit` tasks in the system at once.
        case openLoop(perSecond: Double)
    }

    /// Which completed tasks have their checksums compared with a render of their own.
    public enum Verification: String, Codable, Hashable, Sendable {
        /// Every completed task.
        case all
        /// None.
        case none
        /// Tasks of at most `LoadPlan.smallTaskWork` width × height × iterations, so
        /// that checking costs the client little.
        case small
    }

    /// Above this many tasks in the system an open loop waits before it creates more,
    /// so that a system that fell far behind cannot make the client hold unbounded state.
    public static let openLoopInFlightLimit = 10_000
    /// The largest task `Verification.small` checks: 2^22, e.g. 256 × 256 × 64.
    public static let smallTaskWork = 1 << 22

    /// The most tasks created.
    public var tasks: Int
    public var pacing: Pacing
    /// No task is created after this long from the start (nil: only `tasks` limits them).
    public var duration: Duration?
    /// The whole run ends this long after it started; tasks not stored by then count as
    /// timed out.
    public var timeout: Duration
    public var verification: Verification
    public var polling: PollSchedule

    public init(
        tasks: Int, pacing: Pacing, duration: Duration? = nil, timeout: Duration = .seconds(600),
        verification: Verification = .small, polling: PollSchedule = PollSchedule()
    ) {
        self.tasks = tasks
        self.pacing = pacing
        self.duration = duration
        self.timeout = timeout
        self.verification = verification
        self.polling = polling
    }

    /// Whether `verification` asks for a check of a task of this size.
    public func verifies(width: Int, height: Int, iterations: Int) -> Bool {
        switch verification {
        case .all: return true
        case .none: return false
        case .small:
            let (area, overflow) = width.multipliedReportingOverflow(by: height)
            let (work, overflow2) = area.multipliedReportingOverflow(by: iterations)
            return !overflow && !overflow2 && work <= Self.smallTaskWork
        }
    }
}

/// How a created task is followed to completion: `GET /v1/fractal/<uuid>`, first after
/// about the time recent tasks took (never sooner than `shortest`), then each wait
/// `growth` times the last, up to `longest`. At most `concurrency` polls are in flight
/// at once, whatever the number of tasks in the system, so polling cannot crowd out the
/// creates it measures.
public struct PollSchedule: Hashable, Sendable {
    public var shortest: Duration
    public var longest: Duration
    public var growth: Double
    public var concurrency: Int

    public init(
        shortest: Duration = .milliseconds(10), longest: Duration = .seconds(2), growth: Double = 1.5,
        concurrency: Int = 8
    ) {
        self.shortest = shortest
        self.longest = longest
        self.growth = growth
        self.concurrency = concurrency
    }

    /// The first wait: 90 % of the recent create-to-stored latency, within the bounds.
    func firstWait(recentLatency: Duration?) -> Duration {
        clamp((recentLatency ?? shortest) * 0.9)
    }

    func nextWait(after wait: Duration) -> Duration {
        clamp(wait * growth)
    }

    private func clamp(_ wait: Duration) -> Duration {
        min(max(wait, shortest), longest)
    }
}
