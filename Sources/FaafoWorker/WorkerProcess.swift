import AMQPWorkQueue
import FaafoClient
import FaafoConfig
import FaafoServiceKit
import Foundation
import FractalCore
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals
import WorkQueue

/// faafo-worker as one configuration describes it: the broker's queue, the API client its
/// results go through, the worker, and the metrics port when `metrics_port` asks for one.
/// The one place the worker's process is wired: faafo-worker and the tests build it here.
public struct WorkerProcess: Sendable {
    /// What faafo-worker's own flags (not faafo.conf keys) set.
    public struct Options: Sendable {
        /// Reported as generated_by; the host name by default.
        public var name: String
        /// Tasks rendered at once (also the queue's prefetch).
        public var concurrency: Int
        /// Threads a task renders with; nil: cores / concurrency.
        public var renderThreads: Int?

        public init(name: String? = nil, concurrency: Int = 1, renderThreads: Int? = nil) {
            self.name = name ?? ProcessInfo.processInfo.hostName
            self.concurrency = concurrency
            self.renderThreads = renderThreads
        }
    }

    public let worker: FractalWorker
    /// The registry the worker records into, and the metrics port serves.
    public let metrics: PrometheusCollectorRegistry
    let queue: any WorkQueue
    let client: FaafoAPIClient
    let configuration: FaafoConfiguration

    /// Connects to the broker `transport_url` names (a broker: `memory://` exists only
    /// inside faafo-api, and is refused with an error that says so) and makes the API
    /// client. On failure nothing is left open.
    public static func build(
        _ configuration: FaafoConfiguration, options: Options,
        metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger
    ) async throws -> WorkerProcess {
        guard !configuration.usesInMemoryQueue else { throw WorkerProcessError.inMemoryQueue }
        // operator_token stands in for worker_token, as the API accepts it on results too.
        let client = try FaafoAPIClient(
            endpointURL: configuration.endpointURL,
            credentials: .init(worker: configuration.workerToken, operator: configuration.operatorToken))
        let queue: AMQPWorkQueue
        do {
            queue = try await AMQPWorkQueue(
                url: configuration.transportURL,
                options: AMQPWorkQueue.Options(configuration, connectionName: "faafo-worker \(options.name)"),
                logger: Logger(label: "faafo.queue"))
        } catch {
            try? await client.shutdown()
            throw error
        }
        var workerConfiguration = WorkerConfiguration(
            concurrency: options.concurrency,
            renderThreads: options.renderThreads,
            limits: RenderLimits(workBudget: configuration.workBudget ?? RenderLimits.defaultWorkBudget))
        workerConfiguration.name = options.name
        let worker = FractalWorker(
            queue: queue, sink: HTTPResultSink(client: client), configuration: workerConfiguration,
            metrics: WorkerMetrics(factory: PrometheusMetricsFactory(registry: metrics)), logger: logger)
        return WorkerProcess(worker: worker, metrics: metrics, queue: queue, client: client, configuration: configuration)
    }

    /// The worker, the metrics port if any, and the queue and the client as services closed
    /// after them: one group that stops gracefully on SIGTERM and SIGINT.
    public func serviceGroup(logger: Logger, signals: [UnixSignal] = [.sigterm, .sigint]) -> ServiceGroup {
        var services: [any Service] = [
            BackendService("the API client", logger: logger) { [client] in try await client.shutdown() },
            BackendService("the queue", logger: logger) { [queue] in await queue.shutdown() },
            worker,
        ]
        if configuration.metricsPort > 0 {
            services.append(
                MetricsListener.application(
                    registry: metrics, address: configuration.listenAddress, port: configuration.metricsPort,
                    logger: logger))
        }
        return ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
    }
}

public enum WorkerProcessError: Error, CustomStringConvertible {
    case inMemoryQueue

    public var description: String {
        switch self {
        case .inMemoryQueue:
            "transport_url is memory://, which only exists inside one process: give the worker a broker "
                + "(--transport-url amqp://...) or run in-process workers with faafo-api --workers N"
        }
    }
}
