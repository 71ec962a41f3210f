import FaafoMetrics
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import FractalPNG
import FractalStore

/// Judges a finished run from the requests alone: it derives each task's checksums
/// itself (a golden fixture's, or its own render), reads what the store holds, and
/// accounts every task: completed, lost, stuck, stored twice, wrong checksum, rendered
/// two ways. It never trusts what the workers said they did.
struct Checker {
    let simulation: Simulation

    /// The checksums a task must have; `checksum` is nil where the PNG bytes cannot be
    /// known (a fixture made by another libpng or zlib).
    struct Expected {
        let pixelChecksum: String
        let checksum: String?
    }

    func report(timedOut: Bool, wallClock: Duration) async -> SimulationReport {
        let plan = simulation.plan
        let store = simulation.store
        let observations = store.observations
        var account = SimulationReport.TaskAccount(total: plan.tasks.count)
        var failures: [String] = []
        var examples: [String: String] = [:]
        func note(_ kind: String, _ uuid: String) {
            if examples[kind] == nil { examples[kind] = uuid }
        }
        var latency = LatencyRecorder()
        var lastCompletion: Tick = 0
        var expectations = ExpectationCache(fixtureMatchesPlatform: simulation.fixture?.encoder == .current)
        let inFlight = !simulation.jobs.isEmpty || simulation.queue.counts.ready + simulation.queue.counts.unacknowledged > 0

        for task in plan.tasks {
            guard let record = try? await store.fetch(task.uuid) else {
                if timedOut { account.stuck += 1 } else { account.lost += 1 }
                note(timedOut ? "stuck" : "lost", task.uuid)
                continue
            }
            guard record.status == .completed else {
                // Pending: waiting somewhere (outbox, queue, a worker) is stuck; gone from everywhere is lost.
                if !record.published || inFlight {
                    account.stuck += 1
                    note("stuck", task.uuid)
                } else {
                    account.lost += 1
                    note("lost", task.uuid)
                }
                continue
            }
            account.completed += 1
            if let completedAt = observations.completedAt[task.uuid] {
                latency.record(microseconds: completedAt - min(completedAt, task.arrival))
                lastCompletion = max(lastCompletion, completedAt)
            }
            if observations.completions[task.uuid, default: 0] > 1 {
                account.storedTwice += 1
                note("stored twice", task.uuid)
            }
            let expected = expectations.expected(for: task)
            if record.pixelChecksum != expected?.pixelChecksum
                || (expected?.checksum != nil && record.checksum != expected?.checksum)
            {
                account.wrongChecksum += 1
                note("wrong checksum", task.uuid)
            }
            if simulation.renderLog[task.uuid]?.differed == true {
                account.renderedDifferently += 1
                note("rendered differently", task.uuid)
            }
        }

        var poison = SimulationReport.PoisonAccount(published: simulation.poisonPublished)
        let deadLetters = (try? await simulation.queue.drainDeadLetters(limit: Int.max)) ?? []
        let poisonIDs = Set(plan.poison.map(\.messageID))
        for message in deadLetters {
            if let id = message.messageID, poisonIDs.contains(id) {
                poison.deadLettered += 1
            } else {
                account.deadLettered += 1
                note("dead-lettered", message.messageID ?? "?")
            }
        }

        let expect = simulation.scenario.expect
        var verdict = SimulationReport.Verdict.pass
        func fail(_ kind: SimulationReport.Verdict, _ sentence: String) {
            verdict = max(verdict, kind)
            failures.append(sentence)
        }
        func example(_ kind: String) -> String { examples[kind].map { " (e.g. \($0))" } ?? "" }
        if account.lost > expect.lost {
            fail(.correctness, "\(account.lost) task(s) lost: pending, with no message left anywhere\(example("lost"))")
        }
        if account.storedTwice > expect.duplicatesStored {
            fail(.correctness, "\(account.storedTwice) task(s) stored twice\(example("stored twice"))")
        }
        if account.wrongChecksum > 0 {
            fail(.correctness, "\(account.wrongChecksum) task(s) stored with a wrong checksum\(example("wrong checksum"))")
        }
        if account.renderedDifferently > 0 {
            fail(
                .correctness,
                "\(account.renderedDifferently) task(s) rendered to different bytes on redelivery\(example("rendered differently"))")
        }
        if account.deadLettered > 0 {
            fail(.correctness, "\(account.deadLettered) real task(s) ended in the dead-letter queue\(example("dead-lettered"))")
        }
        if poison.deadLettered != poison.published {
            fail(.correctness, "\(poison.published) poison message(s) published but \(poison.deadLettered) dead-lettered")
        }
        if observations.conflictingResults > 0 {
            fail(.correctness, "\(observations.conflictingResults) result(s) refused as determinism violations")
        }
        if expect.allComplete, account.stuck > 0 {
            fail(.liveness, "\(account.stuck) task(s) not completed: \(stallReason(timedOut: timedOut))\(example("stuck"))")
        }
        let seconds = Double(lastCompletion) / Double(ticksPerSecond)
        let throughput = seconds > 0 ? Double(account.completed) / seconds : 0
        if let limit = expect.maxRedeliveries, simulation.counters.redeliveries > limit {
            fail(.liveness, "\(simulation.counters.redeliveries) redeliveries, more than the \(limit) expected")
        }
        if let minimum = expect.minThroughput, throughput < minimum {
            fail(
                .liveness,
                "throughput \(String(format: "%.1f", throughput)) tasks per simulated second, below the \(minimum) expected")
        }

        let wallSeconds = wallClock.seconds
        return SimulationReport(
            scenario: simulation.scenario.name, settings: simulation.settings, verdict: verdict, failures: failures,
            tasks: account, poison: poison, faults: simulation.faultCounts, counters: simulation.counters,
            simulated: .init(seconds: seconds, throughput: throughput, latency: latency.summary),
            wallClock: .init(
                seconds: wallSeconds, tasksPerSecond: wallSeconds > 0 ? Double(account.completed) / wallSeconds : 0))
    }

    /// Why the run is not quiet, in a sentence.
    func stallReason(timedOut: Bool) -> String {
        let counts = simulation.queue.counts
        let downWorkers = simulation.workers.filter { $0.consumer == nil }.count
        let downControllers = simulation.controllers.filter { $0.service == nil }.count
        let when =
            timedOut
            ? "still running at the limit of \(Simulation.seconds(simulation.scenario.expect.within))"
            : "nothing left to happen"
        return "\(when); queue \(counts), \(simulation.jobs.count) job(s) in workers' hands, "
            + "\(downWorkers) worker(s) and \(downControllers) controller(s) down"
    }
}

/// The checker's own answers, one render per distinct parameter set.
struct ExpectationCache {
    let fixtureMatchesPlatform: Bool
    var rendered: [FractalParameters: Checker.Expected] = [:]

    mutating func expected(for task: WorkloadPlan.Task) -> Checker.Expected? {
        if let golden = task.golden {
            return Checker.Expected(
                pixelChecksum: golden.pixelChecksum, checksum: fixtureMatchesPlatform ? golden.checksum : nil)
        }
        let request = task.request
        let fractal = FractalRequest(
            width: request.width, height: request.height, iterations: request.iterations,
            xa: request.xa, xb: request.xb, ya: request.ya, yb: request.yb,
            cx: request.cx, cy: request.cy, seed: request.seed)
        guard let parameters = try? fractal.validated() else { return nil }
        if let known = rendered[parameters] { return known }
        guard let result = try? RenderJob.run(parameters, threads: 1) else { return nil }
        let expected = Checker.Expected(pixelChecksum: result.pixelChecksum, checksum: result.checksum)
        rendered[parameters] = expected
        return expected
    }
}
