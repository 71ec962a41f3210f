import Foundation
import FaafoWire

/// A stored fractal: the task's parameters, where it is in its life, and its result.
/// The image bytes are kept apart (`FractalStore.image(_:)`).
public struct FractalRecord: Hashable, Sendable {
    public var uuid: String
    public var width: Int
    public var height: Int
    public var iterations: Int
    public var xa: Double
    public var xb: Double
    public var ya: Double
    public var yb: Double
    /// c as the task was created with it; nil when the worker draws it from `seed`.
    public var cx: Double?
    public var cy: Double?
    public var seed: UInt64?
    public var status: FractalStatus
    public var createdAt: Date
    /// Set when the task message has been confirmed by the queue (the outbox flag).
    public var published: Bool

    // The result, once a worker's result has been accepted.
    public var completedAt: Date?
    public var duration: Double?
    public var size: Int?
    public var checksum: String?
    public var pixelChecksum: String?
    public var generatedBy: String?
    /// Results stored for this fractal: 0 while pending, 1 once completed. (Repeated or
    /// conflicting results change nothing, so they are not counted here.)
    public var attempts: Int
    /// Why a worker gave the fractal up (status `failed`); nil otherwise.
    public var failure: String?

    public init(
        uuid: String, width: Int, height: Int, iterations: Int,
        xa: Double, xb: Double, ya: Double, yb: Double,
        cx: Double?, cy: Double?, seed: UInt64?, createdAt: Date
    ) {
        self.uuid = uuid
        self.width = width
        self.height = height
        self.iterations = iterations
        self.xa = xa
        self.xb = xb
        self.ya = ya
        self.yb = yb
        self.cx = cx
        self.cy = cy
        self.seed = seed
        self.status = .pending
        self.createdAt = createdAt
        self.published = false
        self.completedAt = nil
        self.duration = nil
        self.size = nil
        self.checksum = nil
        self.pixelChecksum = nil
        self.generatedBy = nil
        self.attempts = 0
        self.failure = nil
    }
}

/// A worker's result as the API accepted it, before it is stored.
public struct FractalResult: Hashable, Sendable {
    public var duration: Double
    public var size: Int
    public var checksum: String
    public var pixelChecksum: String?
    public var generatedBy: String
    public var completedAt: Date

    public init(
        duration: Double, size: Int, checksum: String, pixelChecksum: String?, generatedBy: String, completedAt: Date
    ) {
        self.duration = duration
        self.size = size
        self.checksum = checksum
        self.pixelChecksum = pixelChecksum
        self.generatedBy = generatedBy
        self.completedAt = completedAt
    }
}
