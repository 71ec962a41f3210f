/// Counts of what a broker answered to one `AMQPWorkQueue`'s publishes (tasks and
/// dead-letter copies alike).
public struct PublishStatistics: Sendable, Hashable {
    /// Publishes confirmed by a `basic.ack`: the only way a `publish` call returns.
    public var confirmed = 0
    /// Publishes the broker refused with a `basic.nack` (then sent again).
    public var nacked = 0
    /// Publishes sent again after a nack or a lost connection.
    public var republished = 0

    public init() {}
}
