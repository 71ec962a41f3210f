import Dispatch
import FaafoWire
import FaafoWorkerLogic
import Foundation
import FractalCore
import FractalJob
import Logging
import Metrics
import ServiceLifecycle
import WorkQueue

/// The worker service: takes tasks from the work queue, renders them, delivers each
/// result through a `ResultSink`, and acknowledges a task only once its result was
/// accepted. A task that can never succeed goes to the dead-letter queue; a transient
/// failure is retried with backoff, and a worker that stops first leaves the task
/// unacknowledged so that the queue delivers it again.
public final class FractalWorker: Service, Sendable {
    let queue: any WorkQueue
    let sink: any ResultSink
    public let configuration: WorkerConfiguration
    let metrics: WorkerMetrics
    let logger: Logger

    /// `metrics` records into `MetricsSystem`'s factory unless given one.
    public init(
        queue: any WorkQueue, sink: any ResultSink, configuration: WorkerConfiguration = WorkerConfiguration(),
        metrics: WorkerMetrics = WorkerMetrics(), logger: Logger = Logger(label: "faafo.worker")
    ) {
        self.queue = queue
        self.sink = sink
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Consumes until graceful shutdown (or cancellation), with `concurrency` tasks at once.
    public func run() async throws {
        let consumer = try await queue.makeConsumer(prefetch: configuration.concurrency)
        logger.info(
            "\(configuration.name) consuming with \(configuration.concurrency) task(s) at once, \(configuration.renderThreads) render thread(s) each"
        )
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<configuration.concurrency {
                    group.addTask { await self.serve(consumer) }
                }
            }
        } onGracefulShutdown: {
            Task { await consumer.close() }
        }
        await consumer.close()
    }

    func serve(_ consumer: any WorkQueueConsumer) async {
        while !Task.isCancelled {
            let delivery: QueueDelivery?
            do {
                delivery = try await consumer.next()
            } catch {
                if Task.isCancelled { return }
                logger.warning("cannot take a task: \(error)")
                try? await Task.sleep(for: configuration.retryInitialDelay)
                continue
            }
            guard let delivery else { return }
            await handle(delivery, from: consumer)
        }
    }

    /// Processes one delivery to the end: acknowledged, dead-lettered, or (if the worker
    /// is stopping) left for the queue to deliver again. The decisions are `TaskSteps`',
    /// the same the simulator's virtual workers take; this only carries out its actions.
    public func handle(_ delivery: QueueDelivery, from consumer: any WorkQueueConsumer) async {
        var steps = TaskSteps(body: delivery.body, redelivered: delivery.redelivered, policy: configuration.policy)
        if delivery.redelivered { metrics.redelivered.increment() }
        var step = steps.start()
        while true {
            if let note = step.note { logger.log(level: note.level.loggerLevel, "\(note.message)") }
            let outcome: TaskSteps.Outcome
            switch step.action {
            case .render(_, let parameters):
                do {
                    let rendered = TaskSteps.Rendered(try await render(parameters))
                    metrics.rendered.increment()
                    metrics.renderDuration.record(rendered.duration)
                    outcome = .rendered(rendered)
                } catch {
                    outcome = .renderFailed("\(error)")
                }
            case .deliver(let uuid, let upload):
                let start = ContinuousClock.now
                outcome = await sink.deliver(upload, of: uuid)
                let elapsed = start.duration(to: .now).components
                metrics.uploadDuration.record(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
                switch outcome {
                case .accepted: metrics.accepted.increment()
                case .unauthorized: metrics.unauthorized.increment()
                default: break
                }
            case .wait(let delay):
                metrics.retries.increment()
                do {
                    // A worker told to stop does not wait to try again: it leaves the task
                    // unacknowledged, for the queue to deliver anew (to it or another).
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                    outcome = .waited
                } catch {
                    outcome = .stopping
                }
            case .reportFailure(let uuid, let failure):
                outcome = await sink.report(failure, of: uuid)
            case .acknowledge:
                await settle { try await consumer.ack(delivery) }
                outcome = .settled
            case .reject:
                metrics.deadLettered.increment()
                await settle { try await consumer.reject(delivery, requeue: false) }
                outcome = .settled
            case .finish:
                return
            }
            step = steps.next(after: outcome)
        }
    }

    /// Renders on a Dispatch thread: the render blocks its thread for its whole length,
    /// which must not be one of Swift concurrency's few cooperative threads.
    func render(_ parameters: FractalParameters) async throws -> RenderedFractal {
        let threads = configuration.renderThreads
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try RenderJob.run(parameters, threads: threads) })
            }
        }
    }

    /// Acknowledges or rejects; a failure here only means the queue will deliver the
    /// task again (its connection was replaced), which the API's idempotent results absorb.
    func settle(_ operation: () async throws -> Void) async {
        do {
            try await operation()
        } catch {
            logger.warning("cannot settle a delivery (\(error)); the queue will deliver it again")
        }
    }
}

extension TaskSteps.Note.Level {
    var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }
}
