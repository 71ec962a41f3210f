import FaafoController
import Hummingbird
import Prometheus

/// What operators and orchestrators poll: liveness, readiness and the metrics, beside
/// the routes of docs/wire-contract.md.
struct OperationsRoutes<Context: RequestContext> {
    let service: FractalService
    /// The registry the service's metrics record into.
    let registry: PrometheusCollectorRegistry
    /// The longest the store may take to answer a readiness probe.
    let storeTimeout: Duration

    struct Status: Codable {
        var status: String
    }

    func add(to router: Router<Context>) {
        // Answered whenever the process answers at all: it checks nothing else.
        router.get("/healthz") { _, _ in try JSONBody.response(Status(status: "ok")) }
        router.get("/readyz") { _, _ in
            let problems = await service.readinessProblems(timeout: storeTimeout)
            guard problems.isEmpty else {
                throw APIError(.serviceUnavailable, "not ready: " + problems.joined(separator: "; "))
            }
            return try JSONBody.response(Status(status: "ok"))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
