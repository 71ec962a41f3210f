import FaafoWire
import FaafoWorkerLogic
import Foundation
import FractalCore
import FractalJob
import WorkQueue

/// The virtual workers: each takes deliveries from its own consumer and carries out the
/// actions of faafo-worker's step machine (`TaskSteps`), its decisions made by the very
/// code faafo-worker runs, in simulated time and with crashes between them.
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
            var steps = TaskSteps(body: delivery.body, redelivered: delivery.redelivered, policy: workers[index].policy)
            let first = steps.start().action
            jobs[id] = Job(
                worker: index, generation: workers[index].generation, consumer: consumer, delivery: delivery,
                steps: steps, action: first, crashPoint: Self.crashPoint(after: nil, before: first))
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
                do {
                    let rendered = try render(uuid, parameters)
                    outcome = .rendered(TaskSteps.Rendered(rendered))
                    var cost = CostModel.render(rendered)
                    if faultsActive, slowRandom.chance(scenario.faults.slowWorker) {
                        faultCounts.slowRenders += 1
                        cost += scenario.faults.slowStall
                    }
                    takes = cost
                } catch {
                    outcome = .renderFailed("\(error)")
                }
            case .deliver(let uuid, let upload):
                guard let delivered = await deliver(upload, of: uuid, by: job.worker) else { return }
                outcome = delivered
                takes = scenario.cluster.network
            case .wait(let delay):
                outcome = .waited
                takes = Self.ticks(delay)
            case .reportFailure(let uuid, let failure):
                outcome = await SimulatedResultSink(service: nextLiveController(), fault: .none).report(failure, of: uuid)
            case .acknowledge:
                job.acknowledged = true
                await settle { try await job.consumer.ack(job.delivery) }
                outcome = .settled
            case .reject:
                counters.deadLettered += 1
                await settle { try await job.consumer.reject(job.delivery, requeue: false) }
                outcome = .settled
            case .finish:
                return finish(id)
            }
            let taken = job.action
            job.action = job.steps.next(after: outcome).action
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

    /// One result PUT: it may be cut off by a crash (then nil), fail by an injected fault,
    /// or reach a controller (the same service code as faafo-api) and be accepted or refused.
    func deliver(_ upload: ResultUpload, of uuid: String, by worker: Int) async -> TaskSteps.Outcome? {
        let service = nextLiveController()
        counters.resultAttempts += 1
        if faultsActive, crashRandom.chance(scenario.faults.workerCrash[.duringResult] ?? 0) {
            // The worker dies with the PUT on the wire: half the time the API got it.
            if crashRandom.chance(0.5) {
                _ = await SimulatedResultSink(service: service, fault: .none).deliver(upload, of: uuid)
            }
            await crashWorker(worker, at: .duringResult)
            return nil
        }
        var fault = SimulatedResultSink.Fault.none
        if faultsActive, resultRandom.chance(scenario.faults.resultError) {
            fault = .serverError
            faultCounts.resultErrors += 1
        } else if faultsActive, resultRandom.chance(scenario.faults.resultTimeout) {
            fault = .timeout
            faultCounts.resultTimeouts += 1
        }
        let outcome = await SimulatedResultSink(service: service, fault: fault).deliver(upload, of: uuid)
        if case .refused = outcome { counters.refusedResults += 1 }
        return outcome
    }

    static func ticks(_ duration: Duration) -> Tick {
        let (seconds, attoseconds) = duration.components
        return Tick(max(0, seconds)) * ticksPerSecond + Tick(max(0, attoseconds) / 1_000_000_000_000)
    }

    /// Renders for real. A task's first render may come from the cache (identical
    /// parameters give identical bytes); any later render of the same task is done
    /// afresh, so that the checker can compare the bytes of both.
    func render(_ uuid: String, _ parameters: FractalParameters) throws -> RenderedFractal {
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
        guard faultsActive, crashRandom.chance(scenario.faults.workerCrash[step] ?? 0) else { return false }
        await crashWorker(job.worker, at: step)
        return true
    }

    /// The worker process dies: its jobs stop where they are, and its channel closes, so
    /// every message it held goes back to the queue marked redelivered.
    func crashWorker(_ index: Int, at step: Scenario.CrashStep) async {
        faultCounts.workerCrashes[step.rawValue, default: 0] += 1
        await killWorker(index, restartAfter: scenario.faults.workerRestart)
    }

    /// Stops the worker as SIGKILL would, and starts it again after `restartAfter`.
    func killWorker(_ index: Int, restartAfter: Tick) async {
        workers[index].generation += 1
        workers[index].busy = 0
        workers[index].crashed = true
        jobs = jobs.filter { $0.value.worker != index }
        if let consumer = workers[index].consumer {
            workers[index].consumer = nil
            await consumer.close()
        }
        schedule(.restartWorker(index), after: restartAfter)
    }

    /// The broker's consumer timeout: a delivery held unacknowledged too long closes the
    /// worker's channel and requeues what it held. The worker opens a new one; its jobs
    /// already under way run on, and their acknowledgements fail.
    func consumerTimeout(_ id: Int) async {
        guard let job = jobs[id], !job.acknowledged, job.consumer.isOpen,
            workers[job.worker].consumer?.id == job.consumer.id
        else { return }
        faultCounts.consumerTimeouts += 1
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
    /// queue delivers the task again.
    func settle(_ operation: () async throws -> Void) async {
        do {
            try await operation()
        } catch {
            counters.staleSettles += 1
        }
    }
}
