import ArgumentParser
import FaafoAPI
import FaafoConfig
import FaafoLogging
import FaafoServiceKit
import Foundation
import Logging
import Metrics
import Prometheus

/// `faafo-api`: the controller. With `transport_url = memory://` and `--workers N` it is a
/// whole Fractals system in one process.
@main
struct FaafoAPICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faafo-api",
        abstract: "The faafo API service: stores fractal requests and queues them for workers.",
        discussion: """
            Options come from the command line, then FAAFO_* environment variables, then \
            /etc/faafo/faafo.conf (or --config-file), as in the original faafo.
            """
    )

    @Option(help: "An INI file with a [DEFAULT] section (default /etc/faafo/faafo.conf when it exists).")
    var configFile: String?
    @OptionGroup var broker: BrokerOptions
    @Option(help: .key(.databaseURL)) var databaseUrl: String?
    @Option(help: .key(.databasePoolSize)) var databasePoolSize: String?
    @Option(help: .key(.imageStore)) var imageStore: String?
    @Option(help: .key(.swiftAuthURL)) var swiftAuthUrl: String?
    @Option(help: .key(.swiftUser)) var swiftUser: String?
    @Option(help: .key(.swiftKey)) var swiftKey: String?
    @Option(help: .key(.listenAddress)) var listenAddress: String?
    @Option(help: .key(.bindPort)) var bindPort: String?
    @Option(help: .key(.workers)) var workers: String?
    @Option(help: .key(.workBudget)) var workBudget: String?
    @Option(help: .key(.idleTimeout)) var idleTimeout: String?
    @Option(help: .key(.workerToken)) var workerToken: String?
    @Option(help: .key(.operatorToken)) var operatorToken: String?
    @Option(help: .key(.createToken)) var createToken: String?
    @Option(help: "Run N demo tasks through the running system, print a summary, then stop.") var demo: Int?
    @Flag(help: "Log at INFO (the default for the service).") var verbose = false
    @Flag(help: "Log at DEBUG.") var debug = false

    func run() async throws {
        var overrides: [String: String] = [:]
        broker.add(to: &overrides)
        overrides[.databaseURL] = databaseUrl
        overrides[.databasePoolSize] = databasePoolSize
        overrides[.imageStore] = imageStore
        overrides[.swiftAuthURL] = swiftAuthUrl
        overrides[.swiftUser] = swiftUser
        overrides[.swiftKey] = swiftKey
        overrides[.listenAddress] = listenAddress
        overrides[.bindPort] = bindPort
        overrides[.workers] = workers
        overrides[.workBudget] = workBudget
        overrides[.idleTimeout] = idleTimeout
        overrides[.workerToken] = workerToken
        overrides[.operatorToken] = operatorToken
        overrides[.createToken] = createToken
        let configuration: FaafoConfiguration
        do {
            configuration = try FaafoConfiguration.load(cliOverrides: overrides, configFilePath: configFile)
        } catch {
            throw ValidationError(error.description)
        }
        // The service logs at INFO like the original; a demo run only says what went wrong.
        TutorialLogHandler.bootstrap(level: debug ? .debug : (verbose || demo == nil) ? .info : .warning)
        let logger = Logger(label: "faafo.api")
        for line in configuration.summaryLines { logger.debug("\(line)") }

        if let demo, demo < 1 { throw ValidationError("--demo takes a number of tasks, 1 or more") }
        // One registry for the process: the service records into it, `/metrics` serves it,
        // and MetricsSystem's bootstrap (once a process) hands it to any library that counts.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let api = try await APIProcess.build(configuration, metrics: registry, logger: logger)

        if let demo {
            let report = try await DemoBatch(count: demo).run(api, logger: logger)
            print(report.summaryLines.joined(separator: "\n"))
            if !(report.allCompleted && report.tasks.verified == report.tasks.submitted) { throw ExitCode.failure }
            return
        }
        if configuration.workerToken == nil, !Self.isLoopback(configuration.listenAddress) {
            logger.warning(
                """
                no worker_token on \(configuration.listenAddress), which is not loopback: anyone who reaches this \
                API can change results; set worker_token and operator_token (--worker-token, --operator-token, \
                FAAFO_WORKER_TOKEN, FAAFO_OPERATOR_TOKEN or faafo.conf)
                """)
        }
        // The store and the queue are services of the application: closed when it stops.
        try await api.application(logger: logger) { port in
            logger.info("listening on \(configuration.listenAddress):\(port), queue \(configuration.text(of: .transportURL))")
        }.runService()
    }

    /// Whether only this machine can reach `address`: 127.0.0.0/8, ::1 or localhost.
    static func isLoopback(_ address: String) -> Bool {
        let lowered = address.lowercased()
        return lowered == "localhost" || lowered == "::1" || lowered.hasPrefix("127.")
    }
}
