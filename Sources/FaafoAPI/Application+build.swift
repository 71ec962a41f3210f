import FaafoController
import FaafoGallery
import FaafoServiceKit
import FaafoWorker
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// What `faafo-api` serves and runs beside the HTTP server.
public struct APIOptions: Sendable {
    /// Connections the kernel holds for the API before it accepts them (listen(2)'s
    /// backlog; Linux caps it at net.core.somaxconn, 4096 by default).
    public static let listenBacklog = 1024

    public var listenAddress: String
    public var bindPort: Int
    /// In-process workers (`--workers N`): with `memory://`, one command gives a whole system.
    public var workers: Int
    public var workerConfiguration: WorkerConfiguration
    /// The largest result upload accepted, in bytes.
    public var resultLimit: Int
    public var outboxInterval: Duration
    /// A connection on which nothing arrives for this long is closed: one that stalled
    /// halfway through a request (its file descriptor is not held for ever), or an idle
    /// keep-alive one.
    public var idleTimeout: Duration
    /// The tokens writes must carry; `.open` (the default) asks none, as the original.
    public var credentials: WriteCredentials

    public init(
        listenAddress: String = "0.0.0.0", bindPort: Int = 8080, workers: Int = 0,
        workerConfiguration: WorkerConfiguration = WorkerConfiguration(), resultLimit: Int = 1 << 30,
        outboxInterval: Duration = .seconds(2), idleTimeout: Duration = .seconds(75),
        credentials: WriteCredentials = .open
    ) {
        self.listenAddress = listenAddress
        self.bindPort = bindPort
        self.workers = workers
        self.workerConfiguration = workerConfiguration
        self.resultLimit = resultLimit
        self.outboxInterval = outboxInterval
        self.idleTimeout = idleTimeout
        self.credentials = credentials
    }
}

/// The router of the API: the routes of docs/wire-contract.md, errors as JSON; `/healthz`, `/readyz`
/// and `/metrics` (from `metrics`, the registry the service's metrics record into: an
/// empty one unless given); and the web gallery. `credentials`: the tokens writes must
/// carry (none by default). `readinessTimeout`: how long `/readyz` waits for the store
/// (and an object store) to answer before it says they do not.
public func buildRouter(
    service: FractalService, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    resultLimit: Int = 1 << 30, credentials: WriteCredentials = .open, readinessTimeout: Duration = .seconds(3)
) -> Router<BasicRequestContext> {
    // HEAD for every GET, as Flask answered it.
    let router = Router(options: .autoGenerateHeadEndpoints)
    router.add(middleware: JSONErrorMiddleware())
    FractalRoutes(service: service, resultLimit: resultLimit, credentials: credentials).add(to: router)
    OperationsRoutes(service: service, registry: metrics, storeTimeout: readinessTimeout).add(to: router)
    Gallery(catalog: service, acceptsCreates: credentials.create == nil).addRoutes(to: router)
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}

/// The whole controller: the HTTP server, the outbox publisher and any in-process
/// workers, in one service group that shuts down gracefully on SIGTERM. `backends` (what
/// `service` uses: `APIProcess` gives its store and queue) are closed after the rest.
public func buildApplication(
    service: FractalService, options: APIOptions, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    backends: [BackendService] = [], logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    // A group shuts its services down last to first: the backends go after what uses them.
    var services: [any Service] = backends
    services.append(OutboxPublisher(service: service, interval: options.outboxInterval))
    // In-process workers count into the API's registry, so its /metrics shows them too.
    let workerMetrics = WorkerMetrics(factory: PrometheusMetricsFactory(registry: metrics))
    for index in 0..<options.workers {
        var configuration = options.workerConfiguration
        if options.workers > 1 { configuration.name += "-\(index + 1)" }
        services.append(
            FractalWorker(
                queue: service.queue, sink: ServiceResultSink(service: service), configuration: configuration,
                metrics: workerMetrics, logger: Logger(label: "faafo.worker")))
    }
    return Application(
        router: buildRouter(
            service: service, metrics: metrics, resultLimit: options.resultLimit, credentials: options.credentials),
        server: .http1(configuration: .init(idleTimeout: .init(options.idleTimeout))),
        // A longer accept queue than Hummingbird's 256, so that a burst of connections (or
        // many slow clients) is not met with dropped SYNs and seconds of retransmission.
        configuration: .init(
            address: .hostname(options.listenAddress, port: options.bindPort), serverName: "faafo",
            backlog: APIOptions.listenBacklog),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? options.bindPort) },
        logger: logger)
}
