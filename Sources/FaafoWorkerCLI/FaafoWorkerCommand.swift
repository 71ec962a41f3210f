import AMQPWorkQueue
import ArgumentParser
import FaafoClient
import FaafoConfig
import FaafoLogging
import FaafoServiceOptions
import FaafoWorker
import Foundation
import FractalCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `faafo-worker`: takes tasks from RabbitMQ, renders them, PUTs each result to the API
/// and acknowledges the task only after the API accepted it.
@main
struct FaafoWorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faafo-worker",
        abstract: "The faafo worker service: renders the fractals queued by faafo-api.",
        discussion: """
            Options come from the command line, then FAAFO_* environment variables, then \
            /etc/faafo/faafo.conf (or --config-file), as in the original faafo.
            """
    )

    @Option(help: "An INI file with a [DEFAULT] section.") var configFile: String?
    @OptionGroup var broker: BrokerOptions
    @Option(help: "The API the results go to.") var endpointUrl: String?
    @Option(help: "The token the API asks of results (FAAFO_WORKER_TOKEN or faafo.conf keep it out of ps).")
    var workerToken: String?
    @Option(help: "Tasks rendered at once (also the queue prefetch).") var concurrency = 1
    @Option(help: "Render threads per task (default: cores / concurrency).") var renderThreads: Int?
    @Option(help: "The name reported as generated_by (default: the host name).") var name: String?
    @Option(help: "Serve /metrics and /healthz on this port (default: 0, none).") var metricsPort: String?
    @Option(help: "The address the metrics port listens on (default: 0.0.0.0).") var listenAddress: String?
    @Flag(help: "Log at INFO (the default for the service).") var verbose = false
    @Flag(help: "Log at DEBUG.") var debug = false

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more") }
        if let renderThreads, renderThreads < 1 { throw ValidationError("--render-threads must be 1 or more") }
    }

    func run() async throws {
        var overrides: [String: String] = [:]
        broker.add(to: &overrides)
        overrides["endpoint_url"] = endpointUrl
        overrides["worker_token"] = workerToken
        overrides["metrics_port"] = metricsPort
        overrides["listen_address"] = listenAddress
        let configuration: FaafoConfiguration
        do {
            configuration = try FaafoConfiguration.load(cliOverrides: overrides, configFilePath: configFile)
        } catch {
            throw ValidationError(error.description)
        }
        guard !configuration.usesInMemoryQueue else {
            throw ValidationError(
                "transport_url is memory://, which only exists inside one process: give the worker a broker "
                    + "(--transport-url amqp://...) or run in-process workers with faafo-api --workers N")
        }
        TutorialLogHandler.bootstrap(level: debug ? .debug : .info)
        let logger = Logger(label: "faafo.worker")

        let workerName = name ?? ProcessInfo.processInfo.hostName
        let queue = try await AMQPWorkQueue(
            url: configuration.transportURL,
            options: AMQPWorkQueue.Options(configuration, connectionName: "faafo-worker \(workerName)"),
            logger: Logger(label: "faafo.queue"))
        // operator_token stands in for worker_token, as the API accepts it on results too.
        let client = try FaafoAPIClient(
            endpointURL: configuration.endpointURL,
            credentials: .init(worker: configuration.workerToken, operator: configuration.operatorToken))
        var workerConfiguration = WorkerConfiguration(
            concurrency: concurrency, renderThreads: renderThreads,
            limits: RenderLimits(workBudget: configuration.workBudget ?? RenderLimits.defaultWorkBudget))
        workerConfiguration.name = workerName
        // One registry for the process, as in faafo-api: the worker records into it and
        // the metrics port (when there is one) serves it.
        let registry = PrometheusCollectorRegistry()
        let factory = PrometheusMetricsFactory(registry: registry)
        MetricsSystem.bootstrap(factory)
        let worker = FractalWorker(
            queue: queue, sink: HTTPResultSink(client: client), configuration: workerConfiguration,
            metrics: WorkerMetrics(factory: factory), logger: logger)
        var services: [any Service] = [worker]
        if configuration.metricsPort > 0 {
            services.append(
                MetricsListener.application(
                    registry: registry, address: configuration.listenAddress, port: configuration.metricsPort,
                    logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await queue.shutdown()
        try await client.shutdown()
    }
}
