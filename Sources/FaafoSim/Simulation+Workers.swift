import FaafoWire
import FaafoWorker
import Foundation
import FractalCore
import FractalJob
import WorkQueue

/// The virtual workers: each takes deliveries from its own consumer and runs the steps
/// of faafo-worker (`TaskProcessor`) one event at a time, with crashes between them.
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

    /// Takes deliveries into the worker's free slots.
    func poll(_ index: Int) {
        while workers[index].busy < settings.concurrency, let consumer = workers[index].consumer,
            let delivery = consumer.poll()
        {
            workers[index].busy += 1
            counters.deliveries += 1
            if delivery.redelivered { counters.redeliveries += 1 }
            let id = nextJobID
            nextJobID += 1
            jobs[id] = Job(
                worker: index, generation: workers[index].generation, consumer: consumer, delivery: delivery,
                backoff: RetryBackoff(initial: retryInitial, maximum: retryMaximum))
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

    /// Takes a job's next step.
    func step(_ id: Int) async {
        guard var job = jobs[id] else { return }
        let processor = TaskProcessor(name: workers[job.worker].name)
        switch job.phase {
        case .received:
            if await crashes(job, at: .beforeRender) { return }
            let prepared: TaskProcessor.PreparedTask
            do {
                prepared = try processor.prepare(job.delivery.body)
            } catch {
                if let uuid = error.uuid { await reportFailure(of: uuid, reason: error.reason, processor) }
                counters.deadLettered += 1
                await settle { try await job.consumer.reject(job.delivery, requeue: false) }
                return finish(id)
            }
            guard let rendered = render(prepared) else {
                await reportFailure(of: prepared.task.uuid, reason: "cannot render", processor)
                counters.deadLettered += 1
                await settle { try await job.consumer.reject(job.delivery, requeue: false) }
                return finish(id)
            }
            job.uuid = prepared.task.uuid
            job.upload = processor.upload(for: rendered)
            job.phase = .rendered
            var cost = CostModel.render(rendered)
            if faultsActive, slowRandom.chance(scenario.faults.slowWorker) {
                faultCounts.slowRenders += 1
                cost += scenario.faults.slowStall
            }
            jobs[id] = job
            schedule(.job(id), after: cost)
        case .rendered:
            if await crashes(job, at: .afterRender) { return }
            if scenario.cluster.workerBug == .ackBeforeResult {
                await settle { try await job.consumer.ack(job.delivery) }
                job.acknowledged = true
            }
            job.phase = .submit
            jobs[id] = job
            schedule(.job(id), after: scenario.cluster.network / 2)
        case .submit:
            await submit(id, job, processor)
        case .acknowledge:
            if await crashes(job, at: .afterResultBeforeAck) { return }
            if !job.acknowledged { await settle { try await job.consumer.ack(job.delivery) } }
            finish(id)
        }
    }

    /// One result PUT: it may be cut off by a crash, fail by an injected fault, or reach a
    /// controller (the same service code as faafo-api) and be accepted or refused.
    func submit(_ id: Int, _ job: Job, _ processor: TaskProcessor) async {
        var job = job
        guard let upload = job.upload else { return finish(id) }
        let service = nextLiveController()
        counters.resultAttempts += 1
        if faultsActive, crashRandom.chance(scenario.faults.workerCrash[.duringResult] ?? 0) {
            // The worker dies with the PUT on the wire: half the time the API got it.
            if crashRandom.chance(0.5) {
                _ = await processor.deliver(upload, of: job.uuid, to: SimulatedResultSink(service: service, fault: .none))
            }
            return await crashWorker(job.worker, at: .duringResult)
        }
        var fault = SimulatedResultSink.Fault.none
        if faultsActive, resultRandom.chance(scenario.faults.resultError) {
            fault = .serverError
            faultCounts.resultErrors += 1
        } else if faultsActive, resultRandom.chance(scenario.faults.resultTimeout) {
            fault = .timeout
            faultCounts.resultTimeouts += 1
        }
        switch await processor.deliver(upload, of: job.uuid, to: SimulatedResultSink(service: service, fault: fault)) {
        case .accepted:
            job.phase = .acknowledge
            jobs[id] = job
            schedule(.job(id), after: scenario.cluster.network - scenario.cluster.network / 2)
        case .refused(let error):
            counters.refusedResults += 1
            await reportFailure(of: job.uuid, reason: "the API refused the result: \(error)", processor)
            await settle { try await job.consumer.reject(job.delivery, requeue: false) }
            finish(id)
        case .failed:
            let delay = job.backoff.next()
            jobs[id] = job
            schedule(.job(id), after: Self.ticks(delay))
        }
    }

    /// A virtual worker gives a task up as faafo-worker does: it tells a live controller.
    func reportFailure(of uuid: String, reason: String, _ processor: TaskProcessor) async {
        await processor.reportFailure(
            of: uuid, reason: reason, to: SimulatedResultSink(service: nextLiveController(), fault: .none))
    }

    static func ticks(_ duration: Duration) -> Tick {
        let (seconds, attoseconds) = duration.components
        return Tick(max(0, seconds)) * ticksPerSecond + Tick(max(0, attoseconds) / 1_000_000_000_000)
    }

    /// Renders for real. A task's first render may come from the cache (identical
    /// parameters give identical bytes); any later render of the same task is done
    /// afresh, so that the checker can compare the bytes of both.
    func render(_ prepared: TaskProcessor.PreparedTask) -> RenderedFractal? {
        let uuid = prepared.task.uuid
        let again = renderLog[uuid] != nil
        let rendered: RenderedFractal
        if !again, let cached = renderCache?[prepared.parameters] {
            counters.cacheHits += 1
            rendered = cached
        } else {
            guard let fresh = try? RenderJob.run(prepared.parameters, threads: 1) else { return nil }
            counters.renders += 1
            if !again { renderCache?[prepared.parameters] = fresh }
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
        workers[index].generation += 1
        workers[index].busy = 0
        workers[index].crashed = true
        jobs = jobs.filter { $0.value.worker != index }
        if let consumer = workers[index].consumer {
            workers[index].consumer = nil
            await consumer.close()
        }
        schedule(.restartWorker(index), after: scenario.faults.workerRestart)
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
