import FaafoController
import FaafoProbes
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
/// `InMemoryWorkQueue`, and faults drawn from the seed (or listed in the scenario's
/// `faults.schedule`).
///
/// A discrete-event loop: events wait in a queue ordered by (tick, sequence); each is
/// handled to the end, every service call awaited, before the next starts. The one
/// exception is an operation waiting for a late confirm (`SimulatedOperation`): it parks,
/// and the loop goes on until the confirm's own event resumes it, the two taking turns.
/// Nothing runs concurrently, and the run is the same event for event.
public final class Simulation {
    enum Event {
        case arrive(task: Int, attempt: Int)
        case poison(Int)
        case job(Int)
        case consumerTimeout(job: Int)
        case restartWorker(Int)
        case crashController
        case crashControllerNow(ScheduledFault)
        case restartController(Int)
        case restartBroker(ScheduledFault?)
        case brokerBack
        case publishOutbox(controller: Int, generation: Int)
        case crashHost(ScheduledFault?)
        case partitionHost(ScheduledFault?)
        /// The broker notices a partitioned host's silence and closes its consumers.
        case noticePartition(host: Int)
        case healPartition(host: Int)
        case restartDatabase(ScheduledFault?)
        case databaseBack
        case killBrokerNode(ScheduledFault?)
        case brokerNodeBack(node: Int)
        /// A worker whose broker node died connects to another.
        case failOver(worker: Int)
        case delete(ScheduledFault)
        case repeatCreate(ScheduledFault)
        case stopWorker(ScheduledFault?)
        /// A parked operation's late confirm arrives.
        case wakeOperation(SimulatedOperation)
    }

    /// One delivery being worked on by a virtual worker.
    struct Job {
        let worker: Int
        let generation: Int
        let consumer: InMemoryWorkQueueConsumer
        let delivery: QueueDelivery
        /// The task the delivery carries (nil for a poison message), and which of its
        /// deliveries this is (1 for the first).
        let task: Int?
        let deliveryNumber: Int
        /// faafo-worker's decisions about the delivery.
        var steps: TaskSteps
        /// The action the job takes when its next event comes.
        var action: TaskSteps.Action
        /// Where a crash at that event stops the job, if it is at a named point.
        var crashPoint: Scenario.CrashStep?
        var acknowledged = false
        /// The task's number of the result PUT under way (given when the PUT is first
        /// reached, so that one held back keeps it), and whether it was held back already.
        var put: Int?
        var putDelayed = false
        /// The worker was told to stop: a wait ends at once, with `.stopping`.
        var stopping = false
        /// In the middle of a wait (`.wait`), until its event comes.
        var waiting = false

        /// The task's uuid, for the trace.
        var uuid: String? { delivery.messageID }
    }

    /// How a worker renders.
    enum Renders: Equatable {
        case contract
        case disagreeing(Scenario.DisagreeingRender)
    }

    struct Worker {
        /// The name, limits and retry backoff its decisions depend on.
        var policy: TaskPolicy
        /// The host it runs on: a host crash or a partition takes its workers out together.
        let host: Int
        /// The broker node its connection is to (`faults.brokerNodes`).
        var brokerNode: Int
        var renders = Renders.contract
        /// Until when the API refuses the worker's token (a `wrong-token` fault).
        var refusedUntil: Tick = 0
        /// Nil while the worker is down.
        var consumer: InMemoryWorkQueueConsumer?
        /// Bumped at each crash: jobs of an earlier generation died with it.
        var generation = 0
        /// Jobs in progress, those of a consumer the broker closed included.
        var busy = 0
        /// Crashed or stopped, waiting for its restart (a broker coming back does not start it).
        var crashed = false

        var name: String { policy.name }
    }

    struct Controller {
        /// Nil while the controller is down.
        var service: FractalService?
        var life: ControllerLife?
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
    let identities: SharedRandom
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
    let outboxInterval = Simulation.ticks(OutboxPublisher.defaultInterval)
    let outboxGrace = OutboxPublisher.defaultGrace

    /// Every event of the run, when kept (`keepTrace`).
    let trace: RunTrace
    /// The probes the run reached.
    let probes: ProbeRecorder
    /// Where the faults come from, and which were injected.
    var faults = FaultPlan()
    /// What the clients and workers sent and what they were answered: the checker's view
    /// of the requests.
    var requests: RequestLog

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
    var stopCount = 0
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

    /// The task of each uuid, and how many deliveries, result PUTs and creates of each
    /// task there were so far: the anchors of task faults.
    let taskIndex: [String: Int]
    /// The task created after each one, among those the run creates.
    let nextActive: [Int: Int]
    var deliveryCounts: [Int]
    var putCounts: [Int]
    var createCounts: [Int]
    var pointPasses: [FaultPlan.Site: Int] = [:]
    /// The failure race of each task: which delivery's render fails, and after how long.
    var failureRaces: [Int: ScheduledFault] = [:]
    /// Outbox claims not yet ended (marked published or released), in true time: (the
    /// controller life that holds it, until); and how many rows a controller claimed while
    /// another's claim on them lasted, or while another live one was still publishing them.
    var claims: [String: (life: ControllerLife, until: Tick, publishing: Bool)] = [:]
    var claimOverlaps = 0
    /// Whether any controller can crash inside an operation in this run: else the count
    /// of passes through each point is not kept, a cost every store call would pay.
    lazy var controllerCrashesPossible: Bool = {
        let f = scenario.faults
        if let schedule = f.schedule { return schedule.contains { $0.kind == .controllerCrash } }
        return !f.controllerCrashPoints.isEmpty || !f.controllerCrashAt.isEmpty || f.controllerCrashEvery != nil
    }()
    /// Times a controller stamped a record with that were not its clock's at the moment.
    var wrongTimes: [String] = []
    /// Each controller's clock skew, in seconds.
    var skews: [Double]

    var crashRandom: SimulationRandom
    var slowRandom: SimulationRandom
    var resultRandom: SimulationRandom
    var duplicateRandom: SimulationRandom
    var hostRandom: SimulationRandom
    var giveUpRandom: SimulationRandom
    var networkRandom: SimulationRandom
    var controllerRandom: SimulationRandom
    var operatorRandom: SimulationRandom
    var confirmRandom: SimulationRandom
    /// Whether any confirm can come late in this run: else creates and outbox passes run
    /// inline, not as operations of their own, a cost no other run pays.
    lazy var lateConfirmsPossible: Bool = {
        if let schedule = scenario.faults.schedule { return schedule.contains { $0.kind == .slowConfirm } }
        return scenario.faults.slowConfirm > 0
    }()
    /// The end of each partitioned host's partition, and the hosts whose partition the
    /// broker noticed (a result from them may come late).
    var partitionedUntil: [Int: Tick] = [:]
    var noticedPartition: Set<Int> = []
    /// Whether each broker node is up; the node that leads the task queue; kills so far.
    var brokerNodesUp: [Bool]
    var queueLeader = 0
    var brokerNodeKills = 0

    /// Events handled at one tick at most before the run is called a livelock, and the
    /// tick it stopped at if it was one.
    static let livelockEvents = 1_000_000
    var livelock: Tick?

    var counters = SimulationReport.Counters()
    var faultCounts = SimulationReport.FaultCounts()

    /// Sets up a run; throws `ScenarioError` if the fixture file cannot be read or the
    /// schedule names a task, worker, host or controller the run does not have.
    /// `taskCount` overrides the scenario's task count; `keepTrace` keeps every event of
    /// the run, for its stories, `--trace` and `--timeline` (swarms leave it off).
    /// `settingsFrom` draws the cluster's sizes as the run of that seed does (`--settings-seed`).
    public init(
        scenario: Scenario, seed: UInt64, taskCount: Int? = nil, scenarioFile: String = "", keepTrace: Bool = true,
        settingsFrom: UInt64? = nil
    ) throws(ScenarioError) {
        self.scenario = scenario
        let setup = try RunSetup(
            scenario: scenario, seed: seed, taskCount: taskCount, scenarioFile: scenarioFile, settingsFrom: settingsFrom)
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
        giveUpRandom = faultRandom.split()
        networkRandom = faultRandom.split()
        controllerRandom = faultRandom.split()
        operatorRandom = faultRandom.split()
        confirmRandom = faultRandom.split()

        let clock = SimulatedClock()
        self.clock = clock
        broker = SimulatedBroker(queue: queue, clock: clock)
        let nodes = max(1, scenario.faults.brokerNodes)
        brokerNodesUp = Array(repeating: true, count: nodes)
        store = ObservedFractalStore(clock: clock)
        identities = SharedRandom(seed: settings.seeds.identities)
        controllers = Array(repeating: Controller(), count: settings.controllers)
        skews = Array(repeating: 0, count: settings.controllers)
        let hosts = settings.hosts
        workers = (0..<settings.workers).map { index in
            var policy = TaskPolicy(name: "sim-worker-\(index + 1)")
            if scenario.cluster.workerBug == .ackBeforeResult { policy.defect = .acknowledgeBeforeDelivering }
            return Worker(policy: policy, host: index % hosts, brokerNode: index % nodes)
        }
        let trace = RunTrace(enabled: keepTrace, clock: clock)
        self.trace = trace
        probes = ProbeRecorder { probe in trace.note("probe", probe.name) }
        taskIndex = Dictionary(plan.tasks.enumerated().map { ($0.element.uuid, $0.offset) }, uniquingKeysWith: { a, _ in a })
        nextActive = Dictionary(uniqueKeysWithValues: zip(plan.active, plan.active.dropFirst()))
        deliveryCounts = Array(repeating: 0, count: plan.tasks.count)
        putCounts = deliveryCounts
        createCounts = deliveryCounts
        requests = RequestLog(tasks: plan.tasks.count)

        if let schedule = scenario.faults.schedule {
            for fault in schedule {
                if let problem = problem(of: fault) {
                    throw ScenarioError(file: scenarioFile, line: 0, "faults.schedule: \(fault.yaml): \(problem)")
                }
            }
            faults = FaultPlan(schedule: schedule)
        }
        setStandingFaults()
    }

    /// Why this run cannot inject an explicit fault: it names a task, worker, host,
    /// controller or broker node the run does not have.
    func problem(of fault: ScheduledFault) -> String? {
        if let task = fault.task, task >= plan.tasks.count {
            return "task \(task) is past the workload's \(plan.tasks.count) tasks (they count from 0)"
        }
        guard let target = fault.target else { return nil }
        let count: Int
        let what: String
        switch fault.kind {
        case .hostCrash, .partition: (count, what) = (settings.hosts, "host")
        case .brokerNodeKill: (count, what) = (brokerNodesUp.count, "broker node")
        case .controllerCrash, .clockSkew: (count, what) = (settings.controllers, "controller")
        default: (count, what) = (settings.workers, "worker")
        }
        return target < count ? nil : "\(what) \(target) is past the run's \(count) \(what)s (they count from 0)"
    }

    /// The faults that hold for the whole run: disagreeing and small workers, and the
    /// controllers' clock skews, drawn or read from the schedule, and recorded.
    func setStandingFaults() {
        var standing: [ScheduledFault] = []
        if faults.isExplicit {
            standing = faults.timed.filter { [.disagreeingWorker, .smallWorker, .clockSkew, .wrongToken].contains($0.kind) }
        } else {
            let count = workers.count
            for index in max(0, count - scenario.faults.disagreeingWorkers)..<count {
                standing.append(
                    ScheduledFault(.disagreeingWorker, point: scenario.faults.disagreeingRenders.rawValue, target: index))
            }
            for index in 0..<min(count, scenario.faults.smallWorkers) {
                standing.append(ScheduledFault(.smallWorker, target: index, amount: scenario.faults.smallWorkBudget))
            }
            let middle = count / 2
            for index in middle..<min(count, middle + scenario.faults.wrongTokenWorkers) {
                standing.append(ScheduledFault(.wrongToken, target: index, length: scenario.faults.wrongTokenFor))
            }
            if scenario.faults.clockSkew > 0 {
                for index in controllers.indices {
                    let by = Tick(controllerRandom.int(in: 0...Int(scenario.faults.clockSkew)))
                    guard by > 0 else { continue }
                    let ahead = controllerRandom.chance(0.5)
                    standing.append(ScheduledFault(.clockSkew, point: ahead ? "ahead" : "behind", target: index, length: by))
                }
            }
        }
        for fault in standing {
            guard let target = fault.target else { continue }
            switch fault.kind {
            case .disagreeingWorker:
                workers[target].renders = .disagreeing(Scenario.DisagreeingRender(rawValue: fault.point ?? "") ?? .original)
            case .smallWorker:
                workers[target].policy.limits = RenderLimits(workBudget: Int(clamping: fault.amount ?? 1))
            case .clockSkew:
                let seconds = Double(fault.length ?? 0) / Double(ticksPerSecond)
                skews[target] = fault.point == "behind" ? -seconds : seconds
            case .wrongToken:
                // Then an operator sets the right token and restarts the worker gracefully.
                let length = fault.length ?? 0
                workers[target].refusedUntil = length
                agenda.schedule(.stopWorker(ScheduledFault(.wrongToken, at: length, target: target, length: 0)), at: length)
            default:
                continue
            }
            faults.record(fault)
        }
    }

    /// Simulated seconds of a tick, as text: `12.345678s`.
    static func seconds(_ tick: Tick) -> String {
        String(format: "%.6fs", Double(tick) / Double(ticksPerSecond))
    }

    var now: Tick { clock.now }
    /// In the fault phase; afterwards no new fault is drawn and the run must recover. An
    /// explicit schedule's faults strike whenever they come.
    var faultsActive: Bool {
        guard now < faultPhaseEnd else { return false }
        return !faultPhaseEndsWithProgress
            || Double(store.completedCount) < Self.recoveryShare * Double(plan.active.count)
    }

    func schedule(_ event: Event, after delay: Tick = 0) {
        agenda.schedule(event, at: now + delay)
    }

    /// Runs to a quiet state (or the scenario's time limit), then checks every task.
    /// `progress` is called now and then with the run's state, for a progress line.
    public func run(progress: ((Progress) -> Void)? = nil) async -> SimulationReport {
        await Probe.recording(into: probes) { await runRecorded(progress: progress) }
    }

    private func runRecorded(progress: ((Progress) -> Void)?) async -> SimulationReport {
        let started = ContinuousClock.now
        queue.observeDeliveries { [woken] consumer in woken.add(consumer) }
        for index in controllers.indices { await startController(index) }
        for index in workers.indices { startWorker(index) }
        if let first = plan.active.first { agenda.schedule(.arrive(task: first, attempt: 0), at: plan.tasks[first].arrival) }
        for (index, poison) in plan.poison.enumerated() { agenda.schedule(.poison(index), at: poison.arrival) }
        scheduleTimedFaults()

        var timedOut = false
        var lastProgress = ContinuousClock.now
        var eventsThisTick = 0
        while let next = agenda.pop() {
            let (tick, event) = next
            if tick > scenario.expect.within {
                timedOut = true
                break
            }
            eventsThisTick = tick == now ? eventsThisTick + 1 : 0
            if eventsThisTick > Self.livelockEvents {
                // Something schedules itself again with no time passing (a wait of zero,
                // say): simulated time would never move on.
                livelock = tick
                break
            }
            clock.advance(to: tick)
            await handle(event)
            pollWokenWorkers()
            counters.events += 1
            if await isQuiet() { break }
            if let progress, counters.events % 4096 == 0, ContinuousClock.now - lastProgress > .seconds(1) {
                lastProgress = ContinuousClock.now
                progress(Progress(tick: now, completed: store.completedCount, tasks: plan.active.count))
            }
        }
        faultCounts.nackedPublishes = broker.nackedPublishes
        let wallClock = ContinuousClock.now - started
        // A run cut off by its time limit may end with the database down: the checker reads it.
        store.isDown = false
        return await Checker(simulation: self).report(timedOut: timedOut, wallClock: wallClock)
    }

    /// The faults of the whole cluster: at the scenario's times, or the schedule's.
    func scheduleTimedFaults() {
        guard faults.isExplicit else {
            scheduleControllerCrashes()
            for tick in scenario.faults.brokerRestartAt { agenda.schedule(.restartBroker(nil), at: tick) }
            for tick in scenario.faults.hostCrashAt { agenda.schedule(.crashHost(nil), at: tick) }
            for tick in scenario.faults.partitionAt { agenda.schedule(.partitionHost(nil), at: tick) }
            for tick in scenario.faults.databaseRestartAt { agenda.schedule(.restartDatabase(nil), at: tick) }
            for tick in scenario.faults.brokerNodeKillAt { agenda.schedule(.killBrokerNode(nil), at: tick) }
            for tick in scenario.faults.workerStopAt { agenda.schedule(.stopWorker(nil), at: tick) }
            return
        }
        for fault in faults.timed {
            let at = fault.at ?? 0
            switch fault.kind {
            case .controllerCrash: agenda.schedule(.crashControllerNow(fault), at: at)
            case .brokerRestart: agenda.schedule(.restartBroker(fault), at: at)
            case .hostCrash: agenda.schedule(.crashHost(fault), at: at)
            case .partition: agenda.schedule(.partitionHost(fault), at: at)
            case .databaseRestart: agenda.schedule(.restartDatabase(fault), at: at)
            case .brokerNodeKill: agenda.schedule(.killBrokerNode(fault), at: at)
            case .workerStop: agenda.schedule(.stopWorker(fault), at: at)
            default: continue
            }
        }
    }

    /// Runs `body` (a create, an outbox pass) as an operation that can park in simulated
    /// time for a late confirm while the run goes on; inline when no confirm can be late.
    func asOperation(_ body: @escaping () async -> Void) async {
        guard lateConfirmsPossible else { return await body() }
        let handed = TakingTurns(value: body)
        await SimulatedOperation.start(trace: trace) { await handed.value() }
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
        case .arrive(let task, let attempt): await asOperation { await self.arrive(task, attempt: attempt) }
        case .poison(let index): await publishPoison(index)
        case .job(let id): await step(id)
        case .consumerTimeout(let id): await consumerTimeout(id)
        case .restartWorker(let index):
            workers[index].crashed = false
            trace.note("restart", actor: workers[index].name, task: nil)
            startWorker(index)
        case .restartBroker(let fault): await restartBroker(fault)
        case .brokerBack: brokerBack()
        case .crashController: crashController()
        case .crashControllerNow(let fault): crashControllerNow(fault)
        case .restartController(let index): await asOperation { await self.startController(index) }
        case .publishOutbox(let index, let generation):
            await asOperation { await self.publishOutbox(index, generation: generation) }
        case .wakeOperation(let operation): await operation.resume()
        case .crashHost(let fault): await crashHost(fault)
        case .partitionHost(let fault): partitionHost(fault)
        case .noticePartition(let host): await noticePartition(host)
        case .healPartition(let host): healPartition(host)
        case .restartDatabase(let fault): restartDatabase(fault)
        case .databaseBack:
            store.isDown = false
            trace.note("back", actor: "database", task: nil)
        case .killBrokerNode(let fault): await killBrokerNode(fault)
        case .brokerNodeBack(let node):
            brokerNodesUp[node] = true
            trace.note("back", actor: "broker-node-\(node + 1)", task: nil)
        case .failOver(let worker): failOver(worker)
        case .delete(let fault): await deleteTask(fault)
        case .repeatCreate(let fault): await repeatCreate(fault)
        case .stopWorker(let fault): await stopWorker(fault)
        }
    }

    /// Nothing in flight: every task created, every poison message published, no job in
    /// a worker's hands, nothing in the queue and nothing in the outbox (every stored task
    /// marked published, also one completed meanwhile). Then nothing can change any more,
    /// and the checker judges the run; a run that never gets there fails for liveness.
    func isQuiet() async -> Bool {
        guard arrived == plan.active.count, poisonPublished == plan.poison.count, jobs.isEmpty, !store.isDown else {
            return false
        }
        let counts = queue.counts
        guard counts.ready == 0, counts.unacknowledged == 0 else { return false }
        return (try? await store.unpublished(limit: 1).isEmpty) ?? false
    }

    /// Every fault the run injected so far, in the order it struck: a finished run's
    /// faults, made explicit (a scenario with these as `faults.schedule` replays it).
    public var injectedFaults: [ScheduledFault] { faults.injected }

    /// The run's events so far (empty unless it keeps a trace).
    public var traceEvents: [TraceEvent] { trace.events }

    /// The task index of a uuid, if it is one of the run's tasks.
    func task(_ uuid: String?) -> Int? { uuid.flatMap { taskIndex[$0] } }
}
