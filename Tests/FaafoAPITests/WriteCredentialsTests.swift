import FaafoAPI
import FaafoClient
import FaafoController
import FaafoWire
import FaafoWorker
import FaafoWorkerLogic
import Foundation
import FractalCore
import Hummingbird
import HummingbirdTesting
import Testing

/// The tokens of `worker_token`, `operator_token` and `create_token`: each write without
/// its token (or with a wrong one) answers 401 and changes nothing; reads stay open.
@Suite struct WriteCredentialsTests {
    static let credentials = WriteCredentials(worker: "worker-secret", operator: "operator-secret", create: "create-secret")

    static func bearer(_ token: String?) -> HTTPFields {
        guard let token else { return [:] }
        return [.authorization: "Bearer " + token]
    }

    /// A 401 that says which option is needed, asks for a bearer token, and shows no token.
    static func expectRefused(_ response: TestResponse, naming option: String, _ label: String) throws {
        #expect(response.status == .unauthorized, "\(label)")
        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true, "\(label)")
        #expect(response.headers[.contentType] == "application/json", "\(label)")
        let text = try message(response)
        #expect(text.contains(option), "\(label): \(text)")
        #expect(!text.contains("secret") && !text.contains("wrong-token"), "\(label): \(text)")
    }

    static func created(_ harness: APIHarness, _ task: CreateFractal = smallTask) async throws -> FractalObject {
        guard case .created(let object) = try await harness.service.create(task) else {
            throw Unexpected("the fractal existed already")
        }
        return object
    }

    struct Unexpected: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    @Test func createNeedsTheCreateOrOperatorToken() async throws {
        let harness = APIHarness()
        try await harness.test(credentials: Self.credentials) { client in
            for token in [nil, "wrong-token", "worker-secret"] {
                let response = try await client.execute(
                    uri: "/v1/fractal", method: .post, headers: Self.bearer(token), body: try json(smallTask))
                try Self.expectRefused(response, naming: "create_token", "create with \(token ?? "none")")
            }
            #expect(try await harness.service.page(1, perPage: 100).objects.isEmpty, "nothing stored")
            #expect(harness.queue.readyCount == 0, "nothing queued")
            for token in ["create-secret", "operator-secret"] {
                let response = try await client.execute(
                    uri: "/v1/fractal", method: .post, headers: Self.bearer(token), body: try json(smallTask))
                #expect(response.status == .created, "create with \(token)")
            }
            #expect(try await harness.service.page(1, perPage: 100).objects.count == 2)
            // A browser's form cannot carry a token: the gallery does not create either.
            let form = try await client.execute(
                uri: "/fractals", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "count=1&width=64&height=48&iterations=100"))
            #expect(form.status == .forbidden)
            #expect(try await harness.service.page(1, perPage: 100).objects.count == 2)
            // Reads stay open.
            for uri in ["/v1/fractal", "/healthz", "/openapi.json", "/"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .ok, "\(uri)")
            }
        }
    }

    @Test func resultsAndFailuresNeedTheWorkerOrOperatorToken() async throws {
        let harness = APIHarness()
        let first = try await Self.created(harness)
        let second = try await Self.created(harness)
        let third = try await Self.created(harness)
        let result = try upload(for: first)
        let failure = TaskFailure(reason: "cannot render", generatedBy: "worker-1")
        try await harness.test(credentials: Self.credentials) { client in
            for token in [nil, "wrong-token", "create-secret"] {
                let put = try await client.execute(
                    uri: "/v1/fractal/\(first.uuid)", method: .put, headers: Self.bearer(token), body: try json(result))
                try Self.expectRefused(put, naming: "worker_token", "result with \(token ?? "none")")
                let report = try await client.execute(
                    uri: "/v1/fractal/\(second.uuid)/failure", method: .put, headers: Self.bearer(token),
                    body: try json(failure))
                try Self.expectRefused(report, naming: "worker_token", "failure with \(token ?? "none")")
            }
            for object in [first, second] {
                let stored = try await harness.service.fractal(object.uuid)
                #expect(stored.status == .pending && stored.attempts == 0 && stored.failure == nil, "unchanged")
            }

            let put = try await client.execute(
                uri: "/v1/fractal/\(first.uuid)", method: .put, headers: Self.bearer("worker-secret"), body: try json(result))
            #expect(try put.status == .ok && decode(FractalObject.self, put).status == .completed)
            let report = try await client.execute(
                uri: "/v1/fractal/\(second.uuid)/failure", method: .put, headers: Self.bearer("operator-secret"),
                body: try json(failure))
            #expect(try report.status == .ok && decode(FractalObject.self, report).status == .failed)
            let byOperator = try await client.execute(
                uri: "/v1/fractal/\(third.uuid)", method: .put, headers: Self.bearer("operator-secret"),
                body: try json(try upload(for: third)))
            #expect(byOperator.status == .ok)
        }
    }

    @Test func deleteNeedsTheOperatorTokenAndNotTheWorkers() async throws {
        let harness = APIHarness()
        let object = try await Self.created(harness)
        try await harness.test(credentials: Self.credentials) { client in
            for token in [nil, "wrong-token", "worker-secret", "create-secret", "bearer operator-secret"] {
                let response = try await client.execute(
                    uri: "/v1/fractal/\(object.uuid)", method: .delete, headers: Self.bearer(token))
                try Self.expectRefused(response, naming: "operator_token", "delete with \(token ?? "none")")
            }
            // Only the scheme's name is case-insensitive; a different scheme is no token.
            let basic = try await client.execute(
                uri: "/v1/fractal/\(object.uuid)", method: .delete, headers: [.authorization: "Basic operator-secret"])
            try Self.expectRefused(basic, naming: "operator_token", "Basic")
            #expect(try await harness.service.fractal(object.uuid).uuid == object.uuid, "still stored")

            let deleted = try await client.execute(
                uri: "/v1/fractal/\(object.uuid)", method: .delete, headers: [.authorization: "bearer operator-secret"])
            #expect(deleted.status == .noContent)
            #expect(try await client.execute(uri: "/v1/fractal/\(object.uuid)", method: .get).status == .notFound)
        }
    }

    /// Only the routes whose token is set are guarded: a worker_token alone leaves DELETE
    /// and POST open, and no tokens at all is the original's open API.
    @Test func aRouteWhoseTokenIsUnsetStaysOpen() async throws {
        let harness = APIHarness()
        try await harness.test(credentials: WriteCredentials(worker: "worker-secret")) { client in
            let created = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(smallTask))
            #expect(created.status == .created)
            let object = try decode(FractalObject.self, created)
            let put = try await client.execute(
                uri: "/v1/fractal/\(object.uuid)", method: .put, body: try json(try upload(for: object)))
            try Self.expectRefused(put, naming: "worker_token", "result without token")
            #expect(try await client.execute(uri: "/v1/fractal/\(object.uuid)", method: .delete).status == .noContent)
        }
    }

    // MARK: faafo-worker's HTTP path

    /// Records what each delivery came to, around the real HTTP sink.
    final class RecordingSink: ResultSink, @unchecked Sendable {
        let sink: HTTPResultSink
        private let lock = NSLock()
        private var errors: [SubmitError] = []

        init(_ sink: HTTPResultSink) { self.sink = sink }

        var refusals: [SubmitError] { lock.withLock { errors } }

        func submit(_ uuid: String, _ upload: ResultUpload) async throws {
            do {
                try await sink.submit(uuid, upload)
            } catch let error as SubmitError {
                lock.withLock { errors.append(error) }
                throw error
            }
        }

        func reportFailure(_ uuid: String, _ failure: TaskFailure) async throws {
            try await sink.reportFailure(uuid, failure)
        }
    }

    /// Runs a real FractalWorker whose results go over HTTP to a live API that asks
    /// worker_token, with the client's credentials `token`.
    static func withWorker(
        token: String, _ body: @escaping @Sendable (APIHarness, FractalObject, RecordingSink) async throws -> Void
    ) async throws {
        let harness = APIHarness()
        let object = try await created(harness)
        try await harness.test(.live, credentials: credentials) { client in
            let port = try #require(client.port)
            let api = try FaafoAPIClient(
                endpointURL: "http://127.0.0.1:\(port)", credentials: .init(worker: token))
            let sink = RecordingSink(HTTPResultSink(client: api))
            let worker = FractalWorker(
                queue: harness.queue, sink: sink,
                configuration: WorkerConfiguration(concurrency: 1, renderThreads: 1, name: "http-worker"))
            let running = Task { try await worker.run() }
            do {
                try await body(harness, object, sink)
            } catch {
                running.cancel()
                try? await api.shutdown()
                throw error
            }
            running.cancel()
            _ = await running.result
            try await api.shutdown()
        }
    }

    @Test func aWorkerWithTheRightTokenCompletesItsTasks() async throws {
        try await Self.withWorker(token: "worker-secret") { harness, object, sink in
            let done = try await InProcessWorkerTests.waitUntilAllCompleted(harness.service, count: 1)
            #expect(done.first?.uuid == object.uuid && done.first?.generatedBy == "http-worker")
            #expect(sink.refusals.isEmpty)
        }
    }

    /// A refused credential is not the task's fault: the fractal stays pending (neither
    /// failed nor dead-lettered), and the task stays unacknowledged for a redelivery.
    @Test func aWorkerWithAWrongTokenLeavesTheTaskPendingAndUnacknowledged() async throws {
        try await Self.withWorker(token: "wrong-token") { harness, object, sink in
            for _ in 0..<400 where sink.refusals.isEmpty { try await Task.sleep(for: .milliseconds(25)) }
            let refusal = try #require(sink.refusals.first)
            #expect(refusal.isUnauthorized && refusal.message.hasPrefix("401"), "\(refusal)")
            try await Task.sleep(for: .milliseconds(300))
            #expect(sink.refusals.count == 1, "not retried while the worker runs")
            let stored = try await harness.service.fractal(object.uuid)
            #expect(stored.status == .pending && stored.attempts == 0 && stored.failure == nil)
            #expect(harness.queue.deadLetterCount == 0 && harness.queue.unackedCount == 1)
        }
    }
}
