@_spi(Testing) import FaafoWorkerLogic
import Foundation
import FractalCore

/// How a worker runs.
public struct WorkerConfiguration: Sendable {
    /// Tasks rendered at once; also the queue prefetch.
    public var concurrency: Int
    /// Render threads per task.
    public var renderThreads: Int
    /// Reported as `generated_by`: the host name by default, as the original did.
    public var name: String
    public var limits: RenderLimits
    /// Backoff between attempts to deliver a result that failed for a transient reason.
    public var retryInitialDelay: Duration
    public var retryMaximumDelay: Duration
    /// A deliberate defect in the worker's decisions, for tests only (see `TaskPolicy`).
    @_spi(Testing) public var defect: TaskPolicy.Defect?

    public init(
        concurrency: Int = 1, renderThreads: Int? = nil, name: String = ProcessInfo.processInfo.hostName,
        limits: RenderLimits = .default, retryInitialDelay: Duration = RetryBackoff.initialDelay,
        retryMaximumDelay: Duration = RetryBackoff.maximumDelay
    ) {
        self.concurrency = max(1, concurrency)
        self.renderThreads = max(1, renderThreads ?? max(1, FrameRenderer.defaultThreadCount / max(1, concurrency)))
        self.name = name
        self.limits = limits
        self.retryInitialDelay = retryInitialDelay
        self.retryMaximumDelay = retryMaximumDelay
    }

    /// What the worker's decisions about each task depend on.
    public var policy: TaskPolicy {
        var policy = TaskPolicy(
            name: name, limits: limits, retryInitialDelay: retryInitialDelay, retryMaximumDelay: retryMaximumDelay)
        policy.defect = defect
        return policy
    }
}
