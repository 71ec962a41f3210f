import FaafoController
import FaafoWire
import Foundation
import FractalStore
import WorkQueue

/// One life of a simulated controller: the store and the broker as its `FractalService`
/// reaches them. Every call is traced; right after a named call (`Scenario.ControllerPoint`)
/// the controller may die, and once it is dead every call fails, so nothing it would have
/// done after its crash happens. A crash thus lands inside an operation, between two of
/// its calls, as a SIGKILL of faafo-api would.
///
/// `@unchecked Sendable`: the simulation's loop makes one service call at a time and
/// awaits it (an operation parked for a late confirm takes turns with it), so the life
/// (and the simulation it reports to) is never touched by two threads at once.
final class ControllerLife: @unchecked Sendable {
    let index: Int
    let generation: Int
    /// The controller's own clock: the simulation's, plus its skew.
    let environment: ServiceEnvironmentSource
    private(set) var isAlive = true
    /// In the first outbox pass after it started, which takes every unpublished task
    /// however young (it cannot know which creates of its earlier life were cut off).
    var inFirstPass = false
    unowned let simulation: Simulation

    init(index: Int, generation: Int, environment: ServiceEnvironmentSource, simulation: Simulation) {
        self.index = index
        self.generation = generation
        self.environment = environment
        self.simulation = simulation
    }

    var name: String { "controller-\(index + 1)" }

    /// Fails a call of a dead controller.
    func check() throws {
        guard isAlive else { throw StoreError("controller \(index + 1) crashed") }
    }

    /// Notes a call's outcome in the trace.
    func note(_ event: String, _ uuid: String?, _ details: @autoclosure () -> String = "") {
        simulation.trace.note(event, actor: name, task: uuid, details())
    }

    /// Right after a named call for `uuid`: the controller dies here if a fault says so,
    /// and the call's caller sees the connection drop.
    func after(_ point: Scenario.ControllerPoint, _ uuid: String) throws {
        guard simulation.controllerCrashes(self, after: point, uuid: uuid) else { return }
        isAlive = false
        throw StoreError("controller \(index + 1) crashed \(point.rawValue)")
    }

    /// Dies outside a call (a crash at a moment, not inside an operation).
    func die() { isAlive = false }
}

/// Where a controller's `ServiceEnvironment` reads the time: the run's clock, skewed.
struct ServiceEnvironmentSource: Sendable {
    let clock: SimulatedClock
    /// Seconds this controller's clock is ahead (negative: behind).
    let skew: Double

    func now() -> Date { clock.date(at: clock.now).addingTimeInterval(skew) }
}

/// The store as one controller life reaches it.
struct LifeStore: FractalStore {
    let life: ControllerLife
    let base: ObservedFractalStore

    func insert(_ record: FractalRecord) async throws -> InsertOutcome {
        try life.check()
        life.simulation.checkTime(record.createdAt, of: record.uuid, by: life, what: "created_at")
        let outcome = try await base.insert(record)
        switch outcome {
        case .inserted: life.note("insert", record.uuid, "stored pending")
        case .exists(let existing): life.note("insert", record.uuid, "exists already (\(existing.status.rawValue))")
        }
        try life.after(.afterInsert, record.uuid)
        return outcome
    }

    func fetch(_ uuid: String) async throws -> FractalRecord? {
        try life.check()
        return try await base.fetch(uuid)
    }

    func page(_ page: Int, perPage: Int) async throws -> (records: [FractalRecord], total: Int) {
        try life.check()
        return try await base.page(page, perPage: perPage)
    }

    func markPublished(_ uuid: String) async throws {
        try life.check()
        try await base.markPublished(uuid)
        if let task = life.simulation.task(uuid) { life.simulation.requests.publishes[task].marked += 1 }
        life.simulation.endClaim(uuid)
        life.note("mark-published", uuid)
        try life.after(.afterMarkPublished, uuid)
    }

    func unpublished(limit: Int) async throws -> [FractalRecord] {
        try life.check()
        return try await base.unpublished(limit: limit)
    }

    func unpublishedCount() async throws -> Int {
        try life.check()
        return try await base.unpublishedCount()
    }

    func claimUnpublished(limit: Int, createdBefore cutoff: Date, now: Date, until: Date) async throws -> [FractalRecord] {
        try life.check()
        let claimed = try await base.claimUnpublished(limit: limit, createdBefore: cutoff, now: now, until: until)
        life.simulation.noteClaims(claimed.map(\.uuid), by: life, until: until)
        for record in claimed {
            life.note("claim", record.uuid, "outbox row claimed")
            // A claim that may take a task whose create is still publishing it.
            if let task = life.simulation.task(record.uuid),
                life.inFirstPass || now.timeIntervalSince(record.createdAt) >= OutboxPublisher.defaultGrace
            {
                life.simulation.requests.publishes[task].excusedClaims += 1
            }
        }
        if let first = claimed.first { try life.after(.afterClaim, first.uuid) }
        return claimed
    }

    func releaseClaim(_ uuid: String) async throws {
        try life.check()
        life.simulation.stopPublishing(uuid)
        try await base.releaseClaim(uuid)
        life.simulation.endClaim(uuid)
        life.note("release-claim", uuid)
    }

    func complete(_ uuid: String, with result: FractalResult, image: Data) async throws -> CompleteOutcome {
        try life.check()
        life.simulation.checkTime(result.completedAt, of: uuid, by: life, what: "completed_at")
        let outcome = try await base.complete(uuid, with: result, image: image)
        life.note("complete", uuid, "\(outcome.name), from \(result.generatedBy), checksum \(result.checksum.prefix(12))…")
        try life.after(.afterComplete, uuid)
        return outcome
    }

    func fail(_ uuid: String, reason: String, by worker: String, at date: Date) async throws -> FailOutcome {
        try life.check()
        life.simulation.checkTime(date, of: uuid, by: life, what: "the failure's time")
        let outcome = try await base.fail(uuid, reason: reason, by: worker, at: date)
        life.note("fail", uuid, "\(outcome.name), from \(worker): \(reason)")
        try life.after(.afterFail, uuid)
        return outcome
    }

    func image(_ uuid: String) async throws -> Data? {
        try life.check()
        return try await base.image(uuid)
    }

    func delete(_ uuid: String) async throws -> Bool {
        try life.check()
        let deleted = try await base.delete(uuid)
        life.note("delete", uuid, deleted ? "deleted" : "none to delete")
        return deleted
    }
}

/// The broker as one controller life publishes to it.
struct LifeQueue: WorkQueue {
    let life: ControllerLife
    let base: SimulatedBroker

    func publish(_ body: Data, messageID: String) async throws {
        try life.check()
        let simulation = life.simulation
        let task = simulation.task(messageID)
        if let task { simulation.requests.publishes[task].attempts += 1 }
        do {
            try await base.publish(body, messageID: messageID)
        } catch {
            life.note("publish", messageID, "not confirmed: \(error)")
            throw error
        }
        if let task {
            simulation.requests.publishes[task].confirmed += 1
            await simulation.confirmLate(task, messageID, by: life)
            // It may have died while it waited: then its caller never hears the confirm.
            try life.check()
        }
        life.note("publish", messageID, "confirmed")
        try life.after(.afterPublish, messageID)
    }

    func makeConsumer(prefetch: Int) async throws -> any WorkQueueConsumer {
        try life.check()
        return try await base.makeConsumer(prefetch: prefetch)
    }

    func drainDeadLetters(limit: Int) async throws -> [QueueDelivery] {
        try await base.drainDeadLetters(limit: limit)
    }

    func shutdown() async {}

    var isConnected: Bool { life.isAlive && base.isConnected }
}

extension CompleteOutcome {
    /// The outcome in a word, for the trace.
    var name: String {
        switch self {
        case .completed: "completed"
        case .duplicate: "duplicate (nothing changed)"
        case .conflict: "conflict (nothing changed)"
        case .notFound: "no such fractal"
        }
    }
}

extension FailOutcome {
    var name: String {
        switch self {
        case .markedFailed: "marked failed"
        case .alreadyFailed: "failed already"
        case .alreadyCompleted: "completed already (the result stands)"
        case .notFound: "no such fractal"
        }
    }
}
