import FaafoClient
import FaafoWire
import Foundation
import Synchronization

/// A fault to inject into a running `LocalCluster`, at a moment of the run.
public enum ClusterFault: Sendable, Hashable, CustomStringConvertible {
    /// SIGKILL worker `worker` (0-based); start it again after `restartAfter` (never if nil).
    /// When that worker is down already, the next running one is killed instead.
    case killWorker(worker: Int, at: Moment, restartAfter: Duration?)
    /// SIGSTOP worker `worker`, SIGCONT it `for` later.
    case pauseWorker(worker: Int, at: Moment, for: Duration)
    /// Kill the API with SIGKILL and start it again on its port and database.
    case restartAPI(at: Moment)
    /// Restart the broker application (every connection drops).
    case restartBroker(at: Moment)
    /// Publish `body` straight to the work queue, beside the API (a poison message, say).
    case publish(body: Data, messageID: String, at: Moment)
    /// Publish the task message of an already created fractal a second time: the
    /// workers receive it twice, as after a redelivery the API never saw.
    case duplicateTask(uuid: String, at: Moment)
    /// SIGKILL every process of worker host `host` (0-based, of the placement's worker
    /// hosts); start its workers again after `restartAfter`. Needs a placement.
    case crashHost(host: Int, at: Moment, restartAfter: Duration)
    /// Take worker host `host`'s link down for `for`, then up again. Needs a placement.
    case partitionHost(host: Int, at: Moment, for: Duration)
    /// SIGKILL broker node `node` (0-based, of the placement's broker hosts: every process
    /// of its host) and start it again after `restartAfter`. Needs a placement with them.
    case killBrokerNode(node: Int, at: Moment, restartAfter: Duration)
    /// SIGKILL every process of API `index`'s host, and start that API again after
    /// `restartAfter` (behind the balancer, the others carry on). Needs a placement.
    case crashAPIHost(index: Int, at: Moment, restartAfter: Duration)
    /// Stop the database server for `downFor`, then start it again. Needs a placement with one.
    case restartDatabase(at: Moment, downFor: Duration)

    /// When a fault is injected: after a time from the start of the run, or once a number
    /// of the plan's tasks were created (a moment that does not depend on the machine's speed).
    public enum Moment: Sendable, Hashable, CustomStringConvertible {
        case time(Duration)
        case afterCreates(Int)

        public var description: String {
            switch self {
            case .time(let offset): "at \(offset)"
            case .afterCreates(let count): "after \(count) creates"
            }
        }
    }

    public var at: Moment {
        switch self {
        case .killWorker(_, let at, _), .pauseWorker(_, let at, _), .restartAPI(let at), .restartBroker(let at),
            .publish(_, _, let at), .duplicateTask(_, let at), .crashHost(_, let at, _), .partitionHost(_, let at, _),
            .killBrokerNode(_, let at, _), .crashAPIHost(_, let at, _), .restartDatabase(let at, _):
            at
        }
    }

    /// The kind, as reports count it: `worker-kill`, `worker-pause`, `api-restart`,
    /// `broker-restart`, `publish`, `duplicate-task`, `host-crash`, `partition`, `broker-node-kill`.
    public var kind: String {
        switch self {
        case .killWorker: "worker-kill"
        case .pauseWorker: "worker-pause"
        case .restartAPI: "api-restart"
        case .restartBroker: "broker-restart"
        case .publish: "publish"
        case .duplicateTask: "duplicate-task"
        case .crashHost: "host-crash"
        case .partitionHost: "partition"
        case .killBrokerNode: "broker-node-kill"
        case .crashAPIHost: "api-host-crash"
        case .restartDatabase: "database-restart"
        }
    }

    public var description: String {
        switch self {
        case .killWorker(let worker, let at, let restart):
            "kill worker \(worker + 1) \(at)" + (restart.map { ", restart after \($0)" } ?? "")
        case .pauseWorker(let worker, let at, let duration): "pause worker \(worker + 1) \(at) for \(duration)"
        case .restartAPI(let at): "restart the API \(at)"
        case .restartBroker(let at): "restart the broker \(at)"
        case .publish(_, let messageID, let at): "publish message \(messageID) \(at)"
        case .duplicateTask(let uuid, let at): "publish task \(uuid) again \(at)"
        case .crashHost(let host, let at, let restart): "crash worker host \(host + 1) \(at), restart after \(restart)"
        case .partitionHost(let host, let at, let duration): "cut worker host \(host + 1) off \(at) for \(duration)"
        case .killBrokerNode(let node, let at, let restart): "kill broker node \(node + 1) \(at), restart after \(restart)"
        case .crashAPIHost(let index, let at, let restart): "crash API host \(index + 1) \(at), restart after \(restart)"
        case .restartDatabase(let at, let down): "restart the database \(at), down for \(down)"
        }
    }
}

/// A run against a real local cluster: the tasks to create (each with its uuid, so that
/// a create can be retried safely), how fast, on how many workers, and the faults.
public struct ClusterPlan: Sendable {
    public var tasks: [CreateFractal]
    public var workers = 2
    public var concurrency = 2
    /// Creates a second at most; nil: as fast as `inFlight` creates at once allow.
    public var rate: Double?
    /// When each task may be created at the earliest, from the start of the run (one
    /// offset a task); `rate` then does not apply.
    public var arrivals: [Duration]?
    public var inFlight = 8
    public var faults: [ClusterFault] = []
    /// The whole run, creates and completion, ends by then.
    public var timeout: Duration = .seconds(300)
    /// Hears where the run is, about once a second (for a progress line).
    public var progress: (@Sendable (ClusterProgress) -> Void)?

    public init(tasks: [CreateFractal]) {
        self.tasks = tasks
    }

    /// The earliest moment of task `index`, from the start.
    func arrival(_ index: Int) -> Duration? {
        if let arrivals { return index < arrivals.count ? arrivals[index] : nil }
        return rate.map { .seconds(Double(index) / $0) }
    }
}

/// Where a cluster run is: creating, then waiting for the last results.
public struct ClusterProgress: Sendable {
    public var tasks: Int
    public var created: Int
    /// Known once every task is created.
    public var completed: Int?
    public var faultsInjected: Int

    public var line: String {
        if let completed { return "\(completed)/\(tasks) tasks completed, \(faultsInjected) real faults injected" }
        return "\(created)/\(tasks) tasks created, \(faultsInjected) real faults injected"
    }
}

/// What a cluster run observed: every fractal stored at its end and the run's counts.
/// The caller checks them (checksums, nothing lost, nothing extra).
public struct ClusterOutcome: Sendable {
    /// Every fractal the API holds at the end of the run.
    public var objects: [FractalObject]
    /// How long each task's create call took, by uuid (the last, successful attempt).
    public var createLatencies: [String: Duration]
    /// Create calls that failed and were tried again (the API was down, say).
    public var createRetries: Int
    /// Tasks whose create never succeeded before the timeout.
    public var notCreated: [String]
    /// Faults injected, by kind.
    public var faultsInjected: [String: Int]
    /// When each was injected, by kind (this machine's clock, which the API's is too).
    public var faultMoments: [String: [Date]]
    /// Faults that could not be injected: a worker kill or pause with every worker down,
    /// a publish while the API or the broker was away.
    public var faultsSkipped: Int
    /// Deliveries the workers logged as redelivered.
    public var redeliveries: Int
    public var timedOut: Bool
    /// From the start of the run to the moment every created task was seen completed.
    public var wallClock: Duration
    /// When the run started, by this machine's clock (which the services log by).
    public var started: Date
    /// Every line the cluster's processes logged, with the process's name.
    public var logLines: [(process: String, line: String)]
}

extension LocalCluster {
    /// Starts `plan.workers` workers, creates the tasks while injecting the faults, waits
    /// (at most the plan's timeout) until every created task is completed, and returns
    /// what the API stored. Stops nothing: the caller stops the cluster.
    public func run(_ plan: ClusterPlan) async throws -> ClusterOutcome {
        for index in 0..<plan.workers { try await startWorker(index, plan: plan) }
        let clock = ContinuousClock()
        let start = clock.now
        let started = Date()
        let deadline = start + plan.timeout
        let log = FaultLog()
        let progress = CreateProgress()
        let reporter = Task {
            while !Task.isCancelled, let report = plan.progress {
                report(
                    ClusterProgress(
                        tasks: plan.tasks.count, created: progress.count, faultsInjected: log.counts.values.reduce(0, +)))
                try? await Task.sleep(for: .seconds(1))
            }
        }
        defer { reporter.cancel() }

        let created = try await withThrowingTaskGroup(of: CreateResults?.self) { group in
            let timed = plan.faults.filter { if case .time = $0.at { true } else { false } }
            let counted = plan.faults.filter { if case .afterCreates = $0.at { true } else { false } }
            for faults in [timed, counted] where !faults.isEmpty {
                group.addTask {
                    try await self.inject(
                        faults, plan: plan, from: start, until: deadline, progress: progress, log: log)
                    return nil
                }
            }
            group.addTask { try await self.createAll(plan, from: start, until: deadline, progress: progress) }
            var results: CreateResults?
            for try await result in group where result != nil { results = result }
            return results!
        }
        let uuids = plan.tasks.compactMap(\.uuid).filter { created.latencies[$0] != nil }
        var objects: [FractalObject] = []
        var timedOut = false
        do {
            let faults = log.counts.values.reduce(0, +)
            objects = try await waitForCompletion(uuids, timeout: max(deadline - clock.now, .seconds(1))) { completed in
                plan.progress?(
                    ClusterProgress(
                        tasks: plan.tasks.count, created: uuids.count, completed: completed, faultsInjected: faults))
            }
        } catch {
            timedOut = true
            objects = (try? await client.listAll(perPage: 1000)) ?? []
        }
        return ClusterOutcome(
            objects: objects, createLatencies: created.latencies, createRetries: created.retries,
            notCreated: plan.tasks.compactMap(\.uuid).filter { created.latencies[$0] == nil },
            faultsInjected: log.counts, faultMoments: log.moments, faultsSkipped: log.skipped,
            redeliveries: workerLogCount(of: "(redelivered)"), timedOut: timedOut, wallClock: clock.now - start,
            started: started, logLines: logLines())
    }

    static func workerName(_ index: Int) -> String { "worker-\(index + 1)" }

    /// Starts worker `index` of the plan, on its host when there is a placement.
    @discardableResult
    private func startWorker(_ index: Int, plan: ClusterPlan) async throws -> ServiceProcess {
        try await startWorker(
            name: Self.workerName(index), concurrency: plan.concurrency, host: options.placement?.workerHost(index))
    }

    /// Starts a killed worker again, as a supervisor would (`startSupervised`).
    private func restartWorker(_ index: Int, plan: ClusterPlan, until deadline: ContinuousClock.Instant) async throws {
        _ = try await startSupervised(until: deadline) { try await startWorker(index, plan: plan) }
    }

    private struct CreateResults: Sendable {
        var latencies: [String: Duration] = [:]
        var retries = 0
    }

    /// Creates every task, `inFlight` at a time and none before its arrival; a failed
    /// create is tried again (same uuid, so never twice) until the deadline.
    private func createAll(
        _ plan: ClusterPlan, from start: ContinuousClock.Instant, until deadline: ContinuousClock.Instant,
        progress: CreateProgress
    ) async throws -> CreateResults {
        let clock = ContinuousClock()
        return try await withThrowingTaskGroup(of: (String, Duration?, Int).self) { group in
            var results = CreateResults()
            var next = 0
            func collect(_ outcome: (String, Duration?, Int)) {
                if let latency = outcome.1 { results.latencies[outcome.0] = latency }
                results.retries += outcome.2
            }
            while next < plan.tasks.count {
                if next >= plan.inFlight, let done = try await group.next() { collect(done) }
                if let arrival = plan.arrival(next) {
                    try await Task.sleep(until: start + arrival, clock: clock)
                }
                let task = plan.tasks[next]
                group.addTask {
                    let outcome = try await self.createRetrying(task, until: deadline)
                    if outcome.1 != nil { progress.created() }
                    return outcome
                }
                next += 1
            }
            for try await done in group { collect(done) }
            return results
        }
    }

    private func createRetrying(_ task: CreateFractal, until deadline: ContinuousClock.Instant) async throws -> (
        String, Duration?, Int
    ) {
        let uuid = task.uuid ?? ""
        var retries = 0
        var delay = Duration.milliseconds(50)
        let clock = ContinuousClock()
        while clock.now < deadline {
            let began = clock.now
            do {
                _ = try await client.create(task)
                return (uuid, clock.now - began, retries)
            } catch let error as FaafoClientError where error.isClientError {
                throw ClusterError("the API refused task \(uuid): \(error)")
            } catch {
                retries += 1
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(1))
            }
        }
        return (uuid, nil, retries)
    }

    /// Injects each fault at its moment, in the order of their moments (all of one kind:
    /// times or create counts).
    private func inject(
        _ faults: [ClusterFault], plan: ClusterPlan, from start: ContinuousClock.Instant,
        until deadline: ContinuousClock.Instant, progress: CreateProgress, log: FaultLog
    ) async throws {
        let clock = ContinuousClock()
        let ordered = faults.enumerated().sorted { a, b in
            switch (a.element.at, b.element.at) {
            case (.time(let x), .time(let y)) where x != y: x < y
            case (.afterCreates(let x), .afterCreates(let y)) where x != y: x < y
            default: a.offset < b.offset
            }
        }.map(\.element)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for fault in ordered {
                switch fault.at {
                case .time(let offset):
                    guard start + offset < deadline else { continue }
                    try await Task.sleep(until: start + offset, clock: clock)
                case .afterCreates(let count):
                    // Bounded by the deadline; the creates count up as they succeed.
                    while progress.count < min(count, plan.tasks.count) && clock.now < deadline {
                        try await Task.sleep(for: .milliseconds(2))
                    }
                }
                guard clock.now < deadline else { break }
                try await inject(fault, plan: plan, until: deadline, log: log, group: &group)
            }
            try await group.waitForAll()
        }
    }

    private func inject(
        _ fault: ClusterFault, plan: ClusterPlan, until deadline: ContinuousClock.Instant, log: FaultLog,
        group: inout ThrowingTaskGroup<Void, any Error>
    ) async throws {
        switch fault {
        case .killWorker(let index, _, let restartAfter):
            guard let victim = runningWorker(from: index, of: plan.workers) else {
                log.skip()
                return
            }
            log.record(fault)
            victim.process.kill()
            if let restartAfter {
                group.addTask {
                    try await Task.sleep(for: restartAfter)
                    try await self.restartWorker(victim.index, plan: plan, until: deadline)
                }
            }
        case .pauseWorker(let index, _, let duration):
            guard let paused = runningWorker(from: index, of: plan.workers) else {
                log.skip()
                return
            }
            log.record(fault)
            paused.process.signal(SIGSTOP)
            group.addTask {
                try await Task.sleep(for: duration)
                paused.process.signal(SIGCONT)
            }
        case .restartAPI:
            log.record(fault)
            try await restartAPI()
        case .restartBroker:
            log.record(fault)
            try await restartBroker()
        case .publish(let body, let messageID, _):
            do {
                try await publishRaw(body, messageID: messageID)
                log.record(fault)
            } catch {
                log.skip()
            }
        case .duplicateTask(let uuid, _):
            // The API may be restarting, or the broker; then this duplicate is not sent.
            do {
                let object = try await client.get(uuid)
                try await publishRaw(try TaskMessage(object).jsonBody(), messageID: uuid)
                log.record(fault)
            } catch {
                log.skip()
            }
        case .crashHost(let host, _, let restartAfter):
            guard let placement = options.placement else { throw ClusterError("\(fault) needs hosts (a placement)") }
            let name = placement.workerHosts[host % placement.workerHosts.count]
            log.record(fault)
            try await placement.crash(name)
            let victims = (0..<plan.workers).filter { placement.workerHost($0) == name }
            group.addTask {
                try await Task.sleep(for: restartAfter)
                for index in victims { try await self.restartWorker(index, plan: plan, until: deadline) }
            }
        case .partitionHost(let host, _, let duration):
            guard let placement = options.placement else { throw ClusterError("\(fault) needs hosts (a placement)") }
            let name = placement.workerHosts[host % placement.workerHosts.count]
            log.record(fault)
            try await placement.link(name, false)
            group.addTask {
                try await Task.sleep(for: duration)
                try await placement.link(name, true)
            }
        case .killBrokerNode(let node, _, let restartAfter):
            guard let placement = options.placement, !placement.brokerHosts.isEmpty else {
                throw ClusterError("\(fault) needs broker hosts (a placement with them)")
            }
            let name = placement.brokerHosts[node % placement.brokerHosts.count]
            log.record(fault)
            try await placement.crash(name)
            group.addTask {
                try await Task.sleep(for: restartAfter)
                try await placement.startBroker(name)
            }
        case .crashAPIHost(let index, _, let restartAfter):
            log.record(fault)
            group.addTask { try await self.crashAPIHost(index, restartAfter: restartAfter, until: deadline) }
        case .restartDatabase(_, let downFor):
            guard let restart = options.placement?.restartDatabase else {
                throw ClusterError("\(fault) needs a database host (a placement with one)")
            }
            log.record(fault)
            group.addTask { try await restart(downFor) }
        }
    }

    /// Worker `index` if it is running, else the next running one (in name order, wrapping
    /// round), with its index; nil when every worker is down.
    private func runningWorker(from index: Int, of count: Int) -> (index: Int, process: ServiceProcess)? {
        for offset in 0..<max(count, 1) {
            let candidate = (index + offset) % max(count, 1)
            if let worker = try? worker(named: Self.workerName(candidate)), worker.isRunning { return (candidate, worker) }
        }
        return nil
    }
}

/// Counts the faults injected, by kind, and those skipped.
private final class FaultLog: Sendable {
    private let state = Mutex((counts: [String: Int](), moments: [String: [Date]](), skipped: 0))
    func record(_ fault: ClusterFault) {
        let now = Date()
        state.withLock {
            $0.counts[fault.kind, default: 0] += 1
            $0.moments[fault.kind, default: []].append(now)
        }
    }
    func skip() { state.withLock { $0.skipped += 1 } }
    var counts: [String: Int] { state.withLock { $0.counts } }
    var moments: [String: [Date]] { state.withLock { $0.moments } }
    var skipped: Int { state.withLock { $0.skipped } }
}

/// How many of the plan's tasks were created so far.
private final class CreateProgress: Sendable {
    private let state = Mutex(0)
    func created() { state.withLock { $0 += 1 } }
    var count: Int { state.withLock { $0 } }
}
