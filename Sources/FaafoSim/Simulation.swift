import FaafoController
import FaafoWire
@_spi(Testing) import FaafoWorkerLogic
import Foundation
import FractalCore
import FractalJob
import GoldenFixtures
import Logging
import Synchronization
import WorkQueue

/// One run of a scenario with one seed: in-process controllers (`FractalService`, the
/// code faafo-api runs) over a store that survives their restarts, virtual workers that
/// carry out the decisions of faafo-worker's own step machine (`TaskSteps`) over an
/// `InMemoryWorkQueue`, and faults drawn from the seed.
///
/// A single-threaded discrete-event loop: events wait in a queue ordered by (tick,
/// sequence); each is handled to the end, every service call awaited, before the next
/// starts, so nothing runs concurrently and the run is the same event for event.
public final class Simulation {
    enum Event {
        case arrive(task: Int, attempt: Int)
        case poison(Int)
        case job(Int)
        case consumerTimeout(job: Int)
        case restartWorker(Int)
        case crashController
        case restartController(Int)
        case restartBroker
        case brokerBack
        case publishOutbox(controller: Int, generation: Int)
        case crashHost
        case partitionHost
        /// The broker notices a partitioned host's silence and closes its consumers.
        case noticePartition(host: Int)
        case healPartition(host: Int)
        case restartDatabase
        case databaseBack
        case killBrokerNode
        case brokerNodeBack(node: Int)
        /// A worker whose broker node died connects to another.
        case failOver(worker: Int)
    }

    /// One delivery being worked on by a virtual worker.
    struct Job {
        let worker: Int
        let generation: Int
        let consumer: InMemoryWorkQueueConsumer
        let delivery: QueueDelivery
        /// faafo-worker's decisions about the delivery.
        var steps: TaskSteps
        /// The action the job takes when its next event comes.
        var action: TaskSteps.Action
        /// Where a crash at that event stops the job, if it is at a named point.
        var crashPoint: Scenario.CrashStep?
        var acknowledged = false
    }

    struct Worker {
        /// The name, limits and retry backoff its decisions depend on.
        let policy: TaskPolicy
        /// The host it runs on: a host crash or a partition takes its workers out together.
        let host: Int
        /// The broker node its connection is to (`faults.brokerNodes`).
        var brokerNode: Int
        /// Nil while the worker is down.
        var consumer: InMemoryWorkQueueConsumer?
        /// Bumped at each crash: jobs of an earlier generation died with it.
        var generation = 0
        /// Jobs in progress, those of a consumer the broker closed included.
        var busy = 0
        /// Crashed, waiting for its restart (a broker coming back does not start it).
        var crashed = false
    }

    struct Controller {
        /// Nil while the controller is down.
        var service: FractalService?
        /// Bumped at each start, so the periodic outbox of an earlier life stops.
        var generation = 0
        /// The next create it handles is cut off by its crash.
        var crashPending = false
    }

    /// What each virtual worker rendered for a task: the first checksums, and whether a
    /// later render differed from them.
    struct RenderRecord {
        let checksum: String
        let pixelChecksum: String
        var renders = 1
        var differed = false

        /// Counts a second render of the same task, and whether it gave other bytes.
        mutating func noteRenderedAgain(_ rendered: RenderedFractal) {
            renders += 1
            if checksum != rendered.checksum || pixelChecksum != rendered.pixelChecksum {
                differed = true
            }
        }
    }

    public let scenario: Scenario
    public let settings: SimulationSettings
    let plan: WorkloadPlan
    let fixture: GoldenFile?
    let clock: SimulatedClock
    let queue = InMemoryWorkQueue()
    /// The queue as the services reach it, down while the broker restarts.
    let broker: SimulatedBroker
    let store: ObservedFractalStore
    let environment: ServiceEnvironment
    let silent = Logger(label: "faafo.sim", factory: { _ in SwiftLogNoOpLogHandler() })
    /// The end of the fault phase: `faults.until`, else half the time limit, or sooner
    /// once `recoveryShare` of the tasks are completed.
    let faultPhaseEnd: Tick
    let faultPhaseEndsWithProgress: Bool
    static let recoveryShare = RunSetup.recoveryShare
    /// First reconnect delay of a client whose create failed; it doubles with each
    /// attempt, up to 64 times as long.
    let clientRetry: Tick = 100_000
    /// The outbox publisher's period and grace, as faafo-api's `OutboxPublisher` has them.
    let outboxInterval: Tick = 2 * ticksPerSecond
    let outboxGrace: TimeInterval = 5

    var agenda = EventQueue<Event>()
    var controllers: [Controller]
    var workers: [Worker]
    var jobs: [Int: Job] = [:]
    var nextJobID = 0
    var consumerOwner: [Int: Int] = [:]
    /// Consumers the queue handed a delivery to, waiting to be polled.
    let woken = DeliveryInbox()
    var resultCursor = 0
    var crashCount = 0
    /// Tasks whose create succeeded.
    var arrived = 0
    var poisonPublished = 0
    var renderCache: [FractalParameters: RenderedFractal]?
    var renderLog: [String: RenderRecord] = [:]
    /// The checksums RenderJob gave for each parameter set it rendered here: the checker
    /// looks its answers up by the parameters it derives from each request itself, and
    /// renders only those no worker rendered. The same parameters give the same bytes (the
    /// render contract; a second render that differs is caught as rendered differently,
    /// and a result stored from other parameters misses here and is rendered afresh).
    var renderedChecksums: [FractalParameters: Checker.Expected] = [:]

    var crashRandom: SimulationRandom
    var slowRandom: SimulationRandom
    var resultRandom: SimulationRandom
    var duplicateRandom: SimulationRandom

    var hostRandom: SimulationRandom
    /// The end of each partitioned host's partition.
    var partitionedUntil: [Int: Tick] = [:]
    /// Whether each broker node is up; the node that leads the task queue; kills so far.
    var brokerNodesUp: [Bool]
    var queueLeader = 0
    var brokerNodeKills = 0

    var counters = SimulationReport.Counters()
    var faultCounts = SimulationReport.FaultCounts()

    /// Sets up a run; throws `ScenarioError` if the fixture file cannot be read.
    /// `taskCount` overrides the scenario's task count.
    public init(scenario: Scenario, seed: UInt64, taskCount: Int? = nil, scenarioFile: String = "") throws(ScenarioError) {
        self.scenario = scenario
        let setup = try RunSetup(scenario: scenario, seed: seed, taskCount: taskCount, scenarioFile: scenarioFile)
        fixture = setup.fixture
        plan = setup.plan
        settings = setup.settings
        faultPhaseEnd = scenario.faults.until ?? scenario.expect.within / 2
        faultPhaseEndsWithProgress = scenario.faults.until == nil
        if settings.renderCache { renderCache = [:] }

        var faultRandom = setup.faultRandom
        crashRandom = faultRandom.split()
        slowRandom = faultRandom.split()
        resultRandom = faultRandom.split()
        duplicateRandom = faultRandom.split()
        hostRandom = faultRandom.split()

        let clock = SimulatedClock()
        self.clock = clock
        broker = SimulatedBroker(queue: queue, clock: clock)
        let nodes = max(1, scenario.faults.brokerNodes)
        brokerNodesUp = Array(repeating: true, count: nodes)
        store = ObservedFractalStore(clock: clock)
        let identities = SharedRandom(seed: settings.seeds.identities)
        environment = ServiceEnvironment(
            now: { clock.date(at: clock.now) }, newUUID: { identities.uuid() }, newSeed: { identities.next() })
        controllers = Array(repeating: Controller(), count: settings.controllers)
        let hosts = settings.hosts
        workers = (0..<settings.workers).map { index in
            var policy = TaskPolicy(name: "sim-worker-\(index + 1)")
            if scenario.cluster.workerBug == .ackBeforeResult { policy.defect = .acknowledgeBeforeDelivering }
            return Worker(policy: policy, host: index % hosts, brokerNode: index % nodes)
        }
    }

    /// Simulated seconds of a tick, as text: `12.345678s`.
    static func seconds(_ tick: Tick) -> String {
        String(format: "%.6fs", Double(tick) / Double(ticksPerSecond))
    }

    var now: Tick { clock.now }
    /// In the fault phase; afterwards no new fault is injected and the run must recover.
    var faultsActive: Bool {
        guard now < faultPhaseEnd else { return false }
        return !faultPhaseEndsWithProgress
            || Double(store.completedCount) < Self.recoveryShare * Double(plan.tasks.count)
    }

    func schedule(_ event: Event, after delay: Tick = 0) {
        agenda.schedule(event, at: now + delay)
    }

    /// Runs to a quiet state (or the scenario's time limit), then checks every task.
    /// `progress` is called now and then with the run's state, for a progress line.
    public func run(progress: ((Progress) -> Void)? = nil) async -> SimulationReport {
        let started = ContinuousClock.now
        queue.observeDeliveries { [woken] consumer in woken.add(consumer) }
        for index in controllers.indices { await startController(index) }
        for index in workers.indices { startWorker(index) }
        if !plan.tasks.isEmpty { agenda.schedule(.arrive(task: 0, attempt: 0), at: plan.tasks[0].arrival) }
        for (index, poison) in plan.poison.enumerated() { agenda.schedule(.poison(index), at: poison.arrival) }
        scheduleControllerCrashes()
        for tick in scenario.faults.brokerRestartAt { agenda.schedule(.restartBroker, at: tick) }
        for tick in scenario.faults.hostCrashAt { agenda.schedule(.crashHost, at: tick) }
        for tick in scenario.faults.partitionAt { agenda.schedule(.partitionHost, at: tick) }
        for tick in scenario.faults.databaseRestartAt { agenda.schedule(.restartDatabase, at: tick) }
        for tick in scenario.faults.brokerNodeKillAt { agenda.schedule(.killBrokerNode, at: tick) }

        var timedOut = false
        var lastProgress = ContinuousClock.now
        while let next = agenda.pop() {
            let (tick, event) = next
            if tick > scenario.expect.within {
                timedOut = true
                break
            }
            clock.advance(to: tick)
            await handle(event)
            pollWokenWorkers()
            counters.events += 1
            if await isQuiet() { break }
            if let progress, counters.events % 4096 == 0, ContinuousClock.now - lastProgress > .seconds(1) {
                lastProgress = ContinuousClock.now
                progress(Progress(tick: now, completed: store.completedCount, tasks: plan.tasks.count))
            }
        }
        faultCounts.nackedPublishes = broker.nackedPublishes
        let wallClock = ContinuousClock.now - started
        // A run cut off by its time limit may end with the database down: the checker reads it.
        store.isDown = false
        return await Checker(simulation: self).report(timedOut: timedOut, wallClock: wallClock)
    }

    /// Where a long run is, for a progress line.
    public struct Progress: Sendable {
        public let tick: Tick
        public let completed: Int
        public let tasks: Int

        public var line: String { "simulated \(Simulation.seconds(tick)): \(completed)/\(tasks) tasks completed" }
    }

    func handle(_ event: Event) async {
        switch event {
        case .arrive(let task, let attempt): await arrive(task, attempt: attempt)
        case .poison(let index): await publishPoison(index)
        case .job(let id): await step(id)
        case .consumerTimeout(let id): await consumerTimeout(id)
        case .restartWorker(let index):
            workers[index].crashed = false
            startWorker(index)
        case .restartBroker: await restartBroker()
        case .brokerBack: brokerBack()
        case .crashController: crashController()
        case .restartController(let index): await startController(index)
        case .publishOutbox(let index, let generation): await publishOutbox(index, generation: generation)
        case .crashHost: await crashHost()
        case .partitionHost: partitionHost()
        case .noticePartition(let host): await noticePartition(host)
        case .healPartition(let host): healPartition(host)
        case .restartDatabase: restartDatabase()
        case .databaseBack: store.isDown = false
        case .killBrokerNode: await killBrokerNode()
        case .brokerNodeBack(let node): brokerNodesUp[node] = true
        case .failOver(let worker): failOver(worker)
        }
    }

    /// Nothing in flight: every task created, every poison message published, no job in
    /// a worker's hands, nothing in the queue and nothing in the outbox. Then nothing
    /// can change any more, and the checker judges the run.
    func isQuiet() async -> Bool {
        guard arrived == plan.tasks.count, poisonPublished == plan.poison.count, jobs.isEmpty, !store.isDown else {
            return false
        }
        let counts = queue.counts
        guard counts.ready == 0, counts.unacknowledged == 0 else { return false }
        if store.completedCount >= plan.tasks.count { return true }
        return (try? await store.unpublished(limit: 1).isEmpty) ?? false
    }
}
