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
        /// The share of tasks created with c itself rather than a seed to draw it from.
        public var explicitC = 0.0
        /// The share of the other tasks created with neither c nor a seed, as the original
        /// faafo client creates them: the API draws the seed, and the checker reads it back.
        public var originalClients = 0.0
        /// Create only these of the workload's tasks (numbered from 0), each as it is among
        /// all `tasks`: what `faafo-sim shrink` keeps of a failing run.
        public var only: [Int]?
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

        /// Probability that a render fails (the worker gives the task up).
        public var renderFailure = 0.0
        /// Probability that a result leaves its worker with a bit flipped in one of
        /// `corruptFields`, on the wire (after hashing) with probability `corruptOnTheWire`,
        /// else in the worker's memory before it hashed the image.
        public var corruptResult = 0.0
        public var corruptFields: [CorruptField] = CorruptField.allCases
        public var corruptOnTheWire = 0.5
        /// Probability that the API refuses a result for good (a 400 the result did not earn).
        public var refusedResult = 0.0
        /// Probability that a result PUT is delayed on the network, by up to `putDelayMax`,
        /// so that PUTs of one fractal can overtake each other.
        public var putDelay = 0.0
        public var putDelayMax: Tick = 20_000
        /// Probability that the broker confirms a controller's publish late, by up to
        /// `slowConfirmMax`: the message is queued at once (a worker may take and finish the
        /// task) while the controller still waits, and the rest of the run goes on meanwhile.
        /// The most stays below the outbox's grace, which a confirm within it must not be
        /// republished by.
        public var slowConfirm = 0.0
        public var slowConfirmMax: Tick = 2 * ticksPerSecond
        /// Probability that a result PUT is lost on the way (it never reaches the API; the
        /// worker hears nothing and tries again).
        public var resultLost = 0.0
        /// Probability that a worker's connection drops as it acknowledges a delivery.
        public var ackLost = 0.0
        /// Probability that a task is delivered twice and one of its renders fails, so that
        /// a failure report races its result.
        public var failureRace = 0.0
        /// The last `disagreeingWorkers` workers render outside the render contract.
        public var disagreeingWorkers = 0
        public var disagreeingRenders = DisagreeingRender.original
        /// The first `smallWorkers` workers have a work budget of `smallWorkBudget` (width ×
        /// height × iterations), below the API's: they give up the tasks above it.
        public var smallWorkers = 0
        public var smallWorkBudget: UInt64 = 30_000
        /// Probability of a controller crash right after each named call of its operations.
        public var controllerCrashPoints: [ControllerPoint: Double] = [:]
        /// Each controller's clock is off by up to this much, ahead or behind, drawn from the seed.
        public var clockSkew: Tick = 0
        /// Probability that an operator deletes a task's fractal within `deleteWithin` of its create.
        public var deletion = 0.0
        public var deleteWithin: Tick = 50_000
        /// Probability that a client sends a task's create again, within `repeatWithin` of its
        /// create: half the time with the same parameters, half with other ones.
        public var repeatedCreate = 0.0
        public var repeatWithin: Tick = 50_000
        /// Graceful worker restarts (SIGTERM) at these ticks, the workers in turn; each is
        /// back after `workerStopDownFor`.
        public var workerStopAt: [Tick] = []
        public var workerStopDownFor: Tick = 100_000

        /// `wrongTokenWorkers` workers, from the middle of the list, run with a worker token
        /// the API refuses for `wrongTokenFor`; then an operator fixes it and restarts them.
        public var wrongTokenWorkers = 0
        public var wrongTokenFor: Tick = 1_000_000

        /// Explicit faults: when set, the run injects exactly these and draws none.
        public var schedule: [ScheduledFault]?
    }

    /// The parts of a result a corruption can flip a bit in.
    public enum CorruptField: String, Sendable, CaseIterable {
        case image, checksum, size
        case pixelChecksum = "pixel-checksum"
    }

    /// How a disagreeing worker renders.
    public enum DisagreeingRender: String, Sendable, CaseIterable {
        /// As the original faafo worker: c drawn at random, no pixel checksum.
        case original
        /// Another c, with a pixel checksum of its own pixels.
        case otherC = "other-c"
        /// Width and height swapped, as a worker with that bug would: an image of another
        /// size, which the API refuses.
        case transposed
    }

    /// The calls inside a controller's operations right after which it can crash.
    public enum ControllerPoint: String, Sendable, CaseIterable, Comparable {
        /// A create stored its fractal; the publish has not started.
        case afterInsert = "after-insert"
        /// A task's message was confirmed by the broker; the store does not know yet.
        case afterPublish = "after-publish"
        /// The store recorded the publish.
        case afterMarkPublished = "after-mark-published"
        /// An outbox pass claimed its rows; none is published yet.
        case afterClaim = "after-claim"
        /// A result was stored; its worker has no answer yet.
        case afterComplete = "after-complete"
        /// A failure was stored; its worker has no answer yet.
        case afterFail = "after-fail"

        public static func < (a: ControllerPoint, b: ControllerPoint) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
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
        /// Probes the run must reach: what the scenario exists to exercise.
        public var reached: [String] = []
    }
}
