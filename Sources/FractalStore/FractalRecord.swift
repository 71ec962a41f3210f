import Foundation
import FaafoWire
import FractalCore

/// A stored fractal: the task's parameters, where it is in its life, and its result.
/// The image bytes are kept apart (`FractalStore.image(_:)`).
public struct FractalRecord: Hashable, Sendable {
    public var uuid: String
    /// The task's parameters: c as the task was created with it, nil when the worker
    /// draws it from `seed`.
    public var fractal: FractalRequest
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

    public init(uuid: String, fractal: FractalRequest, createdAt: Date) {
        self.uuid = uuid
        self.fractal = fractal
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
