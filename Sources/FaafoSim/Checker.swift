import Crypto
import FaafoController
import FaafoLatency
import FaafoWire
@_spi(Testing) import FaafoWorkerLogic
import Foundation
import FractalCore
import FractalJob
import FractalPNG
import FractalStore

/// Judges a finished run from the requests and the store alone: it derives each task's
/// checksums itself (a golden fixture's, or its own render), reads what the store holds,
/// and accounts every task: completed, lost, stuck, failed, stored twice, wrong checksum,
/// rendered two ways, and the rules below. It never trusts what the workers said they did:
/// what a worker sent is what the harness saw on the wire (`RequestLog`), and which
/// results the harness made outside the render contract (a disagreeing worker's, a
/// corrupted one) it knows because it made them.
///
/// The rules, each a failure class of its own (`Tally.Kind`):
/// - a stored image matches its stored size and checksum, and a stored result is one a
///   worker sent for that fractal, byte for byte, named after the worker that sent it;
/// - a completed fractal keeps the result it was first completed with;
/// - a result the API accepted (2xx) is the one the fractal keeps;
/// - a contract result that reached the API completes its fractal (a result outranks a
///   failure), unless the fractal was deleted;
/// - a fractal ends failed only when a fault gave a worker cause to give it up (a render
///   that failed, a result refused for good, a task above a small worker's budget, every
///   render of a delivery found corrupt), and then with a reason; never pending with no
///   message left anywhere;
/// - a deleted fractal stays deleted;
/// - a create sent again for a stored task is answered with the stored fractal;
/// - a real task ends in the dead-letter queue only when a worker had cause to give it up
///   (or it was deleted, or its result was refused as another worker's conflicting one).
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
        let requests = simulation.requests
        let observations = store.observations
        var tally = Tally(total: plan.active.count)
        var latency = LatencyRecorder()
        var lastCompletion: Tick = 0
        var expectations = ExpectationCache(
            fixtureMatchesPlatform: simulation.fixture?.encoder == .current, rendered: simulation.renderedChecksums)
        let inFlight = !simulation.jobs.isEmpty || simulation.queue.counts.ready + simulation.queue.counts.unacknowledged > 0
        let smallBudget = simulation.workers.filter { $0.policy.limits != .default }.map(\.policy.limits.workBudget).min()
        let disagreeing = Set(simulation.workers.indices.filter { simulation.workers[$0].renders != .contract })
        let deadLetters = (try? await simulation.queue.drainDeadLetters(limit: Int.max)) ?? []
        let deadLettered = Set(deadLetters.compactMap(\.messageID))

        for index in plan.active {
            let task = plan.tasks[index]
            let uuid = task.uuid
            let puts = requests.puts[index]
            if requests.deleted[index] != nil {
                tally.account.deleted += 1
                if (try? await store.fetch(uuid)) != nil { tally.count(.resurrected, uuid) }
                continue
            }
            if requests.repeatedCreates[index].contains(where: { !$0.asStored }) {
                tally.count(.repeatedCreateRefused, uuid)
            }
            if requests.publishes[index].needless > 0 { tally.count(.publishedNeedlessly, uuid) }
            let cause = giveUpCause(index, task, smallBudget: smallBudget)
            guard let record = try? await store.fetch(uuid) else {
                tally.unfinished(uuid, canStillFinish: timedOut)
                continue
            }
            let contractResultAccepted = puts.contains { $0.contract && $0.accepted }
            let givenUp = requests.failures[index].filter(\.recorded)
            if let completedAt = observations.completions[uuid]?.first, givenUp.contains(where: { $0.tick > completedAt }) {
                tally.count(.failureRecordedAfterResult, uuid)
            }
            if record.status == .failed {
                if !deadLettered.contains(uuid) { tally.count(.givenUpNotDeadLettered, uuid) }
                if let first = givenUp.first,
                    record.failure != first.reason || record.generatedBy != simulation.workers[first.worker].name
                {
                    tally.count(.failureReplaced, uuid)
                }
                if contractResultAccepted {
                    tally.count(.resultLostToFailure, uuid)
                } else if cause == nil {
                    tally.count(.failed, uuid)
                } else if (record.failure ?? "").trimmingCharacters(in: .whitespaces).isEmpty || record.generatedBy == nil
                    || record.completedAt == nil
                {
                    tally.count(.malformedRecord, uuid)
                } else {
                    tally.account.givenUp += 1
                }
                continue
            }
            guard record.status == .completed else {
                // Pending: waiting somewhere (outbox, queue, a worker) is stuck; gone from everywhere is lost.
                if contractResultAccepted {
                    tally.count(.resultLostToFailure, uuid)
                } else if deadLettered.contains(uuid) {
                    tally.count(.pendingDeadLettered, uuid)
                } else {
                    tally.unfinished(uuid, canStillFinish: !record.published || inFlight)
                }
                continue
            }
            tally.account.completed += 1
            let completion = observations.completions[uuid]
            if let completedAt = completion?.first {
                latency.record(microseconds: completedAt - min(completedAt, task.arrival))
                lastCompletion = max(lastCompletion, completedAt)
            }
            if let completion, completion.count > 1 { tally.count(.storedTwice, uuid) }
            if let first = completion?.result, first.checksum != record.checksum || first.generatedBy != record.generatedBy {
                tally.count(.resultReplaced, uuid)
            }
            if record.attempts < 1 || record.failure != nil || record.completedAt == nil
                || completion.map({ abs(($0.result.completedAt.timeIntervalSince(record.completedAt ?? .distantPast))) > 0.000_001 }) == true
            {
                tally.count(.malformedRecord, uuid)
            }
            // Where the stored result came from: a PUT that reached the API with these bytes.
            let sender = puts.last {
                $0.reachedAPI && $0.checksum == record.checksum && $0.pixelChecksum == record.pixelChecksum
                    && $0.size == record.size && $0.generatedBy == record.generatedBy && $0.duration == record.duration
            }
            if let sender, sender.generatedBy != simulation.workers[sender.worker].name {
                tally.count(.resultNotAsSent, uuid)
            } else if sender == nil {
                tally.count(.resultNotAsSent, uuid)
            }
            if puts.contains(where: { $0.accepted && $0.checksum != record.checksum }) {
                tally.count(.acceptedButNotKept, uuid)
            }
            if let image = try? await store.base.image(uuid) {
                let size = PNGHeader.declaredSize(of: image)
                if image.count != record.size || SHA256.hash(data: image).hexString != record.checksum
                    || size?.width != record.fractal.width || size?.height != record.fractal.height
                {
                    tally.count(.storedImageCorrupt, uuid)
                }
            } else {
                tally.count(.storedImageCorrupt, uuid)
            }
            if let sender, disagreeing.contains(sender.worker) {
                // Made outside the render contract by a worker the scenario says renders so:
                // the API cannot tell, and keeps it; it is accounted, not judged.
                tally.account.outsideContractByScenario += 1
            } else if ResultOrigin.isOutsideContract(status: record.status, pixelChecksum: record.pixelChecksum) {
                tally.count(.outsideContract, uuid)
            } else if expectations.expected(for: task, storedSeed: record.fractal.seed)?.matches(
                pixelChecksum: record.pixelChecksum, checksum: record.checksum) != true
            {
                tally.count(.wrongChecksum, uuid)
            }
            if simulation.renderLog[uuid]?.differed == true { tally.count(.renderedDifferently, uuid) }
        }

        var poison = SimulationReport.PoisonAccount(published: simulation.poisonPublished)
        let poisonIDs = Set(plan.poison.map(\.messageID))
        for message in deadLetters {
            if let id = message.messageID, poisonIDs.contains(id) {
                poison.deadLettered += 1
            } else if let task = simulation.task(message.messageID), excusesDeadLetter(task, smallBudget: smallBudget) {
                tally.account.deadLetteredWithCause += 1
            } else {
                tally.count(.deadLettered, message.messageID ?? "?")
            }
        }

        // Two contract renders of one task disagreeing: the stored result and a refused one,
        // both made by the contract and sent as made.
        var violations = 0
        for (uuid, refused) in observations.conflicts.sorted(by: { $0.key < $1.key }) {
            guard let task = simulation.task(uuid) else { continue }
            let contractChecksums = Set(requests.puts[task].filter(\.contract).map(\.checksum))
            let stored = observations.completions[uuid]?.result.checksum
            violations += refused.filter { contractChecksums.contains($0) && stored.map(contractChecksums.contains) == true }
                .count
        }

        let expect = simulation.scenario.expect
        var judge = Judge(examples: tally.examples)
        judge.judge(
            tally.account, poison: poison, conflictingResults: violations,
            redeliveries: simulation.counters.redeliveries, expect: expect,
            stallReason: stallReason(timedOut: timedOut))
        let seconds = Double(lastCompletion) / Double(ticksPerSecond)
        let throughput = seconds > 0 ? Double(tally.account.completed) / seconds : 0
        if let minimum = expect.minThroughput, throughput < minimum {
            judge.fail(
                .liveness,
                "throughput \(String(format: "%.1f", throughput)) tasks per simulated second, below the \(minimum) expected")
        }
        if let tick = simulation.livelock {
            judge.fail(
                .liveness,
                "a livelock: over \(Simulation.livelockEvents) events at simulated time \(Simulation.seconds(tick)) with "
                    + "no time passing; " + stallReason(timedOut: true))
        }
        if timedOut, judge.verdict == .pass {
            let outbox = (try? await store.unpublishedCount()) ?? 0
            judge.fail(
                .liveness,
                "the run was not quiet by \(Simulation.seconds(expect.within)): \(outbox) stored task(s) still in the outbox; "
                    + stallReason(timedOut: true))
        }
        let reader = FractalService(
            store: store, queue: SeveredQueue(), environment: .live, logger: simulation.silent)
        let misread = await ClientReads(service: reader, store: store).problems(
            reading: plan.active.map { plan.tasks[$0].uuid })
        if let first = misread.first {
            judge.fail(.correctness, "a client reading the API sees what is not stored: \(first)" + (misread.count > 1 ? " (and \(misread.count - 1) more)" : ""))
        }
        if let first = simulation.wrongTimes.first {
            judge.fail(
                .correctness,
                "\(simulation.wrongTimes.count) record(s) stamped with a time that was not their controller's now (e.g. \(first))")
        }
        if simulation.claimOverlaps > 0, simulation.skews.allSatisfy({ $0 == 0 }) {
            judge.fail(
                .correctness,
                "\(simulation.claimOverlaps) outbox row(s) claimed by two controllers at once, with no clock skew to explain it")
        }
        let probes = simulation.probes.hits
        let missed = expect.reached.filter { probes[$0] == nil }
        if !missed.isEmpty {
            judge.fail(
                .unexercised,
                "the run never reached \(missed.joined(separator: ", ")), which the scenario exists to exercise")
        }

        let wallSeconds = wallClock.seconds
        var report = SimulationReport(
            scenario: simulation.scenario.name, mode: .simulation, settings: simulation.settings, verdict: judge.verdict,
            failures: judge.failures,
            tasks: tally.account, poison: poison, faults: simulation.faultCounts, counters: simulation.counters,
            simulated: .init(seconds: seconds, throughput: throughput, latency: latency.summary), cluster: nil,
            wallClock: .init(
                seconds: wallSeconds, tasksPerSecond: wallSeconds > 0 ? Double(tally.account.completed) / wallSeconds : 0))
        report.probes = probes
        if !tally.failing.isEmpty { report.failingTasks = tally.failing }
        let classes = Tally.Kind.allCases.map(\.rawValue).filter { $0 != Tally.Kind.stuck.rawValue || expect.allComplete }
        let stories = TaskStory.stories(
            failing: tally.failing, classes: classes, trace: simulation.trace.events, taskIndex: simulation.taskIndex)
        if !stories.isEmpty { report.stories = stories }
        return report
    }

    /// Why a worker may have given the task up, from the faults the harness injected and
    /// the task's own parameters: nil when nothing gave it cause.
    func giveUpCause(_ index: Int, _ task: WorkloadPlan.Task, smallBudget: Int?) -> String? {
        if let cause = simulation.requests.givenUpCause[index] { return cause }
        if let smallBudget, task.request.fractal.width * task.request.fractal.height * task.request.fractal.iterations
            > smallBudget
        {
            return "its work is above a small worker's budget"
        }
        let maximum = TaskPolicy(name: "").maximumRenders
        if simulation.requests.corruptRefusals.contains(where: { $0.key.task == index && $0.value >= maximum }) {
            return "each of \(maximum) renders of one delivery reached the API corrupt"
        }
        let refusedOutsideContract = simulation.requests.puts[index].contains {
            guard !$0.contract, !$0.corrupted, case .refused = $0.processed else { return false }
            return true
        }
        if refusedOutsideContract { return "the API refused a disagreeing worker's result" }
        return nil
    }

    /// Whether a real task's message may end in the dead-letter queue: a worker had cause
    /// to give it up, it was deleted, or a disagreeing worker's conflicting result was refused.
    func excusesDeadLetter(_ index: Int, smallBudget: Int?) -> Bool {
        let requests = simulation.requests
        if requests.deleted[index] != nil { return true }
        if giveUpCause(index, simulation.plan.tasks[index], smallBudget: smallBudget) != nil { return true }
        return requests.puts[index].contains { !$0.contract && !$0.corrupted && $0.reachedAPI }
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
    package enum Kind: String, CaseIterable, Sendable {
        case lost, stuck, failed
        case storedTwice = "stored twice"
        case wrongChecksum = "wrong checksum"
        case outsideContract = "not made by the render contract"
        case renderedDifferently = "rendered differently"
        case deadLettered = "dead-lettered"
        case storedImageCorrupt = "stored image corrupt"
        case resultNotAsSent = "result not as sent"
        case resultReplaced = "result replaced"
        case acceptedButNotKept = "accepted but not kept"
        case resultLostToFailure = "result lost to a failure"
        case malformedRecord = "malformed record"
        case resurrected
        case repeatedCreateRefused = "repeated create refused"
        case failureRecordedAfterResult = "failure recorded after a result"
        case givenUpNotDeadLettered = "given up, not dead-lettered"
        case failureReplaced = "failure replaced"
        case pendingDeadLettered = "pending, dead-lettered"
        case publishedNeedlessly = "published needlessly"
    }

    package var account: SimulationReport.TaskAccount
    package var examples: [String: String] = [:]
    /// The uuids of each kind of failure, in the order found, for their stories.
    package var failing: [String: [String]] = [:]

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
        default: account.broken[kind.rawValue, default: 0] += 1
        }
        if examples[kind.rawValue] == nil { examples[kind.rawValue] = id }
        failing[kind.rawValue, default: []].append(id)
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

    /// The sentence of each rule broken beyond the task counts, by its failure class.
    static let brokenRules: [Tally.Kind: String] = [
        .storedImageCorrupt: "stored with an image that does not match its own size and checksum, or is not of the fractal's size",
        .resultNotAsSent: "stored with a result no worker sent for it, or named after a worker that did not send it",
        .resultReplaced: "whose result changed after it was completed",
        .acceptedButNotKept: "answered 2xx to a result they do not keep (another checksum)",
        .resultLostToFailure: "not completed although a contract result reached the API (a result outranks a failure)",
        .malformedRecord: "stored with fields their status contradicts (attempts, failure, completion time, reason)",
        .resurrected: "deleted, yet stored at the end",
        .repeatedCreateRefused: "whose create, sent again with their uuid, was not answered with the stored fractal (the same parameters) or refused as a conflict (other parameters)",
        .failureRecordedAfterResult: "whose failure report was answered as recorded although a result had completed them",
        .givenUpNotDeadLettered: "failed, with their message not in the dead-letter queue (a task given up must be rejected to it)",
        .failureReplaced: "failed with another failure than the first one recorded (a failed fractal keeps its first)",
        .pendingDeadLettered: "left pending with their message in the dead-letter queue: given up without the API recording it",
        .publishedNeedlessly: "published again with no cause: their first publish was confirmed and marked, and no outbox pass that took them could think their create was cut off (a pass other than a controller's first took them younger than the grace)",
    ]

    package mutating func judge(
        _ account: SimulationReport.TaskAccount, poison: SimulationReport.PoisonAccount, conflictingResults: Int,
        redeliveries: Int, expect: Scenario.Expectations, stallReason: @autoclosure () -> String
    ) {
        if account.lost > expect.lost {
            fail(.correctness, "\(account.lost) task(s) lost: pending, with no message left anywhere\(example("lost"))")
        }
        if account.failed > 0 {
            fail(.correctness, "\(account.failed) task(s) failed: a worker gave them up with no cause\(example("failed"))")
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
            fail(
                .correctness,
                "\(account.deadLettered) real task(s) ended in the dead-letter queue with no cause to give them up\(example("dead-lettered"))")
        }
        for kind in Tally.Kind.allCases {
            guard let count = account.broken[kind.rawValue], count > 0, let rule = Self.brokenRules[kind] else { continue }
            fail(.correctness, "\(count) task(s) \(rule)\(example(kind.rawValue))")
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

    /// The answer for `task`, from its request: its c, else the seed it asked for. A
    /// request with neither (the original client's) leaves the seed to the API, so its
    /// answer comes from the seed the API stored for it (`storedSeed`), with the rest of the
    /// request.
    package mutating func expected(for task: WorkloadPlan.Task, storedSeed: UInt64? = nil) -> Checker.Expected? {
        if let golden = task.golden {
            return Checker.Expected(
                pixelChecksum: golden.pixelChecksum, checksum: fixtureMatchesPlatform ? golden.checksum : nil)
        }
        var request = task.request.fractal
        if request.cx == nil, request.cy == nil, request.seed == nil {
            guard let seed = storedSeed else { return nil }
            request.seed = seed
        }
        guard let parameters = try? request.validated() else { return nil }
        if let known = rendered[parameters] { return known }
        guard let result = try? RenderJob.run(parameters, threads: 1) else { return nil }
        let expected = Checker.Expected(pixelChecksum: result.pixelChecksum, checksum: result.checksum)
        rendered[parameters] = expected
        return expected
    }
}
