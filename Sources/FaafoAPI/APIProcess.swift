import FaafoConfig
import FaafoController
import FaafoServiceKit
import FaafoWorker
import FractalStore
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import WorkQueue

/// faafo-api as one configuration describes it: the store and the queue it names, the
/// service over them and the options its server runs with. The one place the API's
/// process is wired: faafo-api, its `--demo` and the tests build it here.
public struct APIProcess: Sendable {
    public let service: FractalService
    /// The server's options, from the configuration; a caller may change them before
    /// `application` (the demo listens on a loopback port of its own, say).
    public var options: APIOptions
    /// The registry the service and any in-process workers record into, and `/metrics` serves.
    public let metrics: PrometheusCollectorRegistry
    let store: any FractalStore
    let queue: any WorkQueue

    /// Connects the store and the queue `configuration` names. On failure nothing is left
    /// open: a queue that cannot be reached closes the store made before it.
    public static func build(
        _ configuration: FaafoConfiguration, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        logger: Logger
    ) async throws -> APIProcess {
        let store = try await FaafoSystem.makeStore(configuration, logger: Logger(label: "faafo.store"))
        let queue: any WorkQueue
        do {
            queue = try await FaafoSystem.makeQueue(configuration, logger: Logger(label: "faafo.queue"))
        } catch {
            try? await store.shutdown()
            throw error
        }
        let service = FractalService(
            store: store, queue: queue, limits: FaafoSystem.limits(configuration),
            metrics: FractalMetrics(factory: PrometheusMetricsFactory(registry: metrics)), logger: logger)
        return APIProcess(
            service: service, options: APIOptions(configuration), metrics: metrics, store: store, queue: queue)
    }

    /// The server, the outbox publisher and any in-process workers, with the store and
    /// the queue as services closed after them when the application stops.
    public func application(
        logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let backends = [
            BackendService("the store", logger: logger) { [store] in try await store.shutdown() },
            BackendService("the queue", logger: logger) { [queue] in await queue.shutdown() },
        ]
        return buildApplication(
            service: service, options: options, metrics: metrics, backends: backends, logger: logger,
            onServerRunning: onServerRunning)
    }

    /// Runs the application on a free loopback port, calls `body` with its URL
    /// (`http://127.0.0.1:PORT`), then stops it gracefully, also when `body` throws, and
    /// returns once it has stopped (its store and queue closed). `faafo-api --demo` and
    /// the tests run the API so.
    public func servingOnLoopback<T: Sendable>(
        logger: Logger, _ body: @escaping @Sendable (_ endpoint: String) async throws -> T
    ) async throws -> T {
        var process = self
        process.options.listenAddress = "127.0.0.1"
        process.options.bindPort = 0
        let port = AsyncStream.makeStream(of: Int.self)
        let application = process.application(logger: logger) { bound in
            port.continuation.yield(bound)
            port.continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                // A server that fails to start ends the wait for its port too.
                defer { port.continuation.finish() }
                try await group.run()
                return nil
            }
            var iterator = port.stream.makeAsyncIterator()
            guard let bound = await iterator.next() else {
                try await tasks.waitForAll()
                throw APIProcessError("the API stopped before it listened")
            }
            let outcome: Result<T, any Error>
            do {
                outcome = .success(try await body("http://127.0.0.1:\(bound)"))
            } catch {
                outcome = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try outcome.get()
        }
    }
}

extension APIOptions {
    /// The options `configuration` gives the server and its in-process workers.
    public init(_ configuration: FaafoConfiguration) {
        self.init(
            listenAddress: configuration.listenAddress, bindPort: configuration.bindPort,
            workers: configuration.effectiveWorkers,
            workerConfiguration: WorkerConfiguration(
                concurrency: 1,
                renderThreads: configuration.renderThreads > 0 ? configuration.renderThreads : nil,
                limits: FaafoSystem.limits(configuration)),
            idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)),
            credentials: WriteCredentials(
                worker: configuration.workerToken, operator: configuration.operatorToken,
                create: configuration.createToken))
    }
}

struct APIProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
