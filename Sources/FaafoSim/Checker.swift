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
package struct Checker {
    let simulation: Simulation

    /// The checksums a task must have; `checksum` is nil where the PNG bytes cannot be
    /// known (a fixture made by another libpng or zlib).
    package struct Expected {
        let pixelChecksum: String
        let checksum: String?

        init(pixelChecksum: String, checksum: String?) {
            self.pixelChecksum = pixelChecksum
            self.checksum = checksum
        }

        /// Whether stored checksums are these (the PNG one only where it is known).
        package func matches(pixelChecksum stored: String?, checksum storedChecksum: String?) -> Bool {
            stored == pixelChecksum && (checksum == nil || storedChecksum == checksum)
        }
    }

    func report(timedOut: Bool, wallClock: Duration) async -> SimulationReport {
        let plan = simulation.plan
        let store = simulation.store
        let observations = store.observations
        var tally = Tally(total: plan.tasks.count)
        var latency = LatencyRecorder()
        var lastCompletion: Tick = 0
        var expectations = ExpectationCache(
            fixtureMatchesPlatform: simulation.fixture?.encoder == .current, rendered: simulation.renderedChecksums)
        let inFlight = !simulation.jobs.isEmpty || simulation.queue.counts.ready + simulation.queue.counts.unacknowledged > 0

        for task in plan.tasks {
            guard let record = try? await store.fetch(task.uuid) else {
                tally.unfinished(task.uuid, canStillFinish: timedOut)
                continue
            }
            if record.status == .failed {
                tally.count(.failed, task.uuid)
                continue
            }
            guard record.status == .completed else {
                // Pending: waiting somewhere (outbox, queue, a worker) is stuck; gone from everywhere is lost.
                tally.unfinished(task.uuid, canStillFinish: !record.published || inFlight)
                continue
            }
            tally.account.completed += 1
            let completion = observations.completions[task.uuid]
            if let completedAt = completion?.first {
                latency.record(microseconds: completedAt - min(completedAt, task.arrival))
                lastCompletion = max(lastCompletion, completedAt)
            }
            if let completion, completion.count > 1 { tally.count(.storedTwice, task.uuid) }
            if ResultOrigin.isOutsideContract(status: record.status, pixelChecksum: record.pixelChecksum) {
                tally.count(.outsideContract, task.uuid)
            } else if expectations.expected(for: task)?.matches(pixelChecksum: record.pixelChecksum, checksum: record.checksum)
                != true
            {
                tally.count(.wrongChecksum, task.uuid)
            }
            if simulation.renderLog[task.uuid]?.differed == true { tally.count(.renderedDifferently, task.uuid) }
        }

        var poison = SimulationReport.PoisonAccount(published: simulation.poisonPublished)
        let deadLetters = (try? await simulation.queue.drainDeadLetters(limit: Int.max)) ?? []
        let poisonIDs = Set(plan.poison.map(\.messageID))
        for message in deadLetters {
            if let id = message.messageID, poisonIDs.contains(id) {
                poison.deadLettered += 1
            } else {
                tally.count(.deadLettered, message.messageID ?? "?")
            }
        }

        let expect = simulation.scenario.expect
        var judge = Judge(examples: tally.examples)
        judge.judge(
            tally.account, poison: poison, conflictingResults: observations.conflictingResults,
            redeliveries: simulation.counters.redeliveries, expect: expect,
            stallReason: stallReason(timedOut: timedOut))
        let seconds = Double(lastCompletion) / Double(ticksPerSecond)
        let throughput = seconds > 0 ? Double(tally.account.completed) / seconds : 0
        if let minimum = expect.minThroughput, throughput < minimum {
            judge.fail(
                .liveness,
                "throughput \(String(format: "%.1f", throughput)) tasks per simulated second, below the \(minimum) expected")
        }

        let wallSeconds = wallClock.seconds
        return SimulationReport(
            scenario: simulation.scenario.name, mode: .simulation, settings: simulation.settings, verdict: judge.verdict,
            failures: judge.failures,
            tasks: tally.account, poison: poison, faults: simulation.faultCounts, counters: simulation.counters,
            simulated: .init(seconds: seconds, throughput: throughput, latency: latency.summary), cluster: nil,
            wallClock: .init(
                seconds: wallSeconds, tasksPerSecond: wallSeconds > 0 ? Double(tally.account.completed) / wallSeconds : 0))
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

/// A run's task account, with a uuid for each kind of failure, to quote.
package struct Tally {
    package enum Kind: String {
        case lost, stuck, failed
        case storedTwice = "stored twice"
        case wrongChecksum = "wrong checksum"
        case outsideContract = "not made by the render contract"
        case renderedDifferently = "rendered differently"
        case deadLettered = "dead-lettered"
    }

    package var account: SimulationReport.TaskAccount
    package var examples: [String: String] = [:]

    package init(total: Int) {
        account = SimulationReport.TaskAccount(total: total)
    }

    package mutating func count(_ kind: Kind, _ id: String) {
        switch kind {
        case .lost: account.lost += 1
        case .stuck: account.stuck += 1
        case .failed: account.failed += 1
        case .storedTwice: account.storedTwice += 1
        case .wrongChecksum: account.wrongChecksum += 1
        case .outsideContract: account.outsideContract += 1
        case .renderedDifferently: account.renderedDifferently += 1
        case .deadLettered: account.deadLettered += 1
        }
        if examples[kind.rawValue] == nil { examples[kind.rawValue] = id }
    }

    /// A task not completed: stuck while something may still finish it, else lost.
    package mutating func unfinished(_ uuid: String, canStillFinish: Bool) {
        count(canStillFinish ? .stuck : .lost, uuid)
    }
}

/// The rules every run is judged by, a simulation's or a cluster's: each broken rule is
/// one sentence and raises the verdict to its class.
package struct Judge {
    /// A uuid for each kind of failure, to quote.
    let examples: [String: String]
    package var verdict = SimulationReport.Verdict.pass
    package var failures: [String] = []

    package init(examples: [String: String]) {
        self.examples = examples
    }

    package mutating func fail(_ kind: SimulationReport.Verdict, _ sentence: String) {
        verdict = max(verdict, kind)
        failures.append(sentence)
    }

    func example(_ kind: String) -> String { examples[kind].map { " (e.g. \($0))" } ?? "" }

    package mutating func judge(
        _ account: SimulationReport.TaskAccount, poison: SimulationReport.PoisonAccount, conflictingResults: Int,
        redeliveries: Int, expect: Scenario.Expectations, stallReason: @autoclosure () -> String
    ) {
        if account.lost > expect.lost {
            fail(.correctness, "\(account.lost) task(s) lost: pending, with no message left anywhere\(example("lost"))")
        }
        if account.failed > 0 {
            fail(.correctness, "\(account.failed) task(s) failed: a worker gave them up\(example("failed"))")
        }
        if account.storedTwice > expect.duplicatesStored {
            fail(.correctness, "\(account.storedTwice) task(s) stored twice\(example("stored twice"))")
        }
        if account.wrongChecksum > 0 {
            fail(.correctness, "\(account.wrongChecksum) task(s) stored with a wrong checksum\(example("wrong checksum"))")
        }
        if account.outsideContract > 0 {
            fail(
                .correctness,
                "\(account.outsideContract) task(s) completed with no pixel_checksum, as the original faafo worker "
                    + "reports: \(ResultOrigin.outsideContract), so no checksum can judge them"
                    + example(ResultOrigin.outsideContract))
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
        if conflictingResults > 0 {
            fail(.correctness, "\(conflictingResults) result(s) refused as determinism violations")
        }
        if expect.allComplete, account.stuck > 0 {
            fail(.liveness, "\(account.stuck) task(s) not completed: \(stallReason())\(example("stuck"))")
        }
        if let limit = expect.maxRedeliveries, redeliveries > limit {
            fail(.liveness, "\(redeliveries) redeliveries, more than the \(limit) expected")
        }
    }
}

/// The checker's own answers, one render per distinct parameter set, looked up by the
/// parameters it derives from each request (`rendered` may start with renders of the
/// same parameters made in the run).
package struct ExpectationCache {
    let fixtureMatchesPlatform: Bool
    var rendered: [FractalParameters: Checker.Expected] = [:]

    package init(fixtureMatchesPlatform: Bool, rendered: [FractalParameters: Checker.Expected] = [:]) {
        self.fixtureMatchesPlatform = fixtureMatchesPlatform
        self.rendered = rendered
    }

    package mutating func expected(for task: WorkloadPlan.Task) -> Checker.Expected? {
        if let golden = task.golden {
            return Checker.Expected(
                pixelChecksum: golden.pixelChecksum, checksum: fixtureMatchesPlatform ? golden.checksum : nil)
        }
        let create = task.request
        guard let parameters = try? create.fractal.validated() else { return nil }
        if let known = rendered[parameters] { return known }
        guard let result = try? RenderJob.run(parameters, threads: 1) else { return nil }
        let expected = Checker.Expected(pixelChecksum: result.pixelChecksum, checksum: result.checksum)
        rendered[parameters] = expected
        return expected
    }
}
