import ArgumentParser
import FaafoConfig
import FaafoLogging
import FaafoServiceKit
import FaafoWorker
import Logging
import Metrics
import Prometheus

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
    @Option(help: .key(.endpointURL)) var endpointUrl: String?
    @Option(help: .key(.workerToken)) var workerToken: String?
    @Option(help: "Tasks rendered at once (also the queue prefetch).") var concurrency = 1
    @Option(help: "Render threads per task (default: cores / concurrency).") var renderThreads: Int?
    @Option(help: "The name reported as generated_by (default: the host name).") var name: String?
    @Option(help: .key(.metricsPort)) var metricsPort: String?
    @Option(help: .key(.listenAddress)) var listenAddress: String?
    @Flag(help: "Log at INFO (the default for the service).") var verbose = false
    @Flag(help: "Log at DEBUG.") var debug = false

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more") }
        if let renderThreads, renderThreads < 1 { throw ValidationError("--render-threads must be 1 or more") }
    }

    func run() async throws {
        var overrides: [String: String] = [:]
        broker.add(to: &overrides)
        overrides[.endpointURL] = endpointUrl
        overrides[.workerToken] = workerToken
        overrides[.metricsPort] = metricsPort
        overrides[.listenAddress] = listenAddress
        let configuration: FaafoConfiguration
        do {
            configuration = try FaafoConfiguration.load(cliOverrides: overrides, configFilePath: configFile)
        } catch {
            throw ValidationError(error.description)
        }
        TutorialLogHandler.bootstrap(level: debug ? .debug : .info)
        let logger = Logger(label: "faafo.worker")
        // One registry for the process, as in faafo-api: the worker records into it and
        // the metrics port (when there is one) serves it.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let process: WorkerProcess
        do {
            process = try await WorkerProcess.build(
                configuration, options: .init(name: name, concurrency: concurrency, renderThreads: renderThreads),
                metrics: registry, logger: logger)
        } catch let error as WorkerProcessError {
            throw ValidationError(error.description)
        }
        // The queue and the API client are services of the group: closed when it stops.
        try await process.serviceGroup(logger: logger).run()
    }
}
