import AMQPWorkQueue
import FaafoAPI
import FaafoCluster
import FaafoController
import FaafoWire
import Foundation
import FractalStore
import Hummingbird
import HummingbirdTesting
import Prometheus
import SQLiteFractalStore
import FaafoTestKit
import HostLab
import Testing
import WorkQueue

/// `/healthz`, `/readyz` and `/metrics` over real stores and a real broker.
@Suite struct OperationsRoutesTests {
    /// Long enough that a store on a loaded CI machine still answers in time: these tests
    /// are about what `/readyz` checks, not how fast the store is.
    static let readinessTimeout: Duration = .seconds(60)

    @Test func healthzAnswersOK() async throws {
        try await APIHarness().test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(try decode([String: String].self, response) == ["status": "ok"])
        }
    }

    @Test func readyzAnswersOKOverMemory() async throws {
        try await APIHarness().test { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .ok)
            #expect(try decode([String: String].self, response) == ["status": "ok"])
        }
    }

    @Test func readyzAnswersOKOverSQLite() async throws {
        try await withScratchDatabase { path in
            let service = FractalService(store: try SQLiteFractalStore(.file(path: path)), queue: InMemoryWorkQueue())
            try await Application(router: buildRouter(service: service, readinessTimeout: Self.readinessTimeout)).test(.router) { client in
                let response = try await client.execute(uri: "/readyz", method: .get)
                #expect(response.status == .ok)
            }
        }
    }

    @Test func readyzNamesAShutQueue() async throws {
        let harness = APIHarness()
        await harness.queue.shutdown()
        try await harness.test { client in
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(try message(response) == "not ready: the work queue is not connected")
        }
    }

    /// While its virtual host is gone the publisher cannot reconnect, so the API is not
    /// ready; once the host is back it reconnects and is ready again. Only this test's own
    /// virtual host is touched: the shared broker keeps running.
    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func readyzFollowsTheAMQPConnection() async throws {
        let broker = RabbitMQ()
        let virtualHost = "faafo-readyz-\(UUID().uuidString.prefix(8).lowercased())"
        let url = try await broker.makeVirtualHost(virtualHost)
        let options = AMQPWorkQueue.Options(
            connectTimeout: .seconds(5), reconnectDelay: .milliseconds(100),
            maximumReconnectDelay: .milliseconds(500), connectionName: virtualHost)
        let queue: AMQPWorkQueue
        do {
            queue = try await AMQPWorkQueue(url: url, options: options)
        } catch {
            await broker.deleteVirtualHost(virtualHost)
            throw error
        }
        let service = FractalService(store: MemoryFractalStore(), queue: queue)
        var failure: (any Error)?
        do {
            try await Application(router: buildRouter(service: service, readinessTimeout: Self.readinessTimeout)).test(.router) { client in
                func readiness(becomes status: HTTPResponse.Status, within limit: Duration) async throws -> TestResponse {
                    try await Self.readiness(of: client, becomes: status, within: limit)
                }
                #expect(try await readiness(becomes: .ok, within: .seconds(20)).status == .ok)
                await broker.deleteVirtualHost(virtualHost)
                let down = try await readiness(becomes: .serviceUnavailable, within: .seconds(10))
                #expect(down.status == .serviceUnavailable)
                #expect(try message(down) == "not ready: the work queue is not connected")
                _ = try await broker.makeVirtualHost(virtualHost)
                #expect(try await readiness(becomes: .ok, within: .seconds(15)).status == .ok)
            }
        } catch {
            failure = error
        }
        await queue.shutdown()
        await broker.deleteVirtualHost(virtualHost)
        if let failure { throw failure }
    }

    /// The status `/readyz` settles on within `limit`, polled every 100 ms.
    static func readiness(
        of client: some TestClientProtocol, becomes status: HTTPResponse.Status, within limit: Duration
    ) async throws -> TestResponse {
        let deadline = ContinuousClock.now + limit
        while true {
            let response = try await client.execute(uri: "/readyz", method: .get)
            if response.status == status || ContinuousClock.now >= deadline { return response }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The broker itself stopped (`rabbitmqctl stop_app` on a node of the test's own, not
    /// the shared one): the API is not ready until it is started again, and then it is.
    @Test(.tags(.ownBrokerNodes), .needs(.ownBrokerNodes)) func readyzIsUnreadyWhileTheBrokerIsStopped() async throws {
        try await TestRabbitMQ.with(nodes: 1) { rabbit in
            let options = AMQPWorkQueue.Options(
                connectTimeout: .seconds(5), reconnectDelay: .milliseconds(100), maximumReconnectDelay: .milliseconds(500))
            let queue = try await AMQPWorkQueue(url: rabbit.url(), options: options)
            let service = FractalService(store: MemoryFractalStore(), queue: queue)
            var failure: (any Error)?
            do {
                try await Application(router: buildRouter(service: service, readinessTimeout: Self.readinessTimeout))
                    .test(.router) { client in
                        #expect(try await Self.readiness(of: client, becomes: .ok, within: .seconds(20)).status == .ok)
                        _ = try await rabbit.rabbitmqctl(0, ["stop_app"])
                        let down = try await Self.readiness(of: client, becomes: .serviceUnavailable, within: .seconds(15))
                        #expect(down.status == .serviceUnavailable)
                        #expect(try message(down) == "not ready: the work queue is not connected")
                        _ = try await rabbit.rabbitmqctl(0, ["start_app"])
                        #expect(try await Self.readiness(of: client, becomes: .ok, within: .seconds(30)).status == .ok)
                    }
            } catch {
                failure = error
            }
            await queue.shutdown()
            if let failure { throw failure }
        }
    }

    /// Every counter moves by exactly what the requests did, and each histogram counts
    /// every call, refused ones included.
    @Test func metricsCountWhatTheRoutesDid() async throws {
        let harness = APIHarness()
        try await harness.test { client in
            let before = try await Samples.scrape(client)
            for name in Samples.counters { #expect(before[name] == 0, "\(name) starts at 0") }
            #expect(before.types[FractalMetrics.Name.createDuration] == "histogram")
            #expect(before.types[FractalMetrics.Name.resultDuration] == "histogram")
            #expect(before.types[FractalMetrics.Name.outboxDepth] == "gauge")

            func create(seed: UInt64) async throws -> FractalObject {
                var task = smallTask
                task.fractal.seed = seed
                let response = try await client.execute(uri: "/v1/fractal", method: .post, body: try json(task))
                #expect(response.status == .created)
                return try decode(FractalObject.self, response)
            }
            func put(_ upload: ResultUpload, to uuid: String) async throws -> HTTPResponse.Status {
                try await client.execute(uri: "/v1/fractal/\(uuid)", method: .put, body: try json(upload)).status
            }
            let first = try await create(seed: 1)
            let second = try await create(seed: 2)
            let third = try await create(seed: 3)
            let other = try await create(seed: 4)
            var outOfRange = smallTask
            outOfRange.fractal.width = 0
            #expect(try await client.execute(uri: "/v1/fractal", method: .post, body: try json(outOfRange)).status == .badRequest)

            let firstResult = try upload(for: first)
            #expect(try await put(firstResult, to: first.uuid) == .ok)
            #expect(try await put(try upload(for: second), to: second.uuid) == .ok)
            // The same result again changes nothing and counts no completion.
            #expect(try await put(firstResult, to: first.uuid) == .ok)
            // A checksum that is not the image's is refused as corrupt (422).
            var badChecksum = try upload(for: third)
            badChecksum.checksum = String(repeating: "0", count: 64)
            #expect(try await put(badChecksum, to: third.uuid) == .unprocessableContent)
            // Another fractal's image, a valid PNG of the same size: a determinism violation.
            #expect(try await put(try upload(for: other), to: first.uuid) == .conflict)
            let failure = TaskFailure(reason: "render failed", generatedBy: "test-worker")
            let failed = try await client.execute(uri: "/v1/fractal/\(third.uuid)/failure", method: .put, body: try json(failure))
            #expect(failed.status == .ok)
            // Failing it again keeps its first failure and counts nothing.
            _ = try await client.execute(uri: "/v1/fractal/\(third.uuid)/failure", method: .put, body: try json(failure))

            let after = try await Samples.scrape(client)
            #expect(after[FractalMetrics.Name.created] == 4)
            #expect(after[FractalMetrics.Name.completed] == 2)
            #expect(after[FractalMetrics.Name.failed] == 1)
            #expect(after[FractalMetrics.Name.resultsRefused] == 1)
            #expect(after[FractalMetrics.Name.determinismViolations] == 1)
            #expect(after.histogramCount(FractalMetrics.Name.createDuration) == 5)
            #expect(after.histogramCount(FractalMetrics.Name.resultDuration) == 5)
        }
    }

    /// The gauge counts the stored tasks the queue never confirmed, as of the last outbox pass.
    @Test(arguments: ["memory", "sqlite"])
    func outboxDepthIsRefreshedByTheOutboxPass(_ backend: String) async throws {
        try await withScratchDatabase { path in
            let store: any FractalStore =
                backend == "sqlite" ? try SQLiteFractalStore(.file(path: path)) : MemoryFractalStore()
            try await expectOutboxDepth(over: store)
        }
    }

    func expectOutboxDepth(over store: any FractalStore) async throws {
        let queue = InMemoryWorkQueue()
        let registry = PrometheusCollectorRegistry()
        let service = FractalService(
            store: store, queue: queue, metrics: FractalMetrics(factory: PrometheusMetricsFactory(registry: registry)))
        // A queue that takes nothing: every task stays in the outbox.
        await queue.shutdown()
        for seed in 1...3 {
            var task = smallTask
            task.fractal.seed = UInt64(seed)
            _ = try await service.create(task)
        }
        try await Application(router: buildRouter(service: service, metrics: registry, readinessTimeout: Self.readinessTimeout)).test(.router) { client in
            let before = try await Samples.scrape(client)
            #expect(before[FractalMetrics.Name.outboxDepth] == 0, "not counted before a pass")
            await service.publishOutbox(createdBefore: Date().addingTimeInterval(60))
            let after = try await Samples.scrape(client)
            #expect(after[FractalMetrics.Name.outboxDepth] == 3)
        }
    }
}

/// Runs `body` with the path of a database file in a new temporary folder, then removes the folder.
func withScratchDatabase(_ body: (String) async throws -> Void) async throws {
    try await withScratchDirectory { folder in try await body(folder.appendingPathComponent("faafo.db").path) }
}

/// The samples of a Prometheus text exposition, as a scraper reads them.
struct Samples {
    static let counters = [
        FractalMetrics.Name.created, FractalMetrics.Name.completed, FractalMetrics.Name.failed,
        FractalMetrics.Name.resultsRefused, FractalMetrics.Name.determinismViolations,
    ]

    /// Each series (its name and labels as written, `name{le="+Inf"}`) to its value.
    var values: [String: Double] = [:]
    /// Each metric's `# TYPE`.
    var types: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let words = line.split(separator: " ")
                try #require(words.count == 4, "a TYPE line has a name and a type: \(line)")
                types[String(words[2])] = String(words[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            let space = try #require(line.lastIndex(of: " "), "a sample has a value: \(line)")
            let series = String(line[..<space])
            #expect(values[series] == nil, "\(series) appears once")
            // Bound first: assigned straight into the dictionary, #require would check a Double??.
            let value = try #require(Double(line[line.index(after: space)...]), "a sample's value is a number: \(line)")
            values[series] = value
        }
    }

    subscript(series: String) -> Double? { values[series] }

    /// A histogram's `_count`, which must equal its `+Inf` bucket.
    func histogramCount(_ name: String) -> Double? {
        #expect(values["\(name)_bucket{le=\"+Inf\"}"] == values["\(name)_count"], "\(name)'s +Inf bucket is its count")
        return values["\(name)_count"]
    }

    static func scrape(_ client: some TestClientProtocol) async throws -> Samples {
        let response = try await client.execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        return try Samples(String(buffer: response.body))
    }
}
