import FractalCore

/// What a worker's decisions about a task depend on: its name, the render contract's
/// limits, and the backoff between attempts to deliver a result.
public struct TaskPolicy: Sendable {
    /// Reported as `generated_by`.
    public var name: String
    public var limits: RenderLimits
    public var retryInitialDelay: Duration
    public var retryMaximumDelay: Duration
    /// Renders of one delivery at most when the API finds results corrupt: then the
    /// worker gives the task up.
    public var maximumRenders = 3
    /// A deliberate defect, for tests that show a checker catches it; nil in faafo-worker,
    /// whose flags and configuration cannot reach it.
    @_spi(Testing) public var defect: Defect?

    /// Wrong decisions a test can switch on in the real step machine.
    @_spi(Testing) public enum Defect: Sendable {
        /// Acknowledges a task as soon as it is rendered, before its result is delivered.
        case acknowledgeBeforeDelivering
    }

    public init(
        name: String, limits: RenderLimits = .default, retryInitialDelay: Duration = RetryBackoff.initialDelay,
        retryMaximumDelay: Duration = RetryBackoff.maximumDelay
    ) {
        self.name = name
        self.limits = limits
        self.retryInitialDelay = retryInitialDelay
        self.retryMaximumDelay = retryMaximumDelay
    }
}
