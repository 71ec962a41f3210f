import FaafoAPI
import FaafoClient
import FaafoCluster
import FaafoConfig
import FaafoTestKit
import FaafoWire
import FaafoWorker
import Foundation
import FractalCore
import FractalJob
import Logging
import ServiceLifecycle
import Testing

/// faafo-api and faafo-worker as their executables build them (`APIProcess`,
/// `WorkerProcess`), from a configuration: they serve, complete tasks, and close their
/// store, queue and client when their group stops.
@Suite struct ProcessBuilderTests {
    static let logger = Logger(label: "builder-test")

    static func configuration(_ options: [String: String]) throws -> FaafoConfiguration {
        try FaafoConfiguration.load(cliOverrides: options, environment: [:], defaultConfigFilePath: nil)
    }

    /// Tasks small enough to render at once, with c from their seeds.
    static func tasks(_ count: Int) -> [CreateFractal] {
        (0..<count).map { index in
            CreateFractal(
                fractal: FractalRequest(
                    width: 20 + index, height: 16, iterations: 32, xa: -2, xb: 2, ya: -1.5, yb: 1.5,
                    seed: UInt64(index + 1)))
        }
    }

    /// Creates `tasks` through `endpoint` and waits (at most 20 s) until each is completed;
    /// returns them as stored.
    static func complete(_ tasks: [CreateFractal], through endpoint: String) async throws -> [FractalObject] {
        let client = try FaafoAPIClient(endpointURL: endpoint)
        let outcome = await Result {
            var uuids: [String] = []
            for task in tasks { uuids.append(try await client.create(task).uuid) }
            for _ in 0..<200 {
                var objects: [FractalObject] = []
                for uuid in uuids { objects.append(try await client.get(uuid)) }
                if objects.allSatisfy({ $0.status == .completed }) { return objects }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw Failure("tasks still not completed after 20 s")
        }
        try await client.shutdown()
        return try outcome.get()
    }

    static func expectRenderCoresChecksums(_ objects: [FractalObject]) throws {
        for object in objects {
            let rendered = try RenderJob.run(try object.fractal.validated(), threads: 1)
            #expect(object.checksum == rendered.checksum && object.pixelChecksum == rendered.pixelChecksum, "\(object.uuid)")
        }
    }

    /// The embedded defaults (memory:// queue, SQLite) with an in-process worker: tasks
    /// complete with the render core's checksums, and once the application has stopped its
    /// store is closed (a read fails) without anyone closing it by hand.
    @Test func anAPIProcessServesItsConfigurationAndClosesItsStoreWhenItStops() async throws {
        try await withScratchDirectory { folder in
            let configuration = try Self.configuration([
                "database_url": "sqlite:///\(folder.path)/faafo.db", "transport_url": "memory://", "workers": "1",
            ])
            let api = try await APIProcess.build(configuration, logger: Self.logger)
            #expect(api.options.workers == 1)

            let objects = try await api.servingOnLoopback(logger: Self.logger) { endpoint in try await Self.complete(Self.tasks(4), through: endpoint) }
            try Self.expectRenderCoresChecksums(objects)
            #expect(objects.allSatisfy { $0.generatedBy != nil })

            await #expect(throws: (any Error).self, "the store was closed with the application") {
                _ = try await api.service.page(1, perPage: 10)
            }
        }
    }

    @Test func aWorkerProcessRefusesTheInProcessQueueSayingWhy() async throws {
        let configuration = try Self.configuration(["transport_url": "memory://"])
        let error = await #expect(throws: WorkerProcessError.self) {
            _ = try await WorkerProcess.build(configuration, options: .init(name: "w"), logger: Self.logger)
        }
        #expect(error?.description.contains("transport_url is memory://") == true)
    }

    /// faafo-api and faafo-worker as their executables build them, over a virtual host of
    /// the shared broker: the worker completes the API's tasks under its own name.
    @Test(.tags(.rabbitMQ), .needs(.rabbitMQ)) func aWorkerProcessCompletesAnAPIProcesssTasksOverRabbitMQ() async throws {
        let broker = RabbitMQ()
        let virtualHost = "faafo-builders-\(UUID().uuidString.prefix(8).lowercased())"
        let transport = try await broker.makeVirtualHost(virtualHost)
        let outcome = await Result {
            try await withScratchDirectory { folder in
                let api = try await APIProcess.build(
                    try Self.configuration([
                        "database_url": "sqlite:///\(folder.path)/faafo.db", "transport_url": transport, "workers": "0",
                    ]),
                    logger: Self.logger)
                return try await api.servingOnLoopback(logger: Self.logger) { endpoint in
                    let worker = try await WorkerProcess.build(
                        try Self.configuration(["transport_url": transport, "endpoint_url": endpoint]),
                        options: .init(name: "built-worker", concurrency: 2, renderThreads: 1), logger: Self.logger)
                    let group = worker.serviceGroup(logger: Self.logger, signals: [])
                    return try await withThrowingTaskGroup(of: [FractalObject]?.self) { tasks in
                        tasks.addTask {
                            try await group.run()
                            return nil
                        }
                        let completed = await Result { try await Self.complete(Self.tasks(6), through: endpoint) }
                        await group.triggerGracefulShutdown()
                        try await tasks.waitForAll()
                        return try completed.get()
                    }
                }
            }
        }
        await broker.deleteVirtualHost(virtualHost)
        let objects = try outcome.get()
        try Self.expectRenderCoresChecksums(objects)
        #expect(objects.allSatisfy { $0.generatedBy == "built-worker" })
    }
}
