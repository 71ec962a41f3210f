/// Delays between attempts to deliver a result: doubling from `initial`, at most `maximum`.
public struct RetryBackoff: Sendable {
    /// faafo-worker's first delay, and the longest it waits between two attempts.
    public static let initialDelay: Duration = .milliseconds(100)
    public static let maximumDelay: Duration = .seconds(5)

    public let maximum: Duration
    private var current: Duration

    public init(initial: Duration = initialDelay, maximum: Duration = maximumDelay) {
        self.current = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt.
    public mutating func next() -> Duration {
        defer { current = min(current * 2, maximum) }
        return current
    }
}
