import FaafoAPI
import FaafoController
import FaafoWire
import FaafoWorker
import Foundation
import FractalCore
import HummingbirdTesting
import Testing

/// `PUT /v1/fractal/<uuid>/failure`: a worker gave a task up, and the fractal shows it.
@Suite struct FailureReportTests {
    static let failure = TaskFailure(reason: "outside this worker's work budget", generatedBy: "worker-7")

    @Test func aPendingFractalBecomesFailedWithItsReason() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self,
                try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            let response = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)/failure", method: .put, body: try json(Self.failure))
            #expect(response.status == .ok)
            let failed = try decode(FractalObject.self, response)
            #expect(failed.status == .failed)
            #expect(failed.failure == "outside this worker's work budget")
            #expect(failed.generatedBy == "worker-7")
            #expect(failed.url == nil && failed.checksum == nil)

            let shown = try decode(FractalObject.self, try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .get))
            #expect(shown == failed)
            // The same report again changes nothing; a valid result still completes it.
            let again = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)/failure", method: .put,
                body: try json(TaskFailure(reason: "another", generatedBy: "worker-8")))
            #expect(try decode(FractalObject.self, again).failure == "outside this worker's work budget")
            let result = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(try upload(for: created)))
            #expect(result.status == .ok)
            let completed = try decode(FractalObject.self, result)
            #expect(completed.status == .completed && completed.failure == nil)
        }
    }

    @Test func aCompletedFractalRefusesAFailureAndBadReportsAreNamed() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let created = try decode(
                FractalObject.self,
                try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask)))
            _ = try await client.execute(uri: "/v1/fractal/\(created.uuid)", method: .put, body: try json(try upload(for: created)))
            let late = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)/failure", method: .put, body: try json(Self.failure))
            #expect(late.status == .conflict)
            #expect(try message(late).contains("its result stands"))

            let unknown = try await client.execute(
                uri: "/v1/fractal/9b1d1f5c-6a53-4a0e-9a6e-6f1f7f0b1c2d/failure", method: .put, body: try json(Self.failure))
            #expect(unknown.status == .notFound)
            let blank = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)/failure", method: .put, body: json(#"{"reason": "  ", "generated_by": "w"}"#))
            #expect(blank.status == .badRequest)
            #expect(try message(blank).contains("reason must be 1 to 2000 characters"))
            let missing = try await client.execute(
                uri: "/v1/fractal/\(created.uuid)/failure", method: .put, body: json(#"{"reason": "x"}"#))
            #expect(missing.status == .badRequest)
            #expect(try message(missing).contains("generated_by"))
        }
    }

    /// A worker whose limits refuse a task the API accepted dead-letters it and reports
    /// it failed, so it does not stay pending for ever; the worker goes on serving.
    @Test func aWorkerReportsATaskItGivesUp() async throws {
        let harness = APIHarness()
        var big = smallTask
        big.fractal.width = 2000
        big.fractal.height = 2000
        big.fractal.iterations = 1000
        let refused = try await harness.service.create(big).object
        let fine = try await harness.service.create(smallTask).object

        let worker = FractalWorker(
            queue: harness.queue, sink: ServiceResultSink(service: harness.service),
            configuration: WorkerConfiguration(
                concurrency: 1, renderThreads: 1, name: "small-worker", limits: RenderLimits(workBudget: 1 << 24)))
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        let deadline = ContinuousClock.now + .seconds(30)
        var failed = try await harness.service.fractal(refused.uuid)
        var completed = try await harness.service.fractal(fine.uuid)
        while (failed.status == .pending || completed.status == .pending) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            failed = try await harness.service.fractal(refused.uuid)
            completed = try await harness.service.fractal(fine.uuid)
        }
        #expect(failed.status == .failed)
        #expect(failed.generatedBy == "small-worker")
        #expect(failed.failure?.contains("work budget") == true, "\(failed.failure ?? "nil")")
        #expect(completed.status == .completed)
        #expect(try await harness.queue.drainDeadLetters(limit: 10).map(\.messageID) == [refused.uuid])
    }
}
