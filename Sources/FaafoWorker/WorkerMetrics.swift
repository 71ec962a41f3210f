import Metrics

/// What a worker counts and times, through swift-metrics: faafo-worker serves them at its
/// own `/metrics` (`metrics_port`), faafo-api's in-process workers at the API's. As with
/// `FractalMetrics`, the factory is injected rather than read from `MetricsSystem`.
public struct WorkerMetrics: Sendable {
    /// Tasks rendered (a redelivered task rendered again counts again).
    public let rendered: Counter
    /// Results the API took.
    public let accepted: Counter
    /// Tasks rejected to the dead-letter queue: they can never succeed.
    public let deadLettered: Counter
    /// Result deliveries tried again after a 5xx or no answer.
    public let retries: Counter
    /// Results the API refused this worker's credential for (the task stays unacknowledged).
    public let unauthorized: Counter
    /// Deliveries the queue marked redelivered: another worker (or this one) took them before.
    public let redelivered: Counter
    /// How long each render took (render, encode and checksums).
    public let renderDuration: Metrics.Timer
    /// How long each delivery of a result to the API took, retries one by one.
    public let uploadDuration: Metrics.Timer

    /// The names, which the README lists for operators.
    public enum Name {
        public static let rendered = "faafo_worker_tasks_rendered_total"
        public static let accepted = "faafo_worker_results_accepted_total"
        public static let deadLettered = "faafo_worker_tasks_dead_lettered_total"
        public static let retries = "faafo_worker_delivery_retries_total"
        public static let unauthorized = "faafo_worker_results_unauthorized_total"
        public static let redelivered = "faafo_worker_tasks_redelivered_total"
        public static let renderDuration = "faafo_worker_render_duration_seconds"
        public static let uploadDuration = "faafo_worker_upload_duration_seconds"
    }

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        rendered = Counter(label: Name.rendered, factory: factory)
        accepted = Counter(label: Name.accepted, factory: factory)
        deadLettered = Counter(label: Name.deadLettered, factory: factory)
        retries = Counter(label: Name.retries, factory: factory)
        unauthorized = Counter(label: Name.unauthorized, factory: factory)
        redelivered = Counter(label: Name.redelivered, factory: factory)
        renderDuration = Metrics.Timer(label: Name.renderDuration, factory: factory)
        uploadDuration = Metrics.Timer(label: Name.uploadDuration, factory: factory)
    }
}
