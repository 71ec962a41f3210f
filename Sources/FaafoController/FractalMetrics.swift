import Foundation
import Metrics

/// What the service counts and times, through swift-metrics. The factory is injected
/// rather than read from `MetricsSystem` at each use: tests give each service a registry
/// of its own, since a process may bootstrap `MetricsSystem` only once.
public struct FractalMetrics: Sendable {
    /// Fractals stored by `create` (not a repeated create of a stored one).
    public let created: Counter
    /// Results that completed a fractal (not an identical result again).
    public let completed: Counter
    /// Fractals a worker gave up on (`reportFailure` marked them failed).
    public let failed: Counter
    /// Results refused for what they hold: a bad checksum, size or PNG, or invalid fields.
    public let resultsRefused: Counter
    /// Results whose checksum differs from a completed fractal's (the 409s of docs/wire-contract.md).
    public let determinismViolations: Counter
    /// Stored fractals whose task was never confirmed by the queue, as of the last outbox pass.
    public let outboxDepth: Gauge
    /// How long each `create` took, refused ones included.
    public let createDuration: Metrics.Timer
    /// How long each `submitResult` took, refused ones included.
    public let resultDuration: Metrics.Timer

    /// The names, which the README lists for operators.
    public enum Name {
        public static let created = "faafo_fractals_created_total"
        public static let completed = "faafo_fractals_completed_total"
        public static let failed = "faafo_fractals_failed_total"
        public static let resultsRefused = "faafo_results_refused_total"
        public static let determinismViolations = "faafo_determinism_violations_total"
        public static let outboxDepth = "faafo_outbox_depth"
        public static let createDuration = "faafo_create_duration_seconds"
        public static let resultDuration = "faafo_result_duration_seconds"
    }

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        created = Counter(label: Name.created, factory: factory)
        completed = Counter(label: Name.completed, factory: factory)
        failed = Counter(label: Name.failed, factory: factory)
        resultsRefused = Counter(label: Name.resultsRefused, factory: factory)
        determinismViolations = Counter(label: Name.determinismViolations, factory: factory)
        outboxDepth = Gauge(label: Name.outboxDepth, factory: factory)
        createDuration = Metrics.Timer(label: Name.createDuration, factory: factory)
        resultDuration = Metrics.Timer(label: Name.resultDuration, factory: factory)
    }
}
