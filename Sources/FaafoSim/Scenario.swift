import Foundation

/// Simulated time: one tick is one microsecond.
public typealias Tick = UInt64

/// Ticks in a simulated second.
public let ticksPerSecond: Tick = 1_000_000

/// A scenario file (Scenarios/*.yaml): the load, the cluster, the faults to inject and
/// what the run must show. Read it with `Scenario.load(from:)` or `Scenario(yaml:file:)`.
public struct Scenario: Sendable {
    public var name: String
    /// The seed a run takes when none is given on the command line.
    public var seed: UInt64?
    public var workload = Workload()
    public var cluster = Cluster()
    public var faults = Faults()
    public var expect = Expectations()

    public init(name: String) {
        self.name = name
    }

    /// A whole number, or a range the run draws it from with the seed.
    public struct Setting: Sendable, Hashable, CustomStringConvertible {
        public var range: ClosedRange<Int>

        public init(_ value: Int) { range = value...value }
        public init(_ range: ClosedRange<Int>) { self.range = range }

        public func draw(_ random: inout SimulationRandom) -> Int {
            random.int(in: range)
        }

        public var description: String {
            range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "[\(range.lowerBound), \(range.upperBound)]"
        }
    }

    public struct Workload: Sendable {
        public var tasks = 100
        public var width = Setting(32)
        public var height = Setting(32)
        public var iterations = Setting(32)
        /// The plane every task renders: xa, xb, ya, yb.
        public var plane: [Double] = [-1.6, 1.6, -1.2, 1.2]
        /// Draw tasks from this many distinct parameter sets (nil: every task its own).
        /// Identical parameters render identical bytes, so a pool lets the workers'
        /// render cache serve repeats.
        public var distinct: Int?
        /// A golden fixture file: tasks cycle through its cases instead of the ranges.
        public var fixture: String?
        public var arrival = Arrival.burst
    }

    public enum Arrival: Sendable, Hashable, CustomStringConvertible {
        /// Every task arrives at tick 0.
        case burst
        /// Evenly spaced at `rate` tasks a simulated second.
        case uniform(rate: Double)
        /// A Poisson process at `rate` tasks a simulated second.
        case poisson(rate: Double)

        public var description: String {
            switch self {
            case .burst: "burst"
            case .uniform(let rate): "uniform \(rate)/s"
            case .poisson(let rate): "poisson \(rate)/s"
            }
        }
    }

    public struct Cluster: Sendable {
        public var controllers = Setting(1)
        public var workers = Setting(2)
        /// Tasks a worker renders at once.
        public var concurrency = Setting(1)
        /// Unacknowledged messages a worker's consumer may hold; the concurrency when nil.
        public var prefetch: Setting?
        /// Round trip of a result PUT between a worker and a controller.
        public var network: Tick = 1_000
        /// The hosts the workers run on, worker i on host i mod hosts: what a host crash
        /// or a partition takes out together. Nil: each worker on a host of its own.
        public var hosts: Setting?
        /// A deliberate bug in every worker, switched on in faafo-worker's own step machine
        /// (`TaskPolicy.defect`, test-only), to prove the checker catches it.
        public var workerBug: WorkerBug?
    }

    public enum WorkerBug: String, Sendable, CaseIterable {
        /// Acknowledges a task as soon as it is rendered, before its result is stored.
        case ackBeforeResult = "ack-before-result"
    }

    /// The named points of a task where a worker can crash.
    public enum CrashStep: String, Sendable, CaseIterable, Codable, Comparable {
        case beforeRender = "before-render"
        case afterRender = "after-render"
        /// While the result PUT is in flight: the API may or may not have stored it.
        case duringResult = "during-result"
        case afterResultBeforeAck = "after-result-before-ack"

        public static func < (a: CrashStep, b: CrashStep) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public struct Faults: Sendable {
        /// Faults are injected until this tick (the fault phase); then the recovery phase
        /// heals everything and the run must reach a quiet state. Nil: until the last
        /// task has arrived.
        public var until: Tick?
        /// Probability of a crash at each step of each task.
        public var workerCrash: [CrashStep: Double] = [:]
        /// How long a crashed worker stays down.
        public var workerRestart: Tick = 500_000
        /// Probability that a delivery's render stalls for `slowStall`.
        public var slowWorker = 0.0
        public var slowStall: Tick = 0
        /// The broker's consumer timeout: a delivery unacknowledged this long closes its
        /// consumer and goes back to the queue (RabbitMQ's `consumer_timeout`).
        public var consumerTimeout: Tick?
        /// Controller crashes at these ticks, and/or every `controllerCrashEvery`.
        public var controllerCrashAt: [Tick] = []
        public var controllerCrashEvery: Tick?
        public var controllerDownFor: Tick = 200_000
        /// Broker restarts at these ticks: every consumer's channel closes (what it held
        /// goes back to the queue, redelivered), and nothing can be published or consumed
        /// for `brokerDownFor`; persistent messages survive.
        public var brokerRestartAt: [Tick] = []
        public var brokerDownFor: Tick = 500_000
        /// Host crashes at these ticks: every worker of one host, drawn from the seed among
        /// those with a worker up, dies at once (SIGKILL of its every process) and comes
        /// back after `hostDownFor`.
        public var hostCrashAt: [Tick] = []
        public var hostDownFor: Tick = 500_000
        /// Partitions at these ticks: one worker host's link is down for `partitionFor`.
        /// Its workers go on rendering, and whatever needs the network (a result PUT, an
        /// acknowledgement) waits for the link. A partition longer than `heartbeat` is
        /// noticed by the broker, which closes the host's consumers: what they held goes
        /// back to the queue, to other workers, and their late results, once the link is
        /// back, find the tasks completed.
        public var partitionAt: [Tick] = []
        public var partitionFor: Tick = 30_000_000
        /// How long the broker takes to notice a silent peer: RabbitMQ closes a connection
        /// after two missed heartbeats (faafo's interval is 10 s).
        public var heartbeat: Tick = 20_000_000
        /// Broker node kills at these ticks, the nodes in turn from the first (the task
        /// queue's first leader): the broker is a cluster of `brokerNodes`, the task queue a
        /// quorum queue on all of them, and a client is connected to one node (worker i to
        /// node i mod nodes). A kill closes the connections to that node: what its consumers
        /// held goes back to the queue, and they connect to another node after
        /// `brokerFailover`. When the node led the queue the others elect a leader for
        /// `brokerElection`, during which every publish is nacked (and published again).
        /// A kill that would leave no majority is skipped. The node is back after
        /// `brokerNodeDownFor`.
        public var brokerNodeKillAt: [Tick] = []
        public var brokerNodes = 3
        public var brokerNodeDownFor: Tick = 2_000_000
        public var brokerFailover: Tick = 100_000
        public var brokerElection: Tick = 400_000
        /// Database restarts at these ticks: every store call fails for `databaseDownFor`
        /// (creates and results answer 503, the outbox waits), and nothing stored is lost.
        public var databaseRestartAt: [Tick] = []
        public var databaseDownFor: Tick = 500_000
        /// Probabilities that a result PUT fails with a 5xx (not stored) or times out
        /// (stored, but the worker does not hear so).
        public var resultError = 0.0
        public var resultTimeout = 0.0
        /// Messages that can never be rendered, published beside the tasks.
        public var poison = 0
        /// Probability that a task's message is delivered twice.
        public var duplicateDelivery = 0.0
    }

    public struct Expectations: Sendable {
        public var allComplete = true
        public var lost = 0
        public var duplicatesStored = 0
        public var maxRedeliveries: Int?
        /// Tasks completed per simulated second, at least.
        public var minThroughput: Double?
        /// The run must be quiet by this simulated time.
        public var within: Tick = 600 * ticksPerSecond
    }
}
