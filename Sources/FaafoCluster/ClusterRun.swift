import FaafoClient
import FaafoWire
import Foundation
import Synchronization

/// A fault to inject into a running `LocalCluster`, at an offset from the start of the run.
public enum ClusterFault: Sendable, Hashable, CustomStringConvertible {
    /// SIGKILL worker `worker` (0-based); start it again after `restartAfter` (never if nil).
    case killWorker(worker: Int, at: Duration, restartAfter: Duration?)
    /// SIGSTOP worker `worker`, SIGCONT it `for` later.
    case pauseWorker(worker: Int, at: Duration, for: Duration)
    /// Kill the API with SIGKILL and start it again on its port and database.
    case restartAPI(at: Duration)
    /// Restart the broker application (every connection drops).
    case restartBroker(at: Duration)

    public var at: Duration {
        switch self {
        case .killWorker(_, let at, _), .pauseWorker(_, let at, _), .restartAPI(let at), .restartBroker(let at): at
        }
    }

    /// The kind, as reports count it: `worker-kill`, `worker-pause`, `api-restart`,
    /// `broker-restart`.
    public var kind: String {
        switch self {
        case .killWorker: "worker-kill"
        case .pauseWorker: "worker-pause"
        case .restartAPI: "api-restart"
        case .restartBroker: "broker-restart"
        }
    }

    public var description: String {
        switch self {
        case .killWorker(let worker, let at, let restart):
            "kill worker \(worker + 1) at \(at)" + (restart.map { ", restart after \($0)" } ?? "")
        case .pauseWorker(let worker, let at, let duration): "pause worker \(worker + 1) at \(at) for \(duration)"
        case .restartAPI(let at): "restart the API at \(at)"
        case .restartBroker(let at): "restart the broker at \(at)"
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
    public var inFlight = 8
    public var faults: [ClusterFault] = []
    /// The whole run, creates and completion, ends by then.
    public var timeout: Duration = .seconds(300)

    public init(tasks: [CreateFractal]) {
        self.tasks = tasks
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
    /// Deliveries the workers logged as redelivered.
    public var redeliveries: Int
    public var timedOut: Bool
    public var wallClock: Duration
}

extension LocalCluster {
    /// Starts `plan.workers` workers, creates the tasks while injecting the faults, waits
    /// (at most the plan's timeout) until every created task is completed, and returns
    /// what the API stored. Stops nothing: the caller stops the cluster.
    public func run(_ plan: ClusterPlan) async throws -> ClusterOutcome {
        for index in 0..<plan.workers { try await startWorker(name: Self.workerName(index), concurrency: plan.concurrency) }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + plan.timeout
        let log = FaultLog()

        let created = try await withThrowingTaskGroup(of: CreateResults?.self) { group in
            group.addTask {
                try await self.inject(plan.faults, concurrency: plan.concurrency, from: start, until: deadline, log: log)
                return nil
            }
            group.addTask { try await self.createAll(plan, from: start, until: deadline) }
            var results: CreateResults?
            for try await result in group where result != nil { results = result }
            return results!
        }
        let uuids = plan.tasks.compactMap(\.uuid).filter { created.latencies[$0] != nil }
        var objects: [FractalObject] = []
        var timedOut = false
        do {
            objects = try await waitForCompletion(uuids, timeout: max(deadline - clock.now, .seconds(1)))
        } catch {
            timedOut = true
            objects = (try? await client.listAll()) ?? []
        }
        return ClusterOutcome(
            objects: objects, createLatencies: created.latencies, createRetries: created.retries,
            notCreated: plan.tasks.compactMap(\.uuid).filter { created.latencies[$0] == nil },
            faultsInjected: log.counts, redeliveries: workers.reduce(0) { $0 + $1.logCount(of: "(redelivered)") },
            timedOut: timedOut, wallClock: clock.now - start)
    }

    static func workerName(_ index: Int) -> String { "worker-\(index + 1)" }

    private struct CreateResults: Sendable {
        var latencies: [String: Duration] = [:]
        var retries = 0
    }

    /// Creates every task, `inFlight` at a time and at most `rate` a second; a failed
    /// create is tried again (same uuid, so never twice) until the deadline.
    private func createAll(
        _ plan: ClusterPlan, from start: ContinuousClock.Instant, until deadline: ContinuousClock.Instant
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
                if let rate = plan.rate {
                    try await Task.sleep(until: start + .seconds(Double(next) / rate), clock: clock)
                }
                let task = plan.tasks[next]
                group.addTask { try await self.createRetrying(task, until: deadline) }
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

    /// Injects each fault at its time, in time order.
    private func inject(
        _ faults: [ClusterFault], concurrency: Int, from start: ContinuousClock.Instant, until deadline: ContinuousClock.Instant,
        log: FaultLog
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for fault in faults.sorted(by: { $0.at < $1.at }) where start + fault.at < deadline {
                try await Task.sleep(until: start + fault.at, clock: ContinuousClock())
                log.record(fault)
                switch fault {
                case .killWorker(let index, _, let restartAfter):
                    let name = Self.workerName(index)
                    try worker(named: name).kill()
                    if let restartAfter {
                        group.addTask {
                            try await Task.sleep(for: restartAfter)
                            try await self.startWorker(name: name, concurrency: concurrency)
                        }
                    }
                case .pauseWorker(let index, _, let duration):
                    let paused = try worker(named: Self.workerName(index))
                    paused.signal(SIGSTOP)
                    group.addTask {
                        try await Task.sleep(for: duration)
                        paused.signal(SIGCONT)
                    }
                case .restartAPI:
                    try await restartAPI()
                case .restartBroker:
                    try await restartBroker()
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Counts the faults injected, by kind.
private final class FaultLog: Sendable {
    private let state = Mutex([String: Int]())
    func record(_ fault: ClusterFault) { state.withLock { $0[fault.kind, default: 0] += 1 } }
    var counts: [String: Int] { state.withLock { $0 } }
}
