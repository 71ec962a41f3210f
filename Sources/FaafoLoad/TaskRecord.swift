import FaafoWire
import FractalJob

/// What happened to one task of a load test: one row of the report's CSV.
public struct TaskRecord: Hashable, Sendable {
    public enum Status: String, Codable, Hashable, Sendable {
        /// Stored by a worker (and, when checked, with the render core's checksums).
        case completed
        /// The create call was refused or failed, the task vanished, or its checksums
        /// differ from the render core's.
        case failed
        /// Not stored when the run's time was up.
        case timedOut = "timed_out"
    }

    /// The task's place in the run, from 0.
    public var index: Int
    public var uuid: String
    public var status: Status
    /// When the create call was sent, from the start of the run.
    public var sentAt: Duration
    /// How long the create call took (nil: it never answered).
    public var createLatency: Duration?
    /// From creation to the stored result, on the API's clock: `completed_at −
    /// created_at`, so how often the client polls does not enter it.
    public var storedLatency: Duration?
    /// The worker that stored it.
    public var generatedBy: String?
    /// Why it failed or timed out.
    public var problem: String?
    /// Whether its checksums were compared with the render core's (nil: not checked).
    public var verified: Bool?
    /// The stored object, kept for the checksum check.
    public var object: FractalObject?

    public init(index: Int, uuid: String, status: Status, sentAt: Duration) {
        self.index = index
        self.uuid = uuid
        self.status = status
        self.sentAt = sentAt
    }

    /// When the result was stored, on the run's clock: the send time plus the stored latency.
    public var storedAt: Duration? { storedLatency.map { sentAt + $0 } }
}

extension Duration {
    /// The duration in milliseconds, as a `Double` (`seconds` is FractalJob's).
    var milliseconds: Double { seconds * 1000 }
}
