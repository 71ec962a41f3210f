import FaafoClient
import FaafoWire
import Foundation

/// Creates one task and follows it to its stored result, then records what happened.
struct TaskFollower: Sendable {
    let client: FaafoAPIClient
    let clock: ContinuousClock
    let start: ContinuousClock.Instant
    let schedule: PollSchedule
    let ledger: LoadLedger
    let gate: PollGate

    func run(index: Int, request: CreateFractal) async {
        let uuid = request.uuid ?? ""
        let sent = clock.now
        var record = TaskRecord(index: index, uuid: uuid, status: .timedOut, sentAt: sent - start)
        do {
            let created = try await create(request)
            record.createLatency = clock.now - sent
            record.uuid = created.uuid
            let stored = try await follow(created)
            record.generatedBy = stored.generatedBy
            if stored.status == .failed {
                record.status = .failed
                record.problem = "a worker gave it up: \(stored.failure ?? "no reason given")"
                await ledger.finish(record)
                return
            }
            record.status = .completed
            record.storedLatency = stored.storedLatency ?? clock.now - sent
            record.object = stored
        } catch {
            if error is CancellationError || Task.isCancelled {
                record.problem = "not stored when the run's time was up"
            } else {
                record.status = .failed
                record.problem = (error as? FaafoClientError)?.description ?? "\(error)"
            }
        }
        await ledger.finish(record)
    }

    /// Creates the task. A create the API answered with a 5xx, 408 or 429 (a balancer with no
    /// server up, a store restarting), or whose connection the server dropped mid-call (a
    /// balancer whose server died with the request in hand), is sent again, same uuid, until
    /// the run's time is up: if an earlier one got through, the API answers the stored
    /// fractal. One that reached no API (refused, unknown host) fails at once.
    private func create(_ request: CreateFractal) async throws -> FractalObject {
        var wait = schedule.longest / 20
        while true {
            do {
                return try await client.create(request)
            } catch let error as FaafoClientError
                where (error.code == .httpStatus && error.isTransient) || error.isDroppedConnection
            {
                try await Task.sleep(for: wait, clock: clock)
                wait = schedule.nextWait(after: wait)
            }
        }
    }

    /// Polls until the task is completed or failed. Throws `CancellationError` when the run's time
    /// is up, and the API's error when the task is gone or the call cannot succeed.
    /// A transient failure (no connection, a 5xx) is polled again.
    private func follow(_ created: FractalObject) async throws -> FractalObject {
        if created.status != .pending { return created }
        var wait = schedule.firstWait(recentLatency: await ledger.typicalLatency)
        while true {
            try await Task.sleep(for: wait, clock: clock)
            wait = schedule.nextWait(after: wait)
            await ledger.countPoll()
            do {
                let object = try await gate.run { try await client.get(created.uuid) }
                if object.status != .pending { return object }
            } catch let error as FaafoClientError where error.isTransient {
                continue
            }
        }
    }
}
