import FaafoCluster
import FaafoLatency
import FaafoSim
import HostLab
import FaafoWire
import FractalJob
import Foundation

/// A scenario played against real processes on this machine (`faafo-sim run --cluster`):
/// one `faafo-api` and the scenario's `faafo-worker` processes on RabbitMQ, started by a
/// `LocalCluster`. The tasks are the very ones a simulation of the same seed creates (same
/// uuids, same parameters, same arrival times); the scenario's faults become real ones;
/// the same rules judge the outcome, and the report has the simulation's shape.
///
/// How the faults carry over, each drawn from the seed per task during the first 90 % of
/// the creates (the fault phase), and injected once that task has been created:
/// - a worker crash at any step: SIGKILL of a worker, started again after `restart-after`
///   (a real kill lands wherever the worker happens to be);
/// - a slow worker: SIGSTOP, then SIGCONT after the stall;
/// - a duplicate delivery: the task's message published a second time;
/// - a controller crash: SIGKILL of the API and a restart on its port and database, after
///   the task whose arrival follows the crash's time;
/// - a broker restart: RabbitMQ's application stopped and started, placed the same way;
/// - poison: published straight to the queue where the simulation publishes it;
/// - a host crash: SIGKILL of every worker of the host, placed the same way;
/// - a partition: SIGSTOP of every worker of the host for its length (silent, as behind a
///   cut link), placed the same way.
/// A kind of fault a real cluster cannot inject (`FaultKind.declaration` says which, and
/// why), an explicit schedule, and a deliberately broken worker have no real counterpart
/// here; a scenario with them is refused, naming each.
public final class ClusterScenario {
    public let scenario: Scenario
    public let settings: SimulationSettings
    /// What the cluster does differently from the simulation, a line each.
    public let notes: [String]
    public let plan: ClusterPlan
    /// Whether it runs on test hosts (`--hosts`): a controller host with RabbitMQ and the
    /// API, and a host of its own for each of the scenario's worker hosts.
    public let onHosts: Bool
    /// On test hosts, the broker's own hosts: 0 for a node on the controller, else a cluster
    /// of `faults.broker-node-kill.nodes` nodes, for a scenario that kills them.
    public var brokerHosts: Int { onHosts && !scenario.faults.brokerNodeKillAt.isEmpty ? scenario.faults.brokerNodes : 0 }
    /// On test hosts, the APIs' own hosts: 0 for one on the controller over SQLite, else one
    /// a controller over PostgreSQL on a host of its own (several, or a database restart).
    public var apiHosts: Int {
        guard onHosts, Self.needsAPIHosts(controllers: settings.controllers, scenario.faults) else { return 0 }
        return settings.controllers
    }

    /// Whether a run on test hosts puts its APIs on hosts of their own, over PostgreSQL:
    /// several APIs share one database, and a database restart needs a server.
    static func needsAPIHosts(controllers: Int, _ faults: Scenario.Faults) -> Bool {
        controllers > 1 || !faults.databaseRestartAt.isEmpty
    }
    let setup: RunSetup

    /// Throws `ScenarioError` for a scenario with faults a real cluster cannot have.
    /// `onHosts`: the multi-host mode, where host crashes and partitions are real ones.
    public init(
        scenario: Scenario, seed: UInt64, taskCount: Int? = nil, scenarioFile: String = "", onHosts: Bool = false
    ) throws(ScenarioError) {
        let faults = scenario.faults
        // What each kind of fault can do on a real cluster is declared with the kind.
        var refused = scenario.refusals(in: onHosts ? .hosts : .cluster)
        if let bug = scenario.cluster.workerBug {
            refused.append("worker-bug \(bug.rawValue) (a test-only defect of the step machine that faafo-worker cannot switch on)")
        }
        guard refused.isEmpty else {
            throw ScenarioError(
                file: scenarioFile, line: 0,
                "cannot run on a real cluster: \(refused.joined(separator: "; ")); run it without --cluster")
        }

        self.scenario = scenario
        self.onHosts = onHosts
        var setup = try RunSetup(scenario: scenario, seed: seed, taskCount: taskCount, scenarioFile: scenarioFile)
        var settings = setup.settings
        guard settings.workers <= Self.maximumWorkers else {
            throw ScenarioError(
                file: scenarioFile, line: 0,
                "cannot run on a real cluster: \(settings.workers) workers drawn, and a cluster on one machine runs at most \(Self.maximumWorkers) worker processes")
        }
        var notes: [String] = []
        if settings.controllers != 1 && !onHosts {
            notes.append("one faafo-api instead of \(settings.controllers) controllers")
            settings.controllers = 1
        }
        if settings.prefetch != settings.concurrency {
            notes.append("prefetch \(settings.concurrency), not \(settings.prefetch): faafo-worker's prefetch is its concurrency")
            settings.prefetch = settings.concurrency
        }
        if faults.consumerTimeout != nil {
            notes.append(
                "no consumer timeout: RabbitMQ's is set for the whole broker, so a paused worker keeps its tasks until it resumes")
        }
        if faults.controllerCrashAt.count + (faults.controllerCrashEvery == nil ? 0 : 1) > 0 {
            notes.append(
                onHosts
                    ? "a controller crash SIGKILLs every process of an API host, in turn, and starts its API again after down-for"
                    : "the API restarts at once rather than after down-for")
        }
        if !faults.brokerRestartAt.isEmpty {
            notes.append(
                "broker restarts restart this machine's RabbitMQ (every other user of it is cut off too), "
                    + "down for as long as it takes rather than down-for")
        }
        if onHosts {
            guard settings.hosts <= Self.maximumHosts else {
                throw ScenarioError(
                    file: scenarioFile, line: 0,
                    "cannot run on test hosts: \(settings.hosts) worker hosts drawn, at most \(Self.maximumHosts)")
            }
            notes.append(
                "on test hosts: \(faults.brokerNodeKillAt.isEmpty ? "RabbitMQ on controller" : "a RabbitMQ cluster on broker-1…"), "
                    + (Self.needsAPIHosts(controllers: settings.controllers, faults)
                        ? "PostgreSQL on db, faafo-api on api-1…api-\(settings.controllers)\(settings.controllers > 1 ? " behind haproxy on lb" : ""), "
                        : "faafo-api on controller (SQLite), ")
                    + "client (this run), and \(settings.hosts) worker host(s), worker i on host i mod \(settings.hosts)")
            if !faults.brokerNodeKillAt.isEmpty {
                notes.append(
                    "a RabbitMQ cluster of \(faults.brokerNodes) nodes on hosts broker-1… with a quorum task queue; a broker node kill SIGKILLs every process of its host")
            }
            if !faults.partitionAt.isEmpty {
                notes.append(
                    "a partition takes the host's link down; the broker notices after its heartbeat (\(HostsRun.brokerHeartbeat) s here), not faults.partition.heartbeat")
            }
        } else if !faults.hostCrashAt.isEmpty {
            notes.append("a host crash is a SIGKILL of each worker of the host (worker i is on host i mod \(settings.hosts))")
        }
        if !onHosts, !faults.partitionAt.isEmpty {
            notes.append(
                "a partition is a SIGSTOP of the host's workers for its length: they neither talk nor answer heartbeats, "
                    + "so the broker notices them after RabbitMQ's own heartbeat timeout, not faults.partition.heartbeat")
        }
        settings.faultPhaseEnd = "\(Int(RunSetup.recoveryShare * 100))% of the tasks are created"
        settings.renderCache = false
        self.settings = settings
        self.notes = notes
        self.setup = setup

        var plan = ClusterPlan(tasks: setup.plan.tasks.map(\.request))
        plan.workers = settings.workers
        plan.concurrency = settings.concurrency
        plan.arrivals = setup.plan.tasks.map { Self.duration($0.arrival) }
        plan.inFlight = max(8, 2 * settings.workers * settings.concurrency)
        plan.timeout = Self.duration(scenario.expect.within)
        plan.faults = Self.faults(
            scenario, setup.plan, workers: settings.workers, hosts: settings.hosts, onHosts: onHosts,
            random: &setup.faultRandom)
        self.plan = plan
    }

    /// Worker processes a cluster on one machine runs at most.
    public static let maximumWorkers = 64
    /// Worker hosts a run on test hosts makes at most.
    public static let maximumHosts = 16

    static func duration(_ ticks: Tick) -> Duration { .microseconds(Int64(clamping: ticks)) }

    /// The scenario's faults as real ones, in the order of their moments.
    static func faults(
        _ scenario: Scenario, _ workload: WorkloadPlan, workers: Int, hosts: Int, onHosts: Bool,
        random: inout SimulationRandom
    ) -> [ClusterFault] {
        let faults = scenario.faults
        let tasks = workload.tasks
        // The fault phase: the first 90 % of the tasks, and those that arrive before `until`.
        var phase = Int(Double(tasks.count) * RunSetup.recoveryShare)
        if let until = faults.until { phase = min(phase, tasks.prefix { $0.arrival < until }.count) }
        var crashRandom = random.split()
        var slowRandom = random.split()
        var duplicateRandom = random.split()
        var hostRandom = random.split()
        let crashChances = Scenario.CrashStep.allCases.compactMap { faults.workerCrash[$0] }.filter { $0 > 0 }
        let lastWorker = max(workers, 1) - 1

        var out: [ClusterFault] = []
        for index in 0..<phase {
            let moment = ClusterFault.Moment.afterCreates(index + 1)
            for chance in crashChances where crashRandom.chance(chance) {
                out.append(
                    .killWorker(
                        worker: crashRandom.int(in: 0...lastWorker), at: moment,
                        restartAfter: duration(faults.workerRestart)))
            }
            if slowRandom.chance(faults.slowWorker) {
                out.append(
                    .pauseWorker(worker: slowRandom.int(in: 0...lastWorker), at: moment, for: duration(faults.slowStall)))
            }
            if duplicateRandom.chance(faults.duplicateDelivery) {
                out.append(.duplicateTask(uuid: tasks[index].uuid, at: moment))
            }
        }

        // Tasks that arrived by `tick`: a fault timed in simulated time happens after them.
        func createdBy(_ tick: Tick) -> Int { tasks.prefix { $0.arrival <= tick }.count }
        let phaseEnd = phase > 0 ? tasks[phase - 1].arrival : 0
        var crashTicks = faults.controllerCrashAt
        if let every = faults.controllerCrashEvery, every > 0 {
            var tick = every
            while tick <= phaseEnd {
                crashTicks.append(tick)
                tick += every
            }
        }
        for (index, tick) in crashTicks.sorted().enumerated() where createdBy(tick) < phase {
            let at = ClusterFault.Moment.afterCreates(createdBy(tick))
            out.append(
                onHosts
                    ? .crashAPIHost(index: index, at: at, restartAfter: duration(faults.controllerDownFor))
                    : .restartAPI(at: at))
        }
        if onHosts {
            for tick in faults.databaseRestartAt.sorted() where createdBy(tick) < phase {
                out.append(.restartDatabase(at: .afterCreates(createdBy(tick)), downFor: duration(faults.databaseDownFor)))
            }
        }
        for tick in faults.brokerRestartAt.sorted() where createdBy(tick) < phase {
            out.append(.restartBroker(at: .afterCreates(createdBy(tick))))
        }
        // Each host fault at its time, of a host drawn from the seed: on test hosts the
        // host's own, on one machine one for each of its workers (worker i on host i mod hosts).
        func hostFaults(
            at ticks: [Tick], onHost: (Int, ClusterFault.Moment) -> ClusterFault,
            onWorker: (Int, ClusterFault.Moment) -> ClusterFault
        ) {
            for tick in ticks.sorted() where createdBy(tick) < phase {
                let host = hostRandom.int(in: 0...(max(hosts, 1) - 1))
                let at = ClusterFault.Moment.afterCreates(createdBy(tick))
                if onHosts {
                    out.append(onHost(host, at))
                } else {
                    for worker in (0..<workers) where worker % max(hosts, 1) == host { out.append(onWorker(worker, at)) }
                }
            }
        }
        let down = duration(faults.hostDownFor)
        let cut = duration(faults.partitionFor)
        hostFaults(
            at: faults.hostCrashAt, onHost: { .crashHost(host: $0, at: $1, restartAfter: down) },
            onWorker: { .killWorker(worker: $0, at: $1, restartAfter: down) })
        hostFaults(
            at: faults.partitionAt, onHost: { .partitionHost(host: $0, at: $1, for: cut) },
            onWorker: { .pauseWorker(worker: $0, at: $1, for: cut) })
        if onHosts {
            for (index, tick) in faults.brokerNodeKillAt.sorted().enumerated() where createdBy(tick) < phase {
                out.append(
                    .killBrokerNode(
                        node: index % max(faults.brokerNodes, 1), at: .afterCreates(createdBy(tick)),
                        restartAfter: duration(faults.brokerNodeDownFor)))
            }
        }
        for poison in workload.poison {
            out.append(.publish(body: poison.body, messageID: poison.messageID, at: .afterCreates(createdBy(poison.arrival))))
        }
        return out
    }

    /// The project's scripts/start-postgres, from the checkout faafo-sim runs in.
    public static let defaultPostgresScript = URL(fileURLWithPath: "scripts/start-postgres")

    /// What a cluster run gives: its report, every fractal the API held at its end, and
    /// the run's trace, read from its processes' logs and the faults it injected.
    public struct Outcome: Sendable {
        public let report: SimulationReport
        public let stored: [FractalObject]
        public let trace: [TraceEvent]
    }

    /// Starts the cluster (and RabbitMQ when none answers and `startBroker`), runs the
    /// plan, stops every process it started, and judges what the API stored.
    /// On test hosts (`onHosts`), `hosts` are the ones this process runs on
    /// (`HostsRun.attachedHosts`): a RabbitMQ node is started on the controller for the run,
    /// and with API hosts PostgreSQL on `db`, by `postgresScript`.
    public func run(
        executables: URL, startBroker: Bool = true, hosts: HostsRun.Attached? = nil,
        postgresScript: URL = ClusterScenario.defaultPostgresScript,
        progress: (@Sendable (ClusterProgress) -> Void)? = nil
    ) async throws -> Outcome {
        var plan = self.plan
        plan.progress = progress
        var options = LocalCluster.Options(executables: executables)
        options.startBroker = startBroker
        options.workerConcurrency = settings.concurrency
        var broker: HostsRun.Broker?
        if onHosts {
            guard let hosts else { throw ClusterError("a run on test hosts runs on the client host (faafo-sim --hosts)") }
            let started = try await hosts.startBroker()
            broker = started
            options.broker = started.rabbitMQ
            options.startBroker = false
            options.placement = hosts.placement(workerHosts: settings.hosts, broker: started)
            if let database = try await hosts.startDatabase(startPostgres: postgresScript) {
                options.databaseURL = database.url
                options.placement?.restartDatabase = database.restart
                options.additionalAPIs = max(0, apiHosts - 1)
            }
            if brokerHosts > 0 {
                // A quorum task queue, replicated on the cluster's nodes.
                options.apiEnvironment["FAAFO_QUEUE_TYPE"] = "quorum"
                options.workerEnvironment["FAAFO_QUEUE_TYPE"] = "quorum"
            }
        }
        let cluster: LocalCluster
        do {
            cluster = try await LocalCluster(options)
        } catch {
            await broker?.stop()
            throw error
        }
        var balancer: HostBalancer?
        do {
            // The balancer once the APIs answer: it waits for one to be ready through it.
            balancer = try await hosts?.startBalancer()
            let outcome = try await cluster.run(plan)
            let deadLetters = try await drainDeadLetters(cluster)
            let conflicts = cluster.apiLogCount(of: "determinism violation")
            await cluster.stop()
            await balancer?.stop()
            await broker?.stop()
            let trace = ClusterTrace.events(from: outcome)
            var report = report(outcome, deadLetters: deadLetters, conflictingResults: conflicts)
            let numbers = Dictionary(setup.plan.tasks.enumerated().map { ($1.uuid, $0) }, uniquingKeysWith: { a, _ in a })
            let stories = TaskStory.stories(
                failing: report.failingTasks ?? [:], classes: Tally.Kind.allCases.map(\.rawValue), trace: trace,
                taskIndex: numbers)
            if !stories.isEmpty { report.stories = stories }
            return Outcome(report: report, stored: outcome.objects, trace: trace)
        } catch {
            await cluster.stop()
            await balancer?.stop()
            await broker?.stop()
            throw error
        }
    }

    /// For each moment, seconds to the first `completed_at` after it (of a task created
    /// after it, with `createdAfter`); nil without moments.
    static func firstCompletions(after moments: [Date]?, in objects: [FractalObject], createdAfter: Bool) -> [Double]? {
        guard let moments, !moments.isEmpty else { return nil }
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let tasks = objects.compactMap { object in
            object.completedDate.map { (created: (try? style.parse(object.createdAt)) ?? .distantPast, completed: $0) }
        }
        return moments.compactMap { moment in
            tasks.filter { $0.completed > moment && (!createdAfter || $0.created > moment) }.map(\.completed).min()
                .map { $0.timeIntervalSince(moment) }
        }
    }

    /// Message ids in the dead-letter queue. The poison messages may still be on their
    /// way there when the last task is stored, and after a broker restart the connection
    /// may still be coming back, so this waits (30 s at most) for both.
    func drainDeadLetters(_ cluster: LocalCluster) async throws -> [String] {
        let poisonIDs = Set(setup.plan.poison.map(\.messageID))
        var ids: [String] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                ids += try await cluster.drainDeadLetters().map { $0.messageID ?? "?" }
                if ids.filter(poisonIDs.contains).count >= poisonIDs.count { return ids }
            } catch where ContinuousClock.now < deadline {
                // Reconnecting after a broker restart: try again.
            }
            if ContinuousClock.now >= deadline { return ids }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    func report(_ outcome: ClusterOutcome, deadLetters: [String], conflictingResults: Int) -> SimulationReport {
        let tasks = setup.plan.tasks
        var tally = Tally(total: tasks.count)
        let stored = Dictionary(grouping: outcome.objects, by: \.uuid)
        let planned = Set(tasks.map(\.uuid))
        for extra in outcome.objects where !planned.contains(extra.uuid) { tally.count(.storedTwice, extra.uuid) }
        let notCreated = Set(outcome.notCreated)
        var expectations = ExpectationCache(fixtureMatchesPlatform: setup.fixture?.encoder == .current)
        var storedLatency = LatencyRecorder()
        var createLatency = LatencyRecorder()
        for task in tasks {
            if let latency = outcome.createLatencies[task.uuid] { createLatency.record(latency) }
            guard let copies = stored[task.uuid], let object = copies.first else {
                tally.unfinished(task.uuid, canStillFinish: notCreated.contains(task.uuid) || outcome.timedOut)
                continue
            }
            if copies.count > 1 { tally.count(.storedTwice, task.uuid) }
            guard object.status == .completed else {
                tally.count(object.status == .failed ? .failed : .stuck, task.uuid)
                continue
            }
            tally.account.completed += 1
            if let latency = object.storedLatency { storedLatency.record(latency) }
            if object.isOutsideRenderContract {
                tally.count(.outsideContract, task.uuid)
            } else if expectations.expected(for: task, storedSeed: object.fractal.seed)?.matches(
                pixelChecksum: object.pixelChecksum, checksum: object.checksum) != true
            {
                tally.count(.wrongChecksum, task.uuid)
            }
        }

        let poisonIDs = Set(setup.plan.poison.map(\.messageID))
        var poison = SimulationReport.PoisonAccount(published: outcome.faultsInjected["publish"] ?? 0)
        for id in deadLetters {
            if poisonIDs.contains(id) {
                poison.deadLettered += 1
            } else {
                tally.count(.deadLettered, id)
            }
        }

        var judge = Judge(examples: tally.examples)
        let account = tally.account
        judge.judge(
            account, poison: poison, conflictingResults: conflictingResults, redeliveries: outcome.redeliveries,
            expect: scenario.expect,
            stallReason: outcome.timedOut
                ? "still running at the limit of \(outcome.wallClock)"
                : "\(notCreated.count) task(s) never created")
        if poison.published < poisonIDs.count {
            judge.fail(.liveness, "\(poisonIDs.count - poison.published) poison message(s) could not be published")
        }

        let injected = outcome.faultsInjected
        var faults = SimulationReport.FaultCounts()
        if let kills = injected["worker-kill"] { faults.workerCrashes = ["sigkill": kills] }
        faults.slowRenders = injected["worker-pause"] ?? 0
        faults.controllerCrashes = injected["api-restart"] ?? 0
        faults.brokerRestarts = injected["broker-restart"] ?? 0
        faults.duplicateDeliveries = injected["duplicate-task"] ?? 0
        faults.hostCrashes = injected["host-crash"] ?? 0
        faults.partitions = injected["partition"] ?? 0
        faults.brokerNodeKills = injected["broker-node-kill"] ?? 0
        faults.controllerCrashes += injected["api-host-crash"] ?? 0
        faults.databaseRestarts = injected["database-restart"] ?? 0
        var counters = SimulationReport.Counters()
        counters.redeliveries = outcome.redeliveries
        counters.deadLettered = deadLetters.count
        counters.createErrors = outcome.createRetries

        let seconds = outcome.wallClock.seconds
        let throughput = seconds > 0 ? Double(account.completed) / seconds : 0
        var report = SimulationReport(
            scenario: scenario.name, mode: .cluster, settings: settings, verdict: judge.verdict, failures: judge.failures,
            tasks: account, poison: poison, faults: faults, counters: counters, simulated: nil,
            cluster: .init(
                seconds: seconds, tasksPerSecond: throughput, createLatency: createLatency.summary,
                storedLatency: storedLatency.summary, createRetries: outcome.createRetries,
                faultsSkipped: outcome.faultsSkipped, faultsInjected: injected,
                brokerNodeKillToCompletion: Self.firstCompletions(
                    after: outcome.faultMoments["broker-node-kill"], in: outcome.objects, createdAfter: false),
                brokerNodeKillToNewTaskCompletion: Self.firstCompletions(
                    after: outcome.faultMoments["broker-node-kill"], in: outcome.objects, createdAfter: true)),
            wallClock: .init(seconds: seconds, tasksPerSecond: throughput))
        if !tally.failing.isEmpty { report.failingTasks = tally.failing }
        return report
    }
}
