import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// faafo-worker's own small HTTP listener, off unless `metrics_port` is set: `/metrics`
/// in Prometheus's text format (0.0.4) from `registry`, and `/healthz`, which answers
/// whenever the process does. Nothing else: a worker takes no requests.
public enum MetricsListener {
    public static func application(
        registry: PrometheusCollectorRegistry, address: String, port: Int, logger: Logger
    ) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        return Application(
            router: router, configuration: .init(address: .hostname(address, port: port), serverName: "faafo-worker"),
            onServerRunning: { channel in
                logger.info("metrics at http://\(address):\(channel.localAddress?.port ?? port)/metrics")
            },
            logger: logger)
    }
}
