import FaafoClient
import FaafoWire
import Foundation

/// A load test of a running faafo system through its HTTP API: creates tasks as the plan
/// paces them, follows each to its stored result, and records what happened to each.
/// The figures are made from the records by `LoadReport`.
public struct LoadTest: Sendable {
    public let plan: LoadPlan
    /// The `index`-th task to create. A task without a uuid gets one from `makeUUID`.
    public let makeTask: @Sendable (Int) -> CreateFractal
    public let makeUUID: @Sendable () -> String
    private let clock = ContinuousClock()

    public init(
        plan: LoadPlan, makeUUID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() },
        makeTask: @escaping @Sendable (Int) -> CreateFractal
    ) {
        self.plan = plan
        self.makeTask = makeTask
        self.makeUUID = makeUUID
    }

    /// Runs the test against `client`'s API and returns every task's record. `progress`
    /// is called every `progressInterval` while it runs, and once at the end.
    public func run(
        client: FaafoAPIClient, progressInterval: Duration = .milliseconds(200),
        progress: @escaping @Sendable (LoadProgress) -> Void = { _ in }
    ) async -> LoadRun {
        let start = clock.now
        let deadline = start + plan.timeout
        let ledger = LoadLedger(plan: plan)
        let gate = PollGate(limit: plan.polling.concurrency)
        let follower = TaskFollower(
            client: client, clock: clock, start: start, schedule: plan.polling, ledger: ledger, gate: gate)

        // The load, and beside it a ticker that reports progress and ends the run at the
        // deadline: whichever finishes first cancels the other.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await drive(follower, ledger: ledger, start: start) }
            group.addTask {
                while clock.now < deadline {
                    try? await Task.sleep(until: min(clock.now + progressInterval, deadline), clock: clock)
                    if Task.isCancelled { return }
                    progress(await ledger.progress(elapsed: clock.now - start))
                }
            }
            _ = await group.next()
            group.cancelAll()
        }
        let elapsed = clock.now - start
        progress(await ledger.progress(elapsed: elapsed))
        let (records, polls) = await ledger.results()
        return LoadRun(plan: plan, records: records, elapsed: elapsed, polls: polls)
    }

    /// Starts every task the plan allows and waits for all of them.
    private func drive(_ follower: TaskFollower, ledger: LoadLedger, start: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            switch plan.pacing {
            case .closedLoop(let concurrency):
                for _ in 0..<max(1, concurrency) {
                    group.addTask {
                        while !Task.isCancelled, let index = await ledger.claim(elapsed: clock.now - start) {
                            await follower.run(index: index, request: request(index))
                        }
                    }
                }
            case .openLoop(let perSecond):
                let interval = Duration.seconds(1 / perSecond)
                for planned in 0..<plan.tasks {
                    do {
                        try await Task.sleep(until: start + interval * planned, clock: clock)
                        while await ledger.tasksInFlight >= LoadPlan.openLoopInFlightLimit {
                            try await Task.sleep(for: .milliseconds(10))
                        }
                    } catch {
                        break  // cancelled: the run's time is up
                    }
                    guard let index = await ledger.claim(elapsed: clock.now - start) else { break }
                    group.addTask { await follower.run(index: index, request: request(index)) }
                }
            }
            await group.waitForAll()
        }
    }

    private func request(_ index: Int) -> CreateFractal {
        var request = makeTask(index)
        if request.uuid == nil { request.uuid = makeUUID() }
        return request
    }
}

/// The records of a finished load test.
public struct LoadRun: Sendable {
    public var plan: LoadPlan
    /// One per task started, in the order they were started.
    public var records: [TaskRecord]
    /// From the start of the run to its end.
    public var elapsed: Duration
    /// How many `GET /v1/fractal/<uuid>` calls following the tasks took.
    public var polls: Int
}

extension LoadTest {
    /// Runs the test, then checks the checksums the plan's verification covers (outside
    /// the measured time), and makes the report.
    public func measure(client: FaafoAPIClient) async -> (run: LoadRun, report: LoadReport) {
        var run = await run(client: client)
        run.verifyChecksums()
        return (run, LoadReport(run, endpoint: client.endpoint))
    }
}

extension LoadPlan {
    /// The HTTP connections a client needs so that no create or poll of this plan waits
    /// for one: the creates in flight and the polls.
    public var connections: Int {
        switch pacing {
        case .closedLoop(let concurrency): return concurrency + polling.concurrency
        case .openLoop: return 64 + polling.concurrency
        }
    }
}
