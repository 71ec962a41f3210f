import FaafoAPI
import FaafoController
import FaafoWire
@_spi(Testing) import FaafoWorker
@_spi(Testing) import FaafoWorkerLogic
import Foundation
import FractalCore
import FractalJob
import FractalStore
import Prometheus
import Testing
import WorkQueue

/// The worker's code path against a real controller and the in-memory queue: every task
/// ends stored with the checksums the render core gives for it, whatever happens in between.
@Suite struct InProcessWorkerTests {
    static func tasks(_ count: Int) -> [CreateFractal] {
        (0..<count).map { i in
            CreateFractal(
                fractal: FractalRequest(
                    width: 24 + i % 9, height: 16 + i % 5, iterations: 40 + i, xa: -2, xb: 2, ya: -1.5, yb: 1.5,
                    seed: UInt64(i)))
        }
    }

    /// What the render core says a stored fractal's checksums must be.
    static func expectedChecksums(_ object: FractalObject) throws -> (String, String) {
        let p = try object.fractal.validated()
        let rendered = try RenderJob.run(p, threads: 1)
        return (rendered.checksum, rendered.pixelChecksum)
    }

    static func waitUntilAllCompleted(_ service: FractalService, count: Int) async throws -> [FractalObject] {
        for _ in 0..<400 {
            let page = try await service.page(1, perPage: 1000)
            if page.objects.count == count && page.objects.allSatisfy({ $0.status == .completed }) { return page.objects }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("tasks still pending after 10 seconds")
        return try await service.page(1, perPage: 1000).objects
    }

    @Test func workersCompleteEveryTaskWithTheRightChecksums() async throws {
        let harness = APIHarness()
        for task in Self.tasks(30) { _ = try await harness.service.create(task) }
        let workers = (0..<2).map { index in
            FractalWorker(
                queue: harness.queue, sink: ServiceResultSink(service: harness.service),
                configuration: WorkerConfiguration(concurrency: 2, renderThreads: 1, name: "worker-\(index)"))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in workers { group.addTask { try await worker.run() } }
            let objects = try await Self.waitUntilAllCompleted(harness.service, count: 30)
            for object in objects {
                let (checksum, pixelChecksum) = try Self.expectedChecksums(object)
                #expect(object.checksum == checksum && object.pixelChecksum == pixelChecksum, "\(object.uuid)")
                #expect(object.attempts == 1, "stored once")
            }
            #expect(Set(objects.compactMap(\.generatedBy)).isSubset(of: ["worker-0", "worker-1"]))
            group.cancelAll()
        }
        #expect(harness.queue.deadLetterCount == 0)
    }

    /// A worker takes tasks and dies before acknowledging them: its consumer closes, the
    /// queue redelivers them, and another worker finishes them.
    @Test func tasksHeldByADeadWorkerAreFinishedByAnother() async throws {
        let harness = APIHarness()
        for task in Self.tasks(6) { _ = try await harness.service.create(task) }
        let doomed = try await harness.queue.makeConsumer(prefetch: 3)
        var held: [QueueDelivery] = []
        for _ in 0..<3 { held.append(try #require(try await doomed.next())) }
        await doomed.close()

        let worker = FractalWorker(
            queue: harness.queue, sink: ServiceResultSink(service: harness.service),
            configuration: WorkerConfiguration(concurrency: 1, renderThreads: 1, name: "survivor"))
        let running = Task { try await worker.run() }
        let objects = try await Self.waitUntilAllCompleted(harness.service, count: 6)
        running.cancel()
        #expect(objects.allSatisfy { $0.generatedBy == "survivor" && $0.attempts == 1 })
        #expect(held.allSatisfy { !$0.redelivered })
    }

    /// Not JSON, JSON that is no task, and a task outside the render contract all end in
    /// the dead-letter queue, and the worker goes on serving.
    @Test func poisonMessagesAreDeadLetteredAndTheWorkerGoesOn() async throws {
        let harness = APIHarness()
        try await harness.queue.publish(Data("not json".utf8), messageID: "poison-1")
        try await harness.queue.publish(Data(#"{"hello": "world"}"#.utf8), messageID: "poison-2")
        let invalid = TaskMessage(
            uuid: UUID().uuidString,
            fractal: FractalRequest(width: 1, height: 10, iterations: 10, xa: -1, xb: 1, ya: -1, yb: 1, seed: 1))
        try await harness.queue.publish(try JSONEncoder().encode(invalid), messageID: "poison-3")
        for task in Self.tasks(3) { _ = try await harness.service.create(task) }

        let registry = PrometheusCollectorRegistry()
        let worker = FractalWorker(
            queue: harness.queue, sink: ServiceResultSink(service: harness.service),
            configuration: WorkerConfiguration(concurrency: 1, renderThreads: 1, name: "w"),
            metrics: WorkerMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        let running = Task { try await worker.run() }
        _ = try await Self.waitUntilAllCompleted(harness.service, count: 3)
        running.cancel()
        let dead = try await harness.queue.drainDeadLetters(limit: 10)
        #expect(dead.compactMap(\.messageID).sorted() == ["poison-1", "poison-2", "poison-3"])

        // The worker's metrics (faafo-worker serves them at its metrics_port).
        let samples = try Samples(String(decoding: registry.emitToBuffer(), as: UTF8.self))
        #expect(samples[WorkerMetrics.Name.rendered] == 3)
        #expect(samples[WorkerMetrics.Name.accepted] == 3)
        #expect(samples[WorkerMetrics.Name.deadLettered] == 3)
        #expect(samples[WorkerMetrics.Name.retries] == 0 && samples[WorkerMetrics.Name.redelivered] == 0)
        #expect(samples.histogramCount(WorkerMetrics.Name.renderDuration) == 3)
        #expect(samples.histogramCount(WorkerMetrics.Name.uploadDuration) == 3)
    }

    /// A worker whose results never reach the API, stopped after a few attempts: the queue's
    /// counts once it has stopped. The task was created once.
    static func stopAWorkerWhoseResultsNeverGetThrough(defect: TaskPolicy.Defect? = nil) async throws
        -> InMemoryWorkQueue.Counts
    {
        let harness = APIHarness()
        _ = try await harness.service.create(Self.tasks(1)[0])
        let sink = UnreachableAPI()
        var configuration = WorkerConfiguration(
            concurrency: 1, renderThreads: 1, name: "w", retryInitialDelay: .milliseconds(5),
            retryMaximumDelay: .milliseconds(20))
        configuration.defect = defect
        let registry = PrometheusCollectorRegistry()
        let worker = FractalWorker(
            queue: harness.queue, sink: sink, configuration: configuration,
            metrics: WorkerMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        let running = Task { try await worker.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while sink.attempts.peek() < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        running.cancel()
        try await running.value
        #expect(sink.attempts.peek() >= 3)
        // Every failed delivery but the last (cut short by the stop) was retried.
        let samples = try Samples(String(decoding: registry.emitToBuffer(), as: UTF8.self))
        #expect(samples[WorkerMetrics.Name.retries].map { $0 >= Double(sink.attempts.peek() - 1) } == true)
        #expect(samples[WorkerMetrics.Name.accepted] == 0 && samples[WorkerMetrics.Name.deadLettered] == 0)
        return harness.queue.counts
    }

    /// The worker acknowledges a task only once the API accepted its result: while the API
    /// cannot take it, the task stays unacknowledged, and a worker that stops meanwhile
    /// leaves it for the queue to deliver again.
    @Test func aTaskWhoseResultWasNeverStoredGoesBackToTheQueue() async throws {
        let counts = try await Self.stopAWorkerWhoseResultsNeverGetThrough()
        #expect(counts == .init(ready: 1, unacknowledged: 0, deadLetters: 0, consumers: 0))
    }

    /// The check above catches a worker that acknowledges before delivering: the real step
    /// machine with its test-only defect switched on loses the task.
    @Test func theSameCheckCatchesAWorkerThatAcknowledgesBeforeDelivering() async throws {
        let counts = try await Self.stopAWorkerWhoseResultsNeverGetThrough(defect: .acknowledgeBeforeDelivering)
        #expect(counts.ready == 0, "the defect did not lose the task: \(counts)")
    }

    /// An original faafo message carries neither c nor a seed: the seed is the uuid's
    /// first 8 bytes, big-endian.
    @Test func aMessageWithoutCOrSeedTakesItsSeedFromTheUUID() throws {
        let message = TaskMessage(
            uuid: "01234567-89ab-cdef-0000-000000000000",
            fractal: FractalRequest(width: 8, height: 8, iterations: 50, xa: -2, xb: 2, ya: -1.5, yb: 1.5))
        #expect(TaskMessage.seedFromUUID(message.uuid) == 0x0123_4567_89ab_cdef)
    }
}

/// An API that never takes a result: every PUT fails as a 503 would.
final class UnreachableAPI: ResultSink {
    let attempts = Counter()

    func submit(_ uuid: String, _ upload: ResultUpload) async throws {
        _ = attempts.next()
        throw SubmitError(isPermanent: false, "503 Service Unavailable (the API is down)")
    }

    func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws {
        throw SubmitError(isPermanent: false, "503 Service Unavailable (the API is down)")
    }
}
