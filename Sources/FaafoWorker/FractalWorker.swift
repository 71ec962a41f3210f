import Dispatch
import FaafoWire
import Foundation
import FractalCore
import FractalJob
import Logging
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
    let logger: Logger

    public init(
        queue: any WorkQueue, sink: any ResultSink, configuration: WorkerConfiguration = WorkerConfiguration(),
        logger: Logger = Logger(label: "faafo.worker")
    ) {
        self.queue = queue
        self.sink = sink
        self.configuration = configuration
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

    /// The decode, check, upload and deliver steps, shared with the simulator.
    var processor: TaskProcessor { TaskProcessor(name: configuration.name, limits: configuration.limits) }

    /// Processes one delivery to the end: acknowledged, dead-lettered, or (if the worker
    /// is stopping) left for the queue to deliver again.
    public func handle(_ delivery: QueueDelivery, from consumer: any WorkQueueConsumer) async {
        let processor = self.processor
        let prepared: TaskProcessor.PreparedTask
        do {
            prepared = try processor.prepare(delivery.body)
        } catch {
            logger.error("dead-lettering a task that can never succeed (\(error.reason)): \(preview(delivery.body))")
            if let uuid = error.uuid { await reportFailure(of: uuid, reason: error.reason, processor) }
            await settle { try await consumer.reject(delivery, requeue: false) }
            return
        }
        let task = prepared.task

        logger.debug("rendering \(task.uuid)\(delivery.redelivered ? " (redelivered)" : "")")
        let rendered: RenderedFractal
        do {
            rendered = try await render(prepared.parameters)
        } catch {
            logger.error("cannot render \(task.uuid): \(error); dead-lettering it")
            await reportFailure(of: task.uuid, reason: "cannot render: \(error)", processor)
            await settle { try await consumer.reject(delivery, requeue: false) }
            return
        }
        let upload = processor.upload(for: rendered)

        var backoff = RetryBackoff(initial: configuration.retryInitialDelay, maximum: configuration.retryMaximumDelay)
        while true {
            let delay = backoff.next()
            switch await processor.deliver(upload, of: task.uuid, to: sink) {
            case .accepted:
                await settle { try await consumer.ack(delivery) }
                logger.info("\(task.uuid) done in \(String(format: "%.6f", rendered.duration)) seconds")
                return
            case .refused(let error):
                logger.error("the API refused the result of \(task.uuid): \(error); dead-lettering it")
                await reportFailure(of: task.uuid, reason: "the API refused the result: \(error)", processor)
                await settle { try await consumer.reject(delivery, requeue: false) }
                return
            case .failed(let error):
                logger.warning("cannot deliver the result of \(task.uuid) (\(error)); retrying in \(delay)")
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                logger.info("stopping with \(task.uuid) unacknowledged; the queue will deliver it again")
                return
            }
        }
    }

    /// Reports a task given up to the API (best effort), and logs when the API did not
    /// take the report (unreachable, or the fractal is gone or completed meanwhile).
    func reportFailure(of uuid: String, reason: String, _ processor: TaskProcessor) async {
        if await !processor.reportFailure(of: uuid, reason: reason, to: sink) {
            logger.warning("the API did not record the failure of \(uuid)")
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

    func preview(_ body: Data) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return body.count > 200 ? text + "…" : text
    }
}
