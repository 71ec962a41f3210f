import Crypto
import FaafoController
import FaafoProbes
import FaafoWire
import FaafoWorkerLogic
import Foundation
import FractalCore
import FractalJob
import WorkQueue

/// The virtual workers: each takes deliveries from its own consumer and carries out the
/// actions of faafo-worker's step machine (`TaskSteps`), its decisions made by the very
/// code faafo-worker runs, in simulated time, with faults at the machine's edges: crashes
/// between its actions, renders that fail or stall, results corrupted, delayed, lost or
/// refused on their way, acknowledgements whose connection drops.
extension Simulation {
    /// Opens the worker's consumer; while the broker is down it waits for `brokerBack`.
    func startWorker(_ index: Int) {
        guard workers[index].consumer == nil, broker.isUp else { return }
        do {
            let consumer = try queue.makeInMemoryConsumer(prefetch: settings.prefetch)
            workers[index].consumer = consumer
            consumerOwner[consumer.id] = index
        } catch {
            preconditionFailure("the simulator's queue refused a consumer: \(error)")
        }
        poll(index)
    }

    /// Takes deliveries into the worker's free slots; none while its host is cut off.
    func poll(_ index: Int) {
        guard !isPartitioned(workers[index].host) else { return }
        while workers[index].busy < settings.concurrency, let consumer = workers[index].consumer,
            let delivery = consumer.poll()
        {
            workers[index].busy += 1
            counters.deliveries += 1
            if delivery.redelivered { counters.redeliveries += 1 }
            let id = nextJobID
            nextJobID += 1
            let task = task(delivery.messageID)
            var number = 0
            if let task {
                deliveryCounts[task] += 1
                number = deliveryCounts[task]
                if store.wasCompleted(plan.tasks[task].uuid) { Probe.hit(.runStoredTaskDeliveredAgain) }
            }
            trace.note(
                "deliver", actor: "broker", task: delivery.messageID,
                "to \(workers[index].name)\(task == nil ? "" : ", delivery \(number)")\(delivery.redelivered ? ", redelivered" : "")")
            var steps = TaskSteps(body: delivery.body, redelivered: delivery.redelivered, policy: workers[index].policy)
            let first = trace.actingNow(as: workers[index].name, for: delivery.messageID) { steps.start().action }
            jobs[id] = Job(
                worker: index, generation: workers[index].generation, consumer: consumer, delivery: delivery, task: task,
                deliveryNumber: number, steps: steps, action: first, crashPoint: Self.crashPoint(after: nil, before: first))
            schedule(.job(id), after: CostModel.prepare)
            if let timeout = scenario.faults.consumerTimeout { schedule(.consumerTimeout(job: id), after: timeout) }
        }
    }

    /// Polls the workers whose consumers the queue handed deliveries to since the last
    /// look. Polling takes only what is buffered, so it hands out nothing new.
    func pollWokenWorkers() {
        for consumer in woken.take() {
            if let index = consumerOwner[consumer], workers[index].consumer?.id == consumer { poll(index) }
        }
    }

    /// Carries out a job's actions, those of faafo-worker's own step machine (`TaskSteps`),
    /// from the one due now until one that takes simulated time (a render, a result PUT, a
    /// backoff). The worker may crash before the first of them, at the point it has reached.
    func step(_ id: Int) async {
        guard var job = jobs[id] else { return }
        if let point = job.crashPoint, await crashes(job, at: point) { return }
        let worker = workers[job.worker].name
        while true {
            if job.action.needsTheNetwork, let until = partitionedUntil[workers[job.worker].host], until > now {
                // The link is down: the PUT or the acknowledgement waits for it (TCP
                // retransmits). The crash at this point was drawn already.
                job.crashPoint = nil
                jobs[id] = job
                return schedule(.job(id), after: until - now)
            }
            let outcome: TaskSteps.Outcome
            var takes: Tick?
            switch job.action {
            case .render(let uuid, let parameters):
                let render = self.render(job, uuid, parameters)
                outcome = render.outcome
                takes = render.takes
                trace.note("render", actor: worker, task: uuid, render.details)
            case .deliver(let uuid, let upload):
                if job.put == nil, let task = job.task {
                    putCounts[task] += 1
                    job.put = putCounts[task]
                }
                if !job.putDelayed, let task = job.task, let put = job.put,
                    let delay = faults.strike(
                        .init(kind: .putDelay, task: task, occurrence: put, point: nil),
                        chance: scenario.faults.putDelay, active: faultsActive, random: &networkRandom,
                        make: { random in
                            ScheduledFault(
                                .putDelay, task: task, occurrence: put,
                                length: Tick(random.int(in: 1...Int(scenario.faults.putDelayMax))))
                        })
                {
                    // Held back on the network: the PUT reaches the API later, overtaken
                    // by whatever is sent meanwhile.
                    job.putDelayed = true
                    jobs[id] = job
                    trace.note("put", actor: worker, task: uuid, "held back on the network for \(Self.seconds(delay.length ?? 0))")
                    return schedule(.job(id), after: delay.length ?? 0)
                }
                job.putDelayed = false
                jobs[id] = job
                guard let delivered = await deliver(upload, of: uuid, job: job) else { return }
                job.put = nil
                outcome = delivered
                takes = scenario.cluster.network
            case .wait(let delay):
                if job.stopping {
                    // Told to stop: the wait ends at once (faafo-worker cancels it).
                    job.waiting = false
                    outcome = .stopping
                } else if !job.waiting {
                    job.waiting = true
                    job.crashPoint = nil
                    jobs[id] = job
                    trace.note("wait", actor: worker, task: job.uuid, "\(delay) before delivering again")
                    return schedule(.job(id), after: Self.ticks(delay))
                } else {
                    job.waiting = false
                    outcome = .waited
                }
            case .reportFailure(let uuid, let failure):
                outcome = await reportFailure(failure, of: uuid, job: job)
            case .acknowledge:
                job.acknowledged = true
                if let task = job.task,
                    faults.strike(
                        .init(kind: .ackLost, task: task, occurrence: job.deliveryNumber, point: nil),
                        chance: scenario.faults.ackLost, active: faultsActive, random: &networkRandom,
                        make: { _ in ScheduledFault(.ackLost, task: task, occurrence: job.deliveryNumber) }) != nil
                {
                    // The connection drops with the ack on the wire: the broker never takes
                    // it, and what the consumer held goes back to the queue.
                    Probe.hit(.runAckLost)
                    trace.note("ack", actor: worker, task: job.uuid, "lost: the connection dropped first")
                    await dropConnection(of: job)
                } else {
                    let settled = await settle { try await job.consumer.ack(job.delivery) }
                    trace.note("ack", actor: worker, task: job.uuid, settled ? "taken" : "refused: its channel had closed")
                }
                outcome = .settled
            case .reject:
                counters.deadLettered += 1
                let settled = await settle { try await job.consumer.reject(job.delivery, requeue: false) }
                trace.note(
                    "reject", actor: worker, task: job.uuid,
                    settled ? "to the dead-letter queue" : "refused: its channel had closed")
                outcome = .settled
            case .finish:
                trace.note("finish", actor: worker, task: job.uuid)
                return finish(id)
            }
            let taken = job.action
            let step = trace.actingNow(as: worker, for: job.uuid) { job.steps.next(after: outcome) }
            job.action = step.action
            if let note = step.note { trace.note("decide", actor: worker, task: job.uuid, note.traced) }
            if let takes {
                job.crashPoint = Self.crashPoint(after: taken, before: job.action)
                jobs[id] = job
                return schedule(.job(id), after: takes)
            }
        }
    }

    /// The named point a worker is at between two actions (before the first when `taken`
    /// is nil), where a crash can stop it.
    static func crashPoint(after taken: TaskSteps.Action?, before next: TaskSteps.Action) -> Scenario.CrashStep? {
        switch (taken, next) {
        case (nil, _), (_, .render): .beforeRender
        case (.render, _): .afterRender
        case (.deliver, .acknowledge): .afterResultBeforeAck
        default: nil
        }
    }

    /// A render, its simulated cost, and how it went: for real, unless a fault makes it
    /// fail or stall; outside the render contract on a disagreeing worker.
    func render(_ job: Job, _ uuid: String, _ parameters: FractalParameters) -> (
        outcome: TaskSteps.Outcome, takes: Tick?, details: String
    ) {
        if let task = job.task {
            let race = failureRaces[task].flatMap { $0.occurrence == job.deliveryNumber ? $0 : nil }
            let failure =
                race
                ?? faults.strike(
                    .init(kind: .renderFailure, task: task, occurrence: job.deliveryNumber, point: nil),
                    chance: scenario.faults.renderFailure, active: faultsActive, random: &giveUpRandom,
                    make: { random in
                        ScheduledFault(
                            .renderFailure, task: task, occurrence: job.deliveryNumber,
                            length: Self.failureTime(parameters.request, &random))
                    })
            if let failure {
                requests.excuseGivingUp(task, race != nil ? "a failure-race render failed" : "its render failed")
                return (.renderFailed("out of memory (injected)"), failure.length ?? 0, "failed (injected)")
            }
        }
        var parameters = parameters
        var outside = ""
        if case .disagreeing(let how) = workers[job.worker].renders {
            // Another c, as the original faafo worker draws one (or nudged): pixels the
            // render contract does not give for this task.
            parameters = disagreeing(parameters, how)
            outside = ", outside the render contract (c = \(parameters.cx), \(parameters.cy))"
        }
        do {
            let rendered = try render(uuid, parameters, contract: outside.isEmpty)
            var cost = CostModel.render(rendered)
            var stalled = ""
            if let task = job.task,
                let stall = faults.strike(
                    .init(kind: .slowRender, task: task, occurrence: job.deliveryNumber, point: nil),
                    chance: scenario.faults.slowWorker, active: faultsActive, random: &slowRandom,
                    make: { _ in
                        ScheduledFault(.slowRender, task: task, occurrence: job.deliveryNumber, length: scenario.faults.slowStall)
                    })
            {
                faultCounts.slowRenders += 1
                cost += stall.length ?? 0
                stalled = ", stalled \(Self.seconds(stall.length ?? 0))"
            }
            return (.rendered(TaskSteps.Rendered(rendered)), cost, "ok\(stalled)\(outside)")
        } catch {
            return (.renderFailed("\(error)"), nil, "failed: \(error)")
        }
    }

    /// The parameters a disagreeing worker renders instead of the task's.
    func disagreeing(_ parameters: FractalParameters, _ how: Scenario.DisagreeingRender) -> FractalParameters {
        var request = parameters.request
        switch how {
        case .original:
            // Drawn as the original worker's random.uniform over the plane, from the run's seed.
            request.cx = giveUpRandom.unit() * (parameters.xb - parameters.xa) + parameters.xa
            request.cy = giveUpRandom.unit() * (parameters.yb - parameters.ya) + parameters.ya
        case .otherC:
            request.cx = parameters.cx + 0.001
        case .transposed:
            (request.width, request.height) = (parameters.height, parameters.width)
        }
        return (try? request.validated()) ?? parameters
    }

    /// One result PUT: it may be cut off by a crash (then nil), corrupted, delayed, lost,
    /// refused or failed by an injected fault, or reach a controller (the same service
    /// code as faafo-api) and be accepted or refused.
    func deliver(_ upload: ResultUpload, of uuid: String, job: Job) async -> TaskSteps.Outcome? {
        let worker = job.worker
        counters.resultAttempts += 1
        guard let task = job.task, let put = job.put else {
            return await SimulatedResultSink(service: nextLiveController().0, fault: .none).deliver(upload, of: uuid)
        }
        var upload = upload
        var contract = workers[worker].renders == .contract
        if case .disagreeing(.original) = workers[worker].renders {
            upload.pixelChecksum = nil
        }
        if !contract { Probe.hit(.runDisagreeingResultSent) }
        var corrupted = false
        if let corruption = faults.strike(
            .init(kind: .corruptResult, task: task, occurrence: put, point: nil), chance: scenario.faults.corruptResult,
            active: faultsActive, random: &resultRandom,
            make: { random in
                let fields = scenario.faults.corruptFields
                let field = fields[random.int(in: 0...(fields.count - 1))]
                return ScheduledFault(
                    .corruptResult, task: task, occurrence: put, point: field.rawValue,
                    flag: random.chance(scenario.faults.corruptOnTheWire))
            })
        {
            upload = Self.corrupt(upload, corruption)
            corrupted = true
            contract = false
            faultCounts.corruptResults += 1
            Probe.hit(.runCorruptResultSent)
            trace.note("corrupt", actor: "fault", task: uuid, "\(corruption)")
        }
        func log(heard: TaskSteps.Outcome, processed: TaskSteps.Outcome?) {
            requests.puts[task].append(
                RequestLog.Put(
                    tick: now, worker: worker, checksum: upload.checksum, pixelChecksum: upload.pixelChecksum,
                    size: upload.size, duration: upload.duration, generatedBy: upload.generatedBy, contract: contract,
                    corrupted: corrupted,
                    processed: processed, heard: heard.name))
            if case .corrupt = processed {
                requests.corruptRefusals[.init(task: task, delivery: job.deliveryNumber), default: 0] += 1
            }
            trace.note(
                "put", actor: workers[worker].name, task: uuid,
                "result \(put): \(heard.name)"
                    + (processed.map { "\($0.name)" == "\(heard.name)" ? "" : " (the API: \($0.name))" } ?? ""))
        }

        if let crash = faults.strike(
            .init(kind: .workerCrash, task: task, occurrence: job.deliveryNumber, point: Scenario.CrashStep.duringResult.rawValue),
            chance: scenario.faults.workerCrash[.duringResult] ?? 0, active: faultsActive, random: &crashRandom,
            make: { random in
                ScheduledFault(
                    .workerCrash, task: task, occurrence: job.deliveryNumber, point: Scenario.CrashStep.duringResult.rawValue,
                    flag: random.chance(0.5))
            })
        {
            // The worker dies with the PUT on the wire: the API may have got it.
            if crash.flag == true {
                let (_, processed) = await send(upload, of: uuid, fault: .none)
                log(heard: .stopping, processed: processed)
            } else {
                trace.note("put", actor: workers[worker].name, task: uuid, "result \(put): cut off before it reached the API")
            }
            await crashWorker(worker, at: .duringResult, holding: job)
            return nil
        }
        if now < workers[worker].refusedUntil {
            let outcome = TaskSteps.Outcome.unauthorized("401 Unauthorized: the worker token is not the API's (injected)")
            log(heard: outcome, processed: nil)
            return outcome
        }
        if faults.strike(
            .init(kind: .refusedResult, task: task, occurrence: put, point: nil), chance: scenario.faults.refusedResult,
            active: faultsActive, random: &resultRandom,
            make: { _ in ScheduledFault(.refusedResult, task: task, occurrence: put) }) != nil
        {
            faultCounts.refusedResults += 1
            requests.excuseGivingUp(task, "the API refused its result for good (injected)")
            let outcome = TaskSteps.Outcome.refused("400 Bad Request (injected)")
            log(heard: outcome, processed: nil)
            return outcome
        }
        let failureChance = scenario.faults.resultError + scenario.faults.resultTimeout + scenario.faults.resultLost
        var fault = SimulatedResultSink.Fault.none
        if let failure = faults.strike(
            .init(kind: .resultFailure, task: task, occurrence: put, point: nil), chance: failureChance,
            active: faultsActive, random: &resultRandom,
            make: { random in
                let pick = random.unit() * failureChance
                let kind: ScheduledFault.ResultFailure =
                    pick < scenario.faults.resultError
                    ? .error5xx : pick < scenario.faults.resultError + scenario.faults.resultTimeout ? .timeout : .lost
                return ScheduledFault(.resultFailure, task: task, occurrence: put, point: kind.rawValue)
            })
        {
            switch ScheduledFault.ResultFailure(rawValue: failure.point ?? "") {
            case .error5xx:
                fault = .serverError
                faultCounts.resultErrors += 1
            case .timeout:
                fault = .timeout
                faultCounts.resultTimeouts += 1
            case .lost, nil:
                faultCounts.resultsLost += 1
                let outcome = TaskSteps.Outcome.failed("no answer from the API in time (injected; the PUT was lost)")
                log(heard: outcome, processed: nil)
                return outcome
            }
        }
        let (outcome, processed) = await send(upload, of: uuid, fault: fault)
        if case .refused = outcome { counters.refusedResults += 1 }
        log(heard: outcome, processed: processed)
        if partitionNoticed(worker: worker, since: job) {
            Probe.hit(.runLateResultAfterPartition)
        }
        if requests.deleted[task] != nil { Probe.hit(.runResultForDeleted) }
        if !requests.failures[task].isEmpty { Probe.hit(.runFailureRacesResult) }
        return outcome
    }

    /// Whether the broker took this job's delivery back from a partitioned host while the
    /// job worked on it (its consumer is closed and the host was cut off).
    func partitionNoticed(worker: Int, since job: Job) -> Bool {
        !job.consumer.isOpen && noticedPartition.contains(workers[worker].host)
    }

    /// A PUT sent to the next live controller (none: connection refused), traced as its
    /// controller's doing: what the worker heard, and what the API made of it (nil when
    /// the PUT never reached its service). A timeout is a PUT processed whose answer is
    /// lost; a 5xx one the API refused before looking at it.
    func send(_ upload: ResultUpload, of uuid: String, fault: SimulatedResultSink.Fault) async -> (
        heard: TaskSteps.Outcome, processed: TaskSteps.Outcome?
    ) {
        let (service, life) = nextLiveController()
        guard let service, let life else {
            return (.failed("connection refused: no controller is up"), nil)
        }
        if fault == .serverError { return (.failed("503 Service Unavailable (injected)"), nil) }
        let processed = await trace.acting(as: life.name, for: uuid) {
            await ServiceResultSink(service: service).deliver(upload, of: uuid)
        }
        let cutOff = noteIfCrashed(life)
        if fault == .timeout || cutOff {
            return (.failed("no answer from the API (\(cutOff ? "it crashed" : "injected timeout"); the PUT was processed)"), processed)
        }
        return (processed, processed)
    }

    /// A failure report, sent to the next live controller and logged for the checker.
    func reportFailure(_ failure: TaskFailure, of uuid: String, job: Job) async -> TaskSteps.Outcome {
        let (service, life) = nextLiveController()
        // The API refuses a report under a token it does not know, as it refuses a result.
        let refused = now < workers[job.worker].refusedUntil
        let outcome = await trace.acting(as: life?.name ?? "client", for: uuid) {
            await SimulatedResultSink(service: refused ? nil : service, fault: .none).report(failure, of: uuid)
        }
        noteIfCrashed(life)
        var recorded = false
        if case .reported(let taken) = outcome { recorded = taken }
        trace.note(
            "report-failure", actor: workers[job.worker].name, task: uuid,
            "\(failure.reason): \(recorded ? "recorded" : "not recorded")")
        if let task = job.task {
            requests.failures[task].append(
                RequestLog.FailureReport(tick: now, worker: job.worker, reason: failure.reason, recorded: recorded))
            if !requests.puts[task].filter(\.reachedAPI).isEmpty { Probe.hit(.runFailureRacesResult) }
        }
        return outcome
    }

    /// A result with one bit flipped where `fault` says: in the worker before it hashed the
    /// image (the checksum then matches the flipped image), or on the wire after.
    static func corrupt(_ upload: ResultUpload, _ fault: ScheduledFault) -> ResultUpload {
        var upload = upload
        let onTheWire = fault.flag ?? true
        func flipHex(_ hex: String) -> String {
            var characters = Array(hex)
            guard !characters.isEmpty else { return hex }
            let index = characters.count / 2
            characters[index] = characters[index] == "0" ? "1" : "0"
            return String(characters)
        }
        switch Scenario.CorruptField(rawValue: fault.point ?? "") ?? .image {
        case .image:
            guard var image = Data(base64Encoded: upload.image), !image.isEmpty else { return upload }
            image[image.count / 2] ^= 0x04
            upload.image = image.base64EncodedString()
            if !onTheWire { upload.checksum = SHA256.hash(data: image).hexString }
        case .checksum:
            upload.checksum = flipHex(upload.checksum)
        case .size:
            upload.size ^= 1
        case .pixelChecksum:
            upload.pixelChecksum = upload.pixelChecksum.map(flipHex)
            if upload.pixelChecksum == nil { upload.checksum = flipHex(upload.checksum) }
        }
        return upload
    }

    static func ticks(_ duration: Duration) -> Tick {
        let (seconds, attoseconds) = duration.components
        return Tick(max(0, seconds)) * ticksPerSecond + Tick(max(0, attoseconds) / 1_000_000_000_000)
    }

    /// Renders for real. A task's first render may come from the cache (identical
    /// parameters give identical bytes); any later render of the same task is done
    /// afresh, so that the checker can compare the bytes of both. A render outside the
    /// contract (a disagreeing worker's) is neither cached nor compared.
    func render(_ uuid: String, _ parameters: FractalParameters, contract: Bool = true) throws -> RenderedFractal {
        guard contract else {
            counters.renders += 1
            return try RenderJob.run(parameters, threads: 1)
        }
        let again = renderLog[uuid] != nil
        let rendered: RenderedFractal
        if !again, let cached = renderCache?[parameters] {
            counters.cacheHits += 1
            rendered = cached
        } else {
            let fresh = try RenderJob.run(parameters, threads: 1)
            counters.renders += 1
            if !again { renderCache?[parameters] = fresh }
            if renderedChecksums[parameters] == nil {
                renderedChecksums[parameters] = Checker.Expected(pixelChecksum: fresh.pixelChecksum, checksum: fresh.checksum)
            }
            rendered = fresh
        }
        if again {
            renderLog[uuid]?.noteRenderedAgain(rendered)
        } else {
            renderLog[uuid] = RenderRecord(checksum: rendered.checksum, pixelChecksum: rendered.pixelChecksum)
        }
        return rendered
    }

    /// Whether the worker crashes at this step (and if so, crashes it).
    func crashes(_ job: Job, at step: Scenario.CrashStep) async -> Bool {
        guard let task = job.task,
            faults.strike(
                .init(kind: .workerCrash, task: task, occurrence: job.deliveryNumber, point: step.rawValue),
                chance: scenario.faults.workerCrash[step] ?? 0, active: faultsActive, random: &crashRandom,
                make: { _ in ScheduledFault(.workerCrash, task: task, occurrence: job.deliveryNumber, point: step.rawValue) })
                != nil
        else { return false }
        if step == .afterResultBeforeAck, store.wasCompleted(plan.tasks[task].uuid) {
            Probe.hit(.runCrashAfterStoreBeforeAck)
        }
        await crashWorker(job.worker, at: step, holding: job)
        return true
    }

    /// The worker process dies: its jobs stop where they are, and its channel closes, so
    /// every message it held goes back to the queue marked redelivered.
    func crashWorker(_ index: Int, at step: Scenario.CrashStep, holding job: Job) async {
        faultCounts.workerCrashes[step.rawValue, default: 0] += 1
        trace.note("crash", actor: workers[index].name, task: job.uuid, "SIGKILL \(step.rawValue) (injected)")
        await killWorker(index, restartAfter: scenario.faults.workerRestart)
    }

    /// Stops the worker as SIGKILL would, and starts it again after `restartAfter`.
    func killWorker(_ index: Int, restartAfter: Tick) async {
        workers[index].generation += 1
        workers[index].busy = 0
        workers[index].crashed = true
        for (_, job) in jobs.sorted(by: { $0.key < $1.key }) where job.worker == index {
            trace.note("died", actor: workers[index].name, task: job.uuid, "holding it at \(job.action.name)")
        }
        jobs = jobs.filter { $0.value.worker != index }
        if let consumer = workers[index].consumer {
            workers[index].consumer = nil
            await consumer.close()
        }
        schedule(.restartWorker(index), after: restartAfter)
    }

    /// The job's connection drops (an acknowledgement lost with it): its consumer closes,
    /// what it held goes back to the queue, and the worker connects again.
    func dropConnection(of job: Job) async {
        let index = job.worker
        guard workers[index].consumer?.id == job.consumer.id else { return }
        workers[index].consumer = nil
        await job.consumer.close()
        startWorker(index)
    }

    /// The broker's consumer timeout: a delivery held unacknowledged too long closes the
    /// worker's channel and requeues what it held. The worker opens a new one; its jobs
    /// already under way run on, and their acknowledgements fail.
    func consumerTimeout(_ id: Int) async {
        guard let job = jobs[id], !job.acknowledged, job.consumer.isOpen,
            workers[job.worker].consumer?.id == job.consumer.id
        else { return }
        faultCounts.consumerTimeouts += 1
        trace.note("consumer-timeout", actor: "broker", task: job.uuid, "closed \(workers[job.worker].name)'s channel")
        let index = job.worker
        workers[index].consumer = nil
        await job.consumer.close()
        startWorker(index)
    }

    func finish(_ id: Int) {
        guard let job = jobs.removeValue(forKey: id) else { return }
        guard workers[job.worker].generation == job.generation else { return }
        workers[job.worker].busy -= 1
        poll(job.worker)
    }

    /// Acknowledges or rejects as `FractalWorker.settle` does: a failure only means the
    /// queue delivers the task again. Returns whether the queue took it.
    @discardableResult
    func settle(_ operation: () async throws -> Void) async -> Bool {
        do {
            try await operation()
            return true
        } catch {
            counters.staleSettles += 1
            return false
        }
    }
}

extension TaskSteps.Outcome {
    /// The outcome in a few words, for the trace and the request log.
    var name: String {
        switch self {
        case .rendered: "rendered"
        case .renderFailed(let error): "render failed: \(error)"
        case .accepted: "accepted"
        case .unauthorized(let error): "unauthorized: \(error)"
        case .corrupt(let error): "refused as corrupt: \(error)"
        case .refused(let error): "refused: \(error)"
        case .failed(let error): "failed for now: \(error)"
        case .waited: "waited"
        case .stopping: "stopping"
        case .reported(let taken): taken ? "reported" : "report not recorded"
        case .settled: "settled"
        }
    }
}

extension TaskSteps.Action {
    /// The action in a word, for the trace.
    var name: String {
        switch self {
        case .render: "render"
        case .deliver: "deliver"
        case .wait: "wait"
        case .reportFailure: "report-failure"
        case .acknowledge: "acknowledge"
        case .reject: "reject"
        case .finish: "finish"
        }
    }
}

extension TaskSteps.Note {
    /// The note as the trace keeps it: faafo-worker's log line, but for the render's
    /// duration on this machine, which would make two runs of one seed differ.
    var traced: String {
        if case .done = self { return "done" }
        return message
    }
}
